package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// stateUsage documents --state in the help of "ipamctl usage".
const stateUsage = `With --notify, alert on change rather than on every run: compare the
findings with those kept in FILE by the previous run and send only what is
new, escalated, improved or resolved, with the count of unchanged findings
(and a reminder every --remind while anything critical is outstanding). A
run with no change sends nothing; an incomplete scan is always sent. FILE is
created on the first run, when every finding is new; two runs at once cannot
both alert on the same change.`

// notifyFilterUsage documents --notify-filter.
const notifyFilterUsage = `With --state, what the notifiers of KIND (as in --notify) hear of an
alert on change; repeatable. FILTER is all (the default: JSON receivers get
the full diff, unchanged findings included), changes (the changes and the
count of unchanged findings) or new-critical (a pager: only resources that
became critical, and a scan that failed). Example: --notify-filter
sns=new-critical.`

// stateFlags are the --state, --remind and --notify-filter flags of
// "ipamctl usage".
type stateFlags struct {
	path    string        // --state FILE; empty alerts on every run
	remind  time.Duration // --remind; zero means usage.DefaultRemindEvery
	filters []string      // --notify-filter KIND=FILTER, as given
}

// declare declares the flags on fs.
func (s *stateFlags) declare(fs *flagSet) {
	fs.fn("state", "FILE", strings.Join(strings.Fields(stateUsage), " "), func(v string) error {
		if v == "" {
			return errors.New("want a file name")
		}
		s.path = v
		return nil
	})
	fs.fn("remind", "D", "With --state, how long a critical finding stays unchanged before a reminder, such as 24h (the default) or 12h; 0 never reminds.", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return errors.New("want a duration such as 24h or 0")
		}
		s.remind = d
		if d == 0 {
			s.remind = -1 // never
		}
		return nil
	})
	fs.stringList(&s.filters, "notify-filter", "KIND=FILTER", strings.Join(strings.Fields(notifyFilterUsage), " "))
}

// applyFilters sets the Filter of each of n's parsed specs from
// --notify-filter, and returns one error per bad value.
func (s *stateFlags) applyFilters(n *notifyFlags) []error {
	var errs []error
	for _, v := range s.filters {
		kind, name, _ := strings.Cut(v, "=")
		f, err := notify.ParseFilter(name)
		if err != nil || name == "" {
			errs = append(errs, usageErrorf("--notify-filter %q: want KIND=FILTER with FILTER all, changes or new-critical", v))
			continue
		}
		if !slices.Contains(notifyKinds, kind) || kind == "cloudwatch" || kind == "emf" {
			errs = append(errs, usageErrorf("--notify-filter %q: want a notifier KIND of --notify: slack, teams, webhook, sns, eventbridge, lambda or stdout", v))
			continue
		}
		specKind := notify.SpecKind(kind)
		if kind == "stdout" {
			specKind = notify.SpecText
		}
		for i := range n.specs {
			if n.specs[i].Kind == specKind {
				n.specs[i].Filter = f
			}
		}
	}
	return errs
}

// validate checks the flags against --notify.
func (s *stateFlags) validate(n *notifyFlags) []error {
	if s.path == "" {
		var errs []error
		if s.remind != 0 {
			errs = append(errs, usageErrorf("--remind needs --state"))
		}
		if len(s.filters) > 0 {
			errs = append(errs, usageErrorf("--notify-filter needs --state"))
		}
		return errs
	}
	errs := s.applyFilters(n)
	if len(n.values) == 0 {
		errs = append(errs, usageErrorf("--state needs --notify"))
	}
	if n.allClear {
		errs = append(errs, usageErrorf("--state and --notify-all-clear exclude each other: with --state, a resolved finding is itself the news"))
	}
	return errs
}

// send delivers rep on change with usage.Report.DeliverChange and the
// state in s.path, and says on e.stderr when nothing was sent and why. It
// returns one error per notifier that failed, and the state's error; a
// run that lost the race to another is no error.
func (s *stateFlags) send(ctx context.Context, e *env, cfg aws.Config, format string, rep usage.Report, n *notifyFlags) []error {
	m, err := n.multi(e, cfg, format == "table")
	if err != nil {
		return []error{err}
	}
	d, err := rep.DeliverChange(ctx, usage.NewFileState(s.path), m, func(o *usage.DeliverOptions) {
		o.Source, o.Change.RemindEvery = notifySource, s.remind
	})
	errs := deliveryErrors(d)
	switch {
	case errors.Is(err, usage.ErrStateConflict):
		fmt.Fprintf(e.stderr, "ipamctl usage: --state %q: another run saved first and alerted; nothing sent\n", s.path)
	case err != nil:
		errs = append(errs, fmt.Errorf("--state %q: %w", s.path, err))
	}
	if err == nil && !d.Due {
		fmt.Fprintf(e.stderr, "ipamctl usage: no change since the last run (--state %q): nothing sent\n", s.path)
	}
	return errs
}
