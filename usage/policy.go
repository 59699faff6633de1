package usage

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

// DefaultCritical is the critical threshold of the zero [Policy], in percent:
// the monitor sample's IpamUsageThreshold default.
const DefaultCritical = 80.0

// Tag keys that override the policy for one resource. Values are compared
// case-insensitively for TagIgnore and parsed as percentages (0 to 100, "85"
// or "85.5") for the thresholds. A malformed value is ignored and the policy
// applies, so a typo in a tag never silences an alert.
const (
	// TagIgnore set to "true" takes a resource out of evaluation: it is still
	// reported, never a finding.
	TagIgnore = "ipamkit:ignore"
	// TagWarning overrides the warning threshold of a resource.
	TagWarning = "ipamkit:warning"
	// TagCritical overrides the critical threshold of a resource.
	TagCritical = "ipamkit:critical"
)

// Thresholds are utilization percentages, from 0 to 100, at which a
// resource becomes a finding. A resource at or above Critical is critical,
// otherwise at or above Warning a warning. Zero disables a level.
type Thresholds struct {
	Warning  float64
	Critical float64
}

func (t Thresholds) validate() error {
	for _, v := range []struct {
		name string
		p    float64
	}{{"warning", t.Warning}, {"critical", t.Critical}} {
		if v.p < 0 || v.p > 100 || math.IsNaN(v.p) {
			return fmt.Errorf("%s threshold %v: want a percentage from 0 to 100", v.name, v.p)
		}
	}
	if t.Warning != 0 && t.Critical != 0 && t.Warning >= t.Critical {
		return fmt.Errorf("warning threshold %v is not below critical threshold %v", t.Warning, t.Critical)
	}
	return nil
}

// ErrBadPolicy is wrapped by the errors of [Policy.Validate].
var ErrBadPolicy = errors.New("invalid usage policy")

// Policy decides which resources are findings. The zero Policy is the
// monitor sample's: critical at 80%, no warning level, every resource
// considered.
type Policy struct {
	// Thresholds apply to every resource type without an entry in ByType.
	// A zero Critical means DefaultCritical.
	Thresholds
	// ByType overrides the thresholds per resource type, as a whole: an
	// entry's zero fields disable that level for the type.
	ByType map[ResourceType]Thresholds
	// MinTotal skips resources with fewer addresses: a /28 subnet at 90%
	// may matter less than a /16 pool at 70%. Zero considers all.
	MinTotal ipam.Count
	// IgnoreTags disables the per-resource tags TagIgnore, TagWarning and
	// TagCritical.
	IgnoreTags bool
	// Exhaustion makes a finding of a resource that its forecast says runs
	// out within so many days, beside the percentages; the zero value
	// raises none. It applies to every type, to resources with a
	// [Forecast] only (see [Report.WithForecasts]).
	Exhaustion ExhaustionDays
}

// ExhaustionDays are thresholds in days to exhaustion: a resource whose
// forecast runs out within Critical days is critical, otherwise within
// Warning days a warning. Zero disables a level.
type ExhaustionDays struct {
	Warning  int
	Critical int
}

func (d ExhaustionDays) validate() error {
	if d.Warning < 0 || d.Critical < 0 {
		return fmt.Errorf("exhaustion days %d (warning) and %d (critical): want 0 (off) or more", d.Warning, d.Critical)
	}
	if d.Warning != 0 && d.Critical != 0 && d.Warning <= d.Critical {
		return fmt.Errorf("exhaustion warning of %d days is not more than the critical %d days", d.Warning, d.Critical)
	}
	return nil
}

// reached returns the severity and the threshold in days that f reaches,
// or notify.Info.
func (d ExhaustionDays) reached(f *Forecast) (notify.Severity, int) {
	if f == nil {
		return notify.Info, 0
	}
	left, ok := f.DaysLeft()
	switch {
	case !ok:
	case d.Critical != 0 && left <= float64(d.Critical):
		return notify.Critical, d.Critical
	case d.Warning != 0 && left <= float64(d.Warning):
		return notify.Warning, d.Warning
	}
	return notify.Info, 0
}

// Validate reports every invalid threshold at once, wrapping ErrBadPolicy.
func (p Policy) Validate() error {
	var errs []error
	if err := p.Thresholds.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := p.Exhaustion.validate(); err != nil {
		errs = append(errs, err)
	}
	for _, typ := range slices.Sorted(maps.Keys(p.ByType)) {
		if err := p.ByType[typ].validate(); err != nil {
			errs = append(errs, fmt.Errorf("type %s: %w", typ, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPolicy, err)
	}
	return nil
}

// thresholdsFor returns the thresholds that apply to r, and false when r is
// not evaluated at all.
func (p Policy) thresholdsFor(r Resource) (Thresholds, bool) {
	if !r.Known || r.Total.Compare(p.MinTotal) < 0 || r.Total.IsZero() {
		return Thresholds{}, false
	}
	t, ok := p.ByType[r.Type]
	if !ok {
		t = p.Thresholds
		if t.Critical == 0 {
			t.Critical = DefaultCritical
		}
	}
	if p.IgnoreTags || len(r.Tags) == 0 {
		return t, true
	}
	if strings.EqualFold(r.Tags[TagIgnore], "true") {
		return Thresholds{}, false
	}
	override := t
	if v, ok := tagPercent(r.Tags, TagWarning); ok {
		override.Warning = v
	}
	if v, ok := tagPercent(r.Tags, TagCritical); ok {
		override.Critical = v
	}
	if override.validate() != nil {
		return t, true // a bad combination of tags: the policy applies
	}
	return override, true
}

func tagPercent(tags map[string]string, key string) (float64, bool) {
	s, ok := tags[key]
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 || v > 100 || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// Finding is a resource over a threshold.
type Finding struct {
	Resource
	// Severity is notify.Warning or notify.Critical: the level reached.
	Severity  notify.Severity
	Threshold float64 // the threshold reached, in percent; 0 when only ExhaustsWithin was
	// ExhaustsWithin is the threshold in days (Policy.Exhaustion) that the
	// resource's forecast reached; 0 when none was.
	ExhaustsWithin int
}

// MarshalJSON encodes the resource's fields (see [Resource.MarshalJSON],
// the forecast included) with severity, threshold and exhaustsWithin.
func (f Finding) MarshalJSON() ([]byte, error) {
	return json.Marshal(findingJSON{f.Resource.toJSON(), f.Severity, f.Threshold, f.ExhaustsWithin})
}

// UnmarshalJSON decodes what [Finding.MarshalJSON] writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var v findingJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Finding{Resource: v.resourceJSON.resource(), Severity: v.Severity, Threshold: v.Threshold, ExhaustsWithin: v.ExhaustsWithin}
	return nil
}

type findingJSON struct {
	resourceJSON
	Severity       notify.Severity `json:"severity"`
	Threshold      float64         `json:"threshold"`
	ExhaustsWithin int             `json:"exhaustsWithin,omitempty"`
}

// Evaluate returns the resources that reach a threshold of p, in percent
// or (for resources with a forecast) in days to exhaustion, worst first:
// by severity, then percentage, then account, region, type, ID and CIDR. A
// resource at exactly a threshold reaches it. Resources whose usage is not
// known, smaller than p.MinTotal, or tagged TagIgnore are never findings.
// An invalid policy gives an error wrapping [ErrBadPolicy] and no findings.
func Evaluate(resources []Resource, p Policy) ([]Finding, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out []Finding
	for _, r := range resources {
		t, ok := p.thresholdsFor(r)
		if !ok {
			continue
		}
		pct := r.Percent()
		f := Finding{Resource: r}
		switch {
		case t.Critical != 0 && pct >= t.Critical:
			f.Severity, f.Threshold = notify.Critical, t.Critical
		case t.Warning != 0 && pct >= t.Warning:
			f.Severity, f.Threshold = notify.Warning, t.Warning
		}
		if sev, days := p.Exhaustion.reached(r.Forecast); sev != notify.Info {
			f.Severity, f.ExhaustsWithin = max(f.Severity, sev), days
		}
		if f.Severity != notify.Info {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, compareFindings)
	return out, nil
}

func compareFindings(a, b Finding) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Percent(), a.Percent()); c != 0 {
		return c
	}
	return compareResources(a.Resource, b.Resource)
}

// compareResources orders resources by account, region, source, type, ID
// and CIDR.
func compareResources(a, b Resource) int {
	return cmp.Or(
		cmp.Compare(a.AccountID, b.AccountID),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(a.Source, b.Source),
		cmp.Compare(a.Type, b.Type),
		cmp.Compare(a.ID, b.ID),
		ipam.ComparePrefix(a.CIDR, b.CIDR),
	)
}
