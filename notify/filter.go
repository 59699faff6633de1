package notify

import (
	"context"
	"fmt"
	"slices"
)

// Filter chooses what one notifier hears of the alerts on change (alerts
// whose resources carry [Resource.Change]), so that a chat channel, a pager
// and a workflow can each get their share of one run. The zero Filter,
// FilterAll, passes every alert as it is.
type Filter string

// The filters.
const (
	// FilterAll passes every alert whole: a JSON notifier (EventBridge,
	// Lambda, webhook) gets the full diff, Alert.Unchanged included.
	FilterAll Filter = ""
	// FilterChanges passes every alert without Alert.Unchanged: the
	// changes, and their count in the summary.
	FilterChanges Filter = "changes"
	// FilterNewCritical passes only what should wake someone: of an alert
	// on change, the critical resources that are new or escalated, and
	// nothing when there are none; of any other alert (a scan that
	// failed), only a critical one.
	FilterNewCritical Filter = "new-critical"
)

// ParseFilter returns the Filter named s: "all" (or ""), "changes" or
// "new-critical".
func ParseFilter(s string) (Filter, error) {
	switch f := Filter(s); f {
	case "all", FilterAll:
		return FilterAll, nil
	case FilterChanges, FilterNewCritical:
		return f, nil
	}
	return "", fmt.Errorf("unknown filter %q: want all, changes or new-critical", s)
}

// Apply returns what f lets through of a, and false when nothing: the
// notifier then hears nothing of a. It does not modify a.
func (f Filter) Apply(a Alert) (Alert, bool) {
	switch f {
	case FilterChanges:
		a.Unchanged = nil
		return a, true
	case FilterNewCritical:
		if a.Severity != Critical {
			return Alert{}, false
		}
		if !slices.ContainsFunc(a.Resources, func(r Resource) bool { return r.Change != "" }) && len(a.Unchanged) == 0 {
			return a, true // not an alert on change, such as a failed scan
		}
		keep := slices.DeleteFunc(slices.Clone(a.Resources), func(r Resource) bool {
			return r.Severity != Critical || (r.Change != ChangeNew && r.Change != ChangeEscalated)
		})
		if len(keep) == 0 {
			return Alert{}, false
		}
		a.Resources, a.Unchanged = keep, nil
		a.Title = fmt.Sprintf("%d %s newly critical", len(keep), pluralWord(len(keep), "resource", "resources"))
		return a, true
	}
	return a, true
}

// Filtered returns a notifier that passes n what f lets through of each
// alert ([Filter.Apply]) and drops the rest, returning nil. FilterAll
// returns n itself. Name the result with [Named].
func Filtered(n Notifier, f Filter) Notifier {
	if f == FilterAll {
		return n
	}
	return filtered{n, f}
}

type filtered struct {
	n Notifier
	f Filter
}

func (x filtered) Notify(ctx context.Context, a Alert) error {
	if a, ok := x.f.Apply(a); ok {
		return x.n.Notify(ctx, a)
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
