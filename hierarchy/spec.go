package hierarchy

import (
	"net/netip"
	"slices"
)

// Scope is the type of IPAM scope a spec's tree lives in.
type Scope string

// The two scope types. The zero Scope means [Private].
const (
	Private Scope = "private"
	Public  Scope = "public"
)

// Family is a pool's address family. The zero Family means [IPv4] on a top
// pool; a child pool always has its parent's family.
type Family string

// The two address families, spelled as IPAM spells them.
const (
	IPv4 Family = "ipv4"
	IPv6 Family = "ipv6"
)

// Bits returns 32 for IPv4 and the zero Family, 128 for IPv6.
func (f Family) Bits() int {
	if f == IPv6 {
		return 128
	}
	return 32
}

// Public IP sources of a public-scope top pool, as IPAM spells them.
const (
	// SourceAmazon is Amazon-provided space: the pool gets a netmask length
	// and AWS chooses the CIDR, so it is known only after apply.
	SourceAmazon = "amazon"
	// SourceBYOIP is your own space: the pool lists its CIDRs.
	SourceBYOIP = "byoip"
)

// Carving strategies a pool may ask for its children.
const (
	// CarveLowest places each child at the lowest free address, in spec
	// order. It is the default.
	CarveLowest = "lowest"
	// CarveBestFit places each child in the smallest free block that holds
	// it, keeping large blocks whole for large children.
	CarveBestFit = "best-fit"
)

// DefaultMaxPools is IPAM's default quota of pools per scope.
const DefaultMaxPools = 50

// MaxDepth is IPAM's limit on pool depth: a top pool is at depth 1.
const MaxDepth = 10

// Spec is the desired tree of IPAM pools under one scope. It is plain data,
// written in Go or read from YAML by [ParseSpec]; [Spec.Validate] checks it
// and [Plan] compares it with the live tree.
//
// The zero Spec is a valid, empty private-scope tree. A Spec is not modified
// by any function of this package and is safe to share between goroutines
// that only read it. A Spec from [ParseSpec] also remembers the line of
// each pool, so that the problems [Spec.Validate] and [Plan] report carry
// it; it therefore differs from an equal Spec built in Go under
// reflect.DeepEqual, though not in any field.
type Spec struct {
	// Scope is the type of the IPAM scope; "" means private.
	Scope Scope `yaml:"scope,omitempty" json:"scope,omitempty"`
	// Regions lists the IPAM's operating regions. When it is not empty,
	// every locale must be one of them; when empty, locales are not checked.
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	// MaxPools is the account's quota of pools per scope; 0 means
	// [DefaultMaxPools]. Raise it when Service Quotas has.
	MaxPools int `yaml:"maxPools,omitempty" json:"maxPools,omitempty"`
	// Carve is the default strategy for placing children: [CarveLowest]
	// ("" means lowest) or [CarveBestFit]. A pool's own Carve overrides it
	// for that pool's children and their descendants.
	Carve string `yaml:"carve,omitempty" json:"carve,omitempty"`
	// Disallowed is space no carved pool may take, anywhere in the tree.
	// An explicit CIDR below a top pool may not overlap it either, unless
	// it contains it whole (its children then carve around it).
	Disallowed []netip.Prefix `yaml:"disallowed,omitempty" json:"disallowed,omitempty"`
	// Pools are the top pools, each the root of a tree.
	Pools []Pool `yaml:"pools,omitempty" json:"pools,omitempty"`

	// lines are the YAML lines of the pools of a spec from ParseSpec, by
	// their place in the tree ("/0/1": the second child of the first top
	// pool), for the problems of Validate and Plan. Shared by copies, never
	// written after ParseSpec. A line is used only while the pool at that
	// place has the name it had there.
	lines map[string]poolLine
}

// poolLine is where a pool was written.
type poolLine struct {
	line int
	name string
}

// Pool is one node of a [Spec]: a pool, its rules and its children. Its path
// is its ancestors' names and its own, each after a slash
// ("/top/us-east-1/Prod OU"); the name must be unique among its siblings.
//
// A pool gets its space either from CIDRs (several allowed, and required on
// a top pool unless it is Amazon-provided) or from Netmask, a length that
// [Plan] carves from the parent's space (see the package documentation for
// the rule). The zero Pool is invalid: it has no name.
type Pool struct {
	// Name identifies the pool among its siblings. It must not contain "/".
	Name string `yaml:"name" json:"name"`
	// Family is "ipv4" or "ipv6" on a top pool ("" means ipv4); children
	// inherit it and may repeat it.
	Family Family `yaml:"family,omitempty" json:"family,omitempty"`
	// CIDRs are the pool's explicit CIDRs, in canonical form.
	CIDRs []netip.Prefix `yaml:"cidrs,omitempty" json:"cidrs,omitempty"`
	// Netmask is the prefix length to carve from the parent when CIDRs is
	// empty: 21 means a /21. On an Amazon-provided top pool it is the size
	// of the block to ask AWS for.
	Netmask int `yaml:"netmask,omitempty" json:"netmask,omitempty"`
	// Locale is the AWS Region where the pool's space may be allocated, or
	// "" for none. A child with no locale inherits its parent's, as IPAM
	// does; a child of a pool with a locale may not name another one.
	Locale string `yaml:"locale,omitempty" json:"locale,omitempty"`
	// Description is the pool's IPAM description. Left empty, it is not
	// stated: an existing pool keeps its own (see Clear).
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Tags are the pool's own resource tags. The path tag is added by the
	// plan and may not be set here.
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Allocation holds the pool's allocation rules. A netmask rule left at
	// 0 is not stated: an existing pool keeps its own (see Clear). The
	// allocation tags are always stated: none means none.
	Allocation Allocation `yaml:"allocation,omitempty" json:"allocation,omitzero"`
	// AutoImport lets IPAM import discovered resources' CIDRs into the
	// pool. It needs a locale. Left false, it is not stated: an existing
	// pool keeps its own (see Clear).
	AutoImport bool `yaml:"autoImport,omitempty" json:"autoImport,omitempty"`
	// Clear lists the fields this pool states as empty although their
	// value is the zero one: no description, no minimum, maximum or default
	// netmask, auto-import off. Plan makes an existing pool match; a field
	// neither set nor listed here is left as the pool has it. In YAML,
	// writing the key with its zero value (description: "", minNetmask: 0,
	// autoImport: false) says the same and fills Clear.
	Clear []Field `yaml:"clear,omitempty" json:"clear,omitempty"`
	// PublicIPSource is [SourceAmazon] or [SourceBYOIP] on a public-scope
	// top pool, and empty everywhere else.
	PublicIPSource string `yaml:"publicIpSource,omitempty" json:"publicIpSource,omitempty"`
	// PubliclyAdvertisable marks a public-scope IPv6 pool's space as
	// advertisable to the internet. It is not available for IPv4.
	PubliclyAdvertisable bool `yaml:"publiclyAdvertisable,omitempty" json:"publiclyAdvertisable,omitempty"`
	// Carve is how this pool places its children: [CarveLowest],
	// [CarveBestFit], or "" to inherit.
	Carve string `yaml:"carve,omitempty" json:"carve,omitempty"`
	// Pools are the pool's children.
	Pools []Pool `yaml:"pools,omitempty" json:"pools,omitempty"`
}

// Field names a setting of a [Pool] that a spec may leave out, as
// [Pool.Clear] lists it and as a plan's [Change] names it.
type Field string

// The fields a spec may leave out. Left out (zero and not in Clear), an
// existing pool keeps its own value; stated, it is enforced.
const (
	FieldDescription    Field = "description"
	FieldAutoImport     Field = "autoImport"
	FieldMinNetmask     Field = "allocation.minNetmask"
	FieldMaxNetmask     Field = "allocation.maxNetmask"
	FieldDefaultNetmask Field = "allocation.defaultNetmask"
)

// fields are the Fields, in the order messages list them.
var fields = []Field{FieldDescription, FieldAutoImport, FieldMinNetmask, FieldMaxNetmask, FieldDefaultNetmask}

// Stated reports whether the pool states field f: its value is not the
// zero one, or [Pool.Clear] lists it. [Plan] enforces the fields a pool
// states and leaves the others as the live pool has them.
func (p Pool) Stated(f Field) bool {
	if slices.Contains(p.Clear, f) {
		return true
	}
	switch f {
	case FieldDescription:
		return p.Description != ""
	case FieldAutoImport:
		return p.AutoImport
	case FieldMinNetmask:
		return p.Allocation.MinNetmask != 0
	case FieldMaxNetmask:
		return p.Allocation.MaxNetmask != 0
	case FieldDefaultNetmask:
		return p.Allocation.DefaultNetmask != 0
	}
	return false
}

// Allocation is a pool's allocation rules, as IPAM enforces them on
// resources (VPCs) and child pools that take space from it. Zero lengths
// mean no rule; the zero Allocation has no rules.
type Allocation struct {
	// MinNetmask is the shortest prefix length an allocation may have.
	MinNetmask int `yaml:"minNetmask,omitempty" json:"minNetmask,omitempty"`
	// MaxNetmask is the longest prefix length an allocation may have. The
	// family's own length (32 for IPv4, 128 for IPv6) allows every
	// allocation, so it means no rule, as 0 does: IPAM cannot remove a
	// maximum, and Apply clears one by setting it to that length.
	MaxNetmask int `yaml:"maxNetmask,omitempty" json:"maxNetmask,omitempty"`
	// DefaultNetmask is the prefix length of an allocation that names none.
	DefaultNetmask int `yaml:"defaultNetmask,omitempty" json:"defaultNetmask,omitempty"`
	// Tags are the tags a resource must carry to get space, such as
	// Env=Prod OU in the Control Tower sample.
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
}

// IsZero reports whether a has no rules.
func (a Allocation) IsZero() bool {
	return a.MinNetmask == 0 && a.MaxNetmask == 0 && a.DefaultNetmask == 0 && len(a.Tags) == 0
}

// Validate reports every problem of the spec at once, as a
// [*ValidationError], or nil; for a spec from [ParseSpec], each problem of
// a pool carries the pool's line. It carves the tree as [Plan] would against an
// empty IPAM, so children that do not fit are reported with the space they
// miss. Problems wrap [ErrInvalid], [ErrDuplicateName], [ErrTooDeep],
// [ErrNoFit], [ErrOverlap], [ErrOutsideParent], [ErrNetmask], [ErrLocale],
// [ErrPublicScope] or [ErrQuota].
func (s Spec) Validate() error {
	_, ps, _ := build(s, nil, Options{})
	return ps.err()
}

// Count returns the number of pools in the spec.
func (s Spec) Count() int {
	n := 0
	var walk func([]Pool)
	walk = func(ps []Pool) {
		for _, p := range ps {
			n++
			walk(p.Pools)
		}
	}
	walk(s.Pools)
	return n
}
