package share

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ipamkit/ipamkit/internal/account"
)

// DefaultTagKey is the allocation-tag key a [Rule] reads when its TagKey is
// empty: Env, as the Control Tower sample hard-codes it.
const DefaultTagKey = "Env"

// Account is an account of the organization with its place in the OU tree:
// ParentID and ParentName are its OU (or the root), Path the names from the
// root down to that parent ("Root/Workloads/Prod OU").
type Account = account.Account

// Pool is an IPAM pool that may be shared, as [Match] needs it.
type Pool struct {
	ID     string `json:"id"`               // ipam-pool-…
	ARN    string `json:"arn"`              // arn:aws:ec2::<owner>:ipam-pool/ipam-pool-…
	Locale string `json:"locale,omitempty"` // the pool's region; "" for none
	// AllocationTags are the pool's allocation resource tags (the tags a
	// VPC must carry to allocate from it), such as Env=Prod OU.
	AllocationTags map[string]string `json:"allocationTags,omitempty"`
}

// label is "ipam-pool-0a1 (us-east-1, Env=Prod OU)" for key Env.
func (p Pool) label(key string) string {
	loc := p.Locale
	if loc == "" {
		loc = "no locale"
	}
	if v, ok := p.AllocationTags[key]; ok {
		return fmt.Sprintf("pool %s (%s, %s=%s)", p.ID, loc, key, v)
	}
	return fmt.Sprintf("pool %s (%s)", p.ID, loc)
}

// By says what a [Rule] compares a pool's tag value with.
type By string

// The comparisons. The zero By is ByOUName.
const (
	// ByOUName: the value equals the name of the account's own OU (its
	// direct parent), as the Control Tower sample does.
	ByOUName By = "ou-name"
	// ByOUID: the value equals the ID of the account's own OU
	// ("ou-ab12-cdef3456"), which a rename does not change.
	ByOUID By = "ou-id"
	// ByOUPath: the value is a path pattern ([MatchPath]) that the
	// account's OU path must match, so that an account in a nested OU can
	// match a pool tagged with an ancestor.
	ByOUPath By = "ou-path"
)

// Rule matches pools with accounts: a pool matches an account when its
// allocation tag TagKey has a value that, compared as By says, fits the
// account's OU, and its locale is one of Locales. The zero Rule is the
// Control Tower sample's: Env equal to the account's OU name, any locale.
type Rule struct {
	TagKey string `json:"tagKey,omitempty"` // "" means DefaultTagKey
	By     By     `json:"by,omitempty"`     // "" means ByOUName
	// Locales, when not empty, are the only pool locales (regions) the
	// rule shares; a pool without a locale then never matches.
	Locales []string `json:"locales,omitempty"`
}

func (r Rule) key() string { return cmp.Or(r.TagKey, DefaultTagKey) }
func (r Rule) by() By      { return cmp.Or(r.By, ByOUName) }

// Validate reports a rule whose By is unknown.
func (r Rule) Validate() error {
	switch r.by() {
	case ByOUName, ByOUID, ByOUPath:
		return nil
	}
	return fmt.Errorf("rule on tag %q: unknown comparison %q: use %q, %q or %q", r.key(), r.By, ByOUName, ByOUID, ByOUPath)
}

// match reports whether the rule matches p for a, and why.
func (r Rule) match(p Pool, a Account) (bool, string) {
	key := r.key()
	v, ok := p.AllocationTags[key]
	if !ok {
		return false, fmt.Sprintf("no allocation tag %s", key)
	}
	if len(r.Locales) > 0 && !slices.Contains(r.Locales, p.Locale) {
		loc := p.Locale
		if loc == "" {
			loc = "no locale"
		}
		return false, fmt.Sprintf("locale %s is not one of %s", loc, strings.Join(r.Locales, ", "))
	}
	switch r.by() {
	case ByOUID:
		if v == a.ParentID {
			return true, fmt.Sprintf("OU id %s", a.ParentID)
		}
		return false, fmt.Sprintf("%s=%s is not the OU id %s", key, v, a.ParentID)
	case ByOUPath:
		if MatchPath(v, a.Path) {
			return true, fmt.Sprintf("OU path '%s' matches '%s'", a.Path, v)
		}
		return false, fmt.Sprintf("OU path '%s' does not match '%s'", a.Path, v)
	}
	if v == a.ParentName {
		return true, fmt.Sprintf("OU name '%s'", a.ParentName)
	}
	return false, fmt.Sprintf("%s=%s is not the OU name '%s'", key, v, a.ParentName)
}

// Decision is whether one pool is shared with one account, and why.
type Decision struct {
	PoolID    string `json:"poolId"`
	PoolARN   string `json:"poolArn"`
	AccountID string `json:"accountId"`
	Matched   bool   `json:"matched"`
	// Reason says why, for people: "pool ipam-pool-0a1 (us-east-1,
	// Env=Prod OU) matches: OU name 'Prod OU'".
	Reason string `json:"reason"`
}

// String returns d.Reason.
func (d Decision) String() string { return d.Reason }

// Match decides, for each pool, whether it is shared with a: it is when any
// rule matches (no rules means the zero [Rule]). The decisions come in the
// order of pools, each explained by the first rule that matches or, when
// none does, by every rule's reason. Match is pure: it does no I/O.
func Match(rules []Rule, pools []Pool, a Account) []Decision {
	if len(rules) == 0 {
		rules = []Rule{{}}
	}
	out := make([]Decision, len(pools))
	for i, p := range pools {
		d := Decision{PoolID: p.ID, PoolARN: p.ARN, AccountID: a.ID}
		var why []string
		for _, r := range rules {
			ok, reason := r.match(p, a)
			if ok {
				d.Matched, d.Reason = true, p.label(r.key())+" matches: "+reason
				break
			}
			why = append(why, reason)
		}
		if !d.Matched {
			d.Reason = p.label(rules[0].key()) + " does not match: " + strings.Join(slices.Compact(why), "; ")
		}
		out[i] = d
	}
	return out
}

// Matched returns the decisions that matched.
func Matched(ds []Decision) []Decision {
	return slices.DeleteFunc(slices.Clone(ds), func(d Decision) bool { return !d.Matched })
}

// MatchPath reports whether an OU path ("Root/Workloads/Prod/Payments") is
// matched by pattern: an OU or any of its descendants is matched when the
// pattern matches the path down to that OU. The pattern's segments are
// separated by "/" and each is a [path.Match] pattern of one name ("*",
// "Prod*", "[PS]*"), or "**" for any number of names. A pattern that starts
// with "/" is anchored at the root ("/Root/Workloads/*"); any other may
// start at any level, so "Prod" matches Root/Workloads/Prod and everything
// under it. An empty pattern, or a malformed one, matches nothing.
// MatchPath is O(segments of pattern × segments of path).
func MatchPath(pattern, ouPath string) bool {
	anchored := strings.HasPrefix(pattern, "/")
	pattern = strings.TrimPrefix(pattern, "/")
	pattern = strings.TrimSuffix(pattern, "/")
	if pattern == "" || ouPath == "" {
		return false
	}
	pat := strings.Split(pattern, "/")
	segs := strings.Split(ouPath, "/")
	for _, p := range pat {
		if p == "" {
			return false
		}
		if _, err := path.Match(p, ""); err != nil {
			return false
		}
	}
	// reach[j]: the pattern so far can end having consumed segs[:j].
	reach := make([]bool, len(segs)+1)
	if anchored {
		reach[0] = true
	} else {
		for j := range len(segs) { // start before any segment but the last+1
			reach[j] = true
		}
	}
	next := make([]bool, len(segs)+1)
	for _, p := range pat {
		clear(next)
		for j, ok := range reach {
			if !ok {
				continue
			}
			if p == "**" {
				for k := j; k <= len(segs); k++ {
					next[k] = true
				}
				continue
			}
			if j < len(segs) {
				if m, _ := path.Match(p, segs[j]); m {
					next[j+1] = true
				}
			}
		}
		reach, next = next, reach
	}
	// The pattern must have consumed at least one segment: a prefix ending
	// at the OU or an ancestor of it.
	return slices.Contains(reach[1:], true)
}
