package usage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ScanItem is one unit of the work of an organization scan: an account and
// region, and the sources measured there. [OrganizationScanner.Items] lists
// them and [OrganizationScanner.ScanItems] scans any subset, so that a
// scan too large for one process can be split into batches (a Step
// Functions distributed map, one child per batch) and the batches' reports
// merged with [Merge]. An item names no role and no external ID: the
// scanner that scans it supplies them from its own options, so that the
// items can travel through a workflow's state, which is logged, and no
// item can make a scanner assume a role it was not configured with.
//
// Its JSON form is {"accountId", "region", "sources"}.
type ScanItem struct {
	AccountID string   `json:"accountId"` // 12 digits, leading zeros kept
	Region    string   `json:"region"`
	Sources   []Source `json:"sources"` // SourceIPAM and SourcePools, or SourceEC2
}

// String returns "account/region (sources)", for messages.
func (it ScanItem) String() string {
	src := make([]string, len(it.Sources))
	for i, s := range it.Sources {
		src[i] = string(s)
	}
	return fmt.Sprintf("%s/%s (%s)", it.AccountID, it.Region, strings.Join(src, ","))
}

// ErrBadItem is wrapped by the error of [OrganizationScanner.ScanItems]
// for an item that names no valid account, region or source.
var ErrBadItem = errors.New("bad scan item")

// Items returns the work of [OrganizationScanner.Scan], one item per
// target, in the order Scan would scan them: the IPAM's account and region
// with SourceIPAM and SourcePools (those asked for), then every target of
// SourceEC2 in account then region order. Scanning every item with
// [OrganizationScanner.ScanItems], in one call or in batches of any size
// whose reports are merged with [Merge], gives the resources, findings and
// failed targets of one Scan.
//
// Its errors are those of [OrganizationScanner.Targets]: the caller or the
// organization's accounts could not be read, or there is no account to
// scan.
func (s *OrganizationScanner) Items(ctx context.Context) ([]ScanItem, error) {
	caller, err := s.Caller(ctx)
	if err != nil {
		return nil, err
	}
	var items []ScanItem
	if len(s.ipam) > 0 {
		items = append(items, ScanItem{AccountID: s.ipamAccount(caller), Region: s.opts.IPAMRegion, Sources: slices.Clone(s.ipam)})
	}
	if s.ec2 {
		targets, err := s.Targets(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			items = append(items, ScanItem{AccountID: t.AccountID, Region: t.Region, Sources: []Source{SourceEC2}})
		}
	}
	return items, nil
}

// ipamAccount returns the account that holds the IPAM.
func (s *OrganizationScanner) ipamAccount(caller Caller) string {
	if s.opts.IPAMAccount != "" {
		return s.opts.IPAMAccount
	}
	return caller.AccountID
}

// itemAccount and itemRegion are as loose as AWS's own rules.
var (
	itemAccount = regexp.MustCompile(`^[0-9]{12}$`)
	itemRegion  = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
)

// ScanItems scans exactly items, as [OrganizationScanner.Scan] scans its
// targets: the caller's own account with the caller's credentials, every
// other account through the role of the options (RoleName, ExternalID),
// the items of the same sources together with at most Concurrency at
// once. A target that fails is a [TargetError] in the report, never an
// aborted scan. No items give an empty report.
//
// The error is non-nil when nothing was scanned: the caller could not be
// found (a [*ScanError]), or an item is not valid — every bad item is
// named, in one error wrapping [ErrBadItem].
func (s *OrganizationScanner) ScanItems(ctx context.Context, items []ScanItem) (Report, error) {
	var bad []error
	for i, it := range items {
		if !itemAccount.MatchString(it.AccountID) || !itemRegion.MatchString(it.Region) || len(it.Sources) == 0 {
			bad = append(bad, fmt.Errorf("item %d %q: want a 12-digit account ID, a region such as us-east-1 and at least one source: %w", i, it, ErrBadItem))
			continue
		}
		for _, src := range it.Sources {
			if !slices.Contains([]Source{SourceIPAM, SourcePools, SourceEC2}, src) {
				bad = append(bad, fmt.Errorf("item %d %q: unknown source %q (want ec2, ipam or pools): %w", i, it, src, ErrBadItem))
			}
		}
	}
	if len(bad) > 0 {
		return Report{}, errors.Join(bad...)
	}
	if len(items) == 0 {
		return Merge(), nil
	}
	caller, err := s.Caller(ctx)
	if err != nil {
		return Report{}, err
	}
	// Group the items by their sources, in the order first seen.
	type group struct {
		sources []Source
		targets []Target
	}
	var groups []*group
	for _, it := range items {
		i := slices.IndexFunc(groups, func(g *group) bool { return slices.Equal(g.sources, it.Sources) })
		if i < 0 {
			groups = append(groups, &group{sources: it.Sources})
			i = len(groups) - 1
		}
		t := AccountTargets(caller.ARN, []string{it.AccountID}, []string{it.Region}, s.opts.RoleName, s.opts.ExternalID)
		groups[i].targets = append(groups[i].targets, WithoutRoleFor(t, caller.AccountID)...)
	}
	reports := make([]Report, 0, len(groups))
	for _, g := range groups {
		rep, err := s.scanner(g.sources).Scan(ctx, g.targets)
		if err != nil {
			return Report{}, err
		}
		reports = append(reports, rep)
	}
	return Merge(reports...), nil
}

// FailedReport returns the report of items that were not scanned because
// of err, such as a batch whose Lambda invocation failed: one
// [TargetError] wrapping err for each item, in the report's order, and
// every item counted in ScanInfo.Targets. Merged with the reports of the
// batches that succeeded, it keeps every target of the scan in the merged
// report — a failed batch is a list of failed targets, never a silent gap.
func FailedReport(items []ScanItem, err error) Report {
	r := Report{Scan: ScanInfo{Targets: len(items)}}
	for _, it := range items {
		r.Errors = append(r.Errors, &TargetError{Target: Target{AccountID: it.AccountID, Region: it.Region}, Err: err})
	}
	r.sort()
	return r
}
