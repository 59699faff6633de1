package notify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ipamkit/ipamkit/internal/jsonversion"
	"github.com/ipamkit/ipamkit/ipam"
)

// Severity says how urgent an [Alert] is. The zero value is [Info]. Severities
// are ordered: a greater value is more urgent. A Severity marshals as its
// lower-case name ("info", "warning", "critical").
type Severity uint8

// The severities, least urgent first.
const (
	// Info is a notice that needs no action, such as an all-clear.
	Info Severity = iota
	// Warning asks for attention soon: a resource is filling up.
	Warning
	// Critical asks for action now: a resource is (nearly) exhausted.
	Critical
)

var severityNames = [...]string{Info: "info", Warning: "warning", Critical: "critical"}

// String returns the lower-case name of s ("info", "warning", "critical"),
// or "severity(N)" for a value that is none of the constants.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler with the names of
// [Severity.String]. It fails for a value that is none of the constants.
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("marshal severity: unknown value %d", uint8(s))
	}
	return []byte(severityNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the names
// of [Severity.String].
func (s *Severity) UnmarshalText(text []byte) error {
	for i, name := range severityNames {
		if string(text) == name {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q (want info, warning or critical)", text)
}

// Alert is something that happened to IP address space and that people or
// programs should hear about. It is a plain value: safe to copy, and safe for
// concurrent use as long as nobody modifies it.
//
// An Alert marshals to JSON with lower-case keys; address counts are decimal
// strings (see [ipam.Count.MarshalText]) and empty fields are left out. That
// JSON is what [Webhook], [EventBridge], [Lambda] and [Writer] in JSON form
// send, and it only ever gains fields.
type Alert struct {
	// Kind says what happened, as a short machine-readable word such as
	// "utilization" or "all-clear". Receivers may route on it.
	Kind string `json:"kind,omitempty"`
	// Severity says how urgent the alert is.
	Severity Severity `json:"severity"`
	// Title is a one-line headline, such as "2 resources above 80% utilization".
	Title string `json:"title"`
	// Summary is a few sentences of plain text that explain the alert.
	Summary string `json:"summary,omitempty"`
	// Resources are the resources the alert is about, in any order;
	// renderers show the fullest first (see [Alert.Worst]).
	Resources []Resource `json:"resources,omitempty"`
	// Source names what raised the alert, such as "ipamkit/usage" or an
	// account and region.
	Source string `json:"source,omitempty"`
	// Time is when the alert was raised. The zero time is left out.
	Time time.Time `json:"time,omitzero"`
	// Unchanged are the resources of an alert on change (see
	// [Resource.Change]) that did not change since the previous run: the
	// rest of the full picture for programs. Renderers show only their
	// count, which the summary states; [FilterChanges] drops them.
	Unchanged []Resource `json:"unchanged,omitempty"`
}

// FormatVersion is the version of the JSON form of an [Alert], written as
// its "formatVersion" member. It changes only when a member is removed or
// changes meaning; new members do not change it, so a consumer that checks
// the version can rely on every member it knows.
const FormatVersion = 1

// MarshalJSON encodes a with its struct tags, after a "formatVersion"
// member holding [FormatVersion].
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert // the struct tags, without these methods
	return jsonversion.Marshal(FormatVersion, plain(a))
}

// UnmarshalJSON decodes what [Alert.MarshalJSON] writes. It refuses a
// formatVersion newer than [FormatVersion], whose members may mean
// something else; a missing one is read as the current version.
func (a *Alert) UnmarshalJSON(b []byte) error {
	if err := jsonversion.Check("alert", b, FormatVersion); err != nil {
		return err
	}
	type plain Alert
	return json.Unmarshal(b, (*plain)(a))
}

// Resource is one resource concerned by an [Alert], with its figures. Only
// ID is required; every other field may be left at its zero value, which
// means unknown.
type Resource struct {
	// ID identifies the resource, such as "vpc-0abc" or "ipam-pool-0def".
	ID string `json:"resourceId"`
	// Name is a human name, such as the Name tag.
	Name string `json:"name,omitempty"`
	// Type is the kind of resource, such as "vpc", "subnet" or "ipam-pool".
	Type string `json:"resourceType,omitempty"`
	// CIDR is the address block the figures are about.
	CIDR netip.Prefix `json:"cidr,omitzero"`
	// AccountID is the 12-digit AWS account ID that owns the resource.
	AccountID string `json:"accountId,omitempty"`
	// Region is the AWS Region of the resource.
	Region string `json:"region,omitempty"`
	// Total is the number of addresses in the resource.
	Total ipam.Count `json:"total,omitzero"`
	// Used is the number of addresses in use.
	Used ipam.Count `json:"used,omitzero"`
	// Available is the number of addresses still available: Total minus
	// Used.
	Available ipam.Count `json:"available,omitzero"`
	// Percent is the utilization in percent, from 0 to 100.
	Percent float64 `json:"percent"`
	// Note is a short remark, such as "largest free block /24".
	Note string `json:"note,omitempty"`
	// Severity is the level the resource reached; Info (left out) when
	// not stated.
	Severity Severity `json:"severity,omitempty"`
	// Change says how the resource changed since the previous run, in an
	// alert on change: one of the Change constants ("new", "escalated",
	// …); empty in other alerts.
	Change string `json:"change,omitempty"`
}

// The values of [Resource.Change].
const (
	ChangeNew        = "new"        // a finding that was none before
	ChangeEscalated  = "escalated"  // worse than before: warning to critical
	ChangeImproved   = "improved"   // better than before: critical to warning
	ChangeResolved   = "resolved"   // no longer a finding
	ChangeUnverified = "unverified" // not seen: its target failed
	ChangeUnchanged  = "unchanged"  // as before
)

// Label returns the resource's ID followed by its name in parentheses when
// it has one: "vpc-0abc (prod)".
func (r Resource) Label() string {
	if r.Name == "" || r.Name == r.ID {
		return r.ID
	}
	return r.ID + " (" + r.Name + ")"
}

// Worst returns a copy of a.Resources sorted fullest first: by Percent
// descending, then by ID, so the order is stable.
func (a Alert) Worst() []Resource {
	rs := slices.Clone(a.Resources)
	slices.SortStableFunc(rs, func(x, y Resource) int {
		if c := cmp.Compare(y.Percent, x.Percent); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return rs
}
