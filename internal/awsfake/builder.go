package awsfake

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// World is a validated description of an organization and its resources,
// made by a [Builder]. Each server loaded with it starts from the same state,
// with the same resource IDs; a World may be shared by many servers and is
// safe for concurrent use.
type World struct {
	mgmt  string
	steps []func(*state) error
}

// load builds a fresh state from the world.
func (w *World) load() (*state, error) {
	st := newState(w.mgmt)
	for i, step := range w.steps {
		if err := step(st); err != nil {
			return nil, fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	return st, nil
}

// Builder assembles a [World] in code. Each method applies one change at once
// and returns the new resource's ID, so later calls can refer to it. IDs are
// deterministic: the same calls give the same IDs. A method whose input is bad
// records the error and returns ""; [Builder.Build] reports every recorded
// error. The zero Builder is not usable; call [NewBuilder]. A Builder is not
// safe for concurrent use.
type Builder struct {
	st    *state
	world World
	errs  []error
}

// NewBuilder returns a builder of an organization whose management account
// is managementAccountID (12 digits), placed in the root with the name
// "management". [DefaultAccessKeyID] acts as its administrator.
func NewBuilder(managementAccountID string) *Builder {
	b := &Builder{world: World{mgmt: managementAccountID}}
	b.st = newState(managementAccountID)
	b.apply(fmt.Sprintf("management account %q", managementAccountID), func(st *state) error {
		if err := st.addAccount(st.rootID, managementAccountID, "management", "management@example.com"); err != nil {
			return err
		}
		st.addUserKey(DefaultAccessKeyID, managementAccountID, "admin")
		return nil
	})
	return b
}

// apply runs step on the builder's state and records it for replay; a
// failing step is recorded as an error instead.
func (b *Builder) apply(what string, step func(*state) error) bool {
	if err := step(b.st); err != nil {
		b.errs = append(b.errs, fmt.Errorf("%s: %w", what, err))
		return false
	}
	b.world.steps = append(b.world.steps, step)
	return true
}

// applyID is apply for a step that creates a resource: the step reports the
// new ID, which must be the same on every replay.
func (b *Builder) applyID(what string, step func(*state) (string, error)) string {
	var id string
	ok := b.apply(what, func(st *state) error {
		got, err := step(st)
		if err != nil {
			return err
		}
		if st != b.st && got != id {
			return fmt.Errorf("replay gave ID %q, want %q", got, id)
		}
		id = got
		return nil
	})
	if !ok {
		return ""
	}
	return id
}

// Build returns the world, or every error recorded by the builder's methods,
// joined.
func (b *Builder) Build() (*World, error) {
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	w := &World{mgmt: b.world.mgmt, steps: slices.Clone(b.world.steps)}
	return w, nil
}

// Root returns the ID of the organization's root ("r-…").
func (b *Builder) Root() string { return b.st.rootID }

// OrganizationID returns the organization's ID ("o-…").
func (b *Builder) OrganizationID() string { return b.st.orgID }

// OU adds an organizational unit named name under parentID (the root or an
// OU) and returns its ID ("ou-…").
func (b *Builder) OU(parentID, name string) string {
	return b.applyID(fmt.Sprintf("OU %q", name), func(st *state) (string, error) {
		return st.addOU(parentID, name)
	})
}

// Account adds a member account under parentID (the root or an OU), in state
// ACTIVE, with AWS's default OrganizationAccountAccessRole, which the
// management account may assume. It returns id.
func (b *Builder) Account(parentID, id, name, email string) string {
	return b.applyID(fmt.Sprintf("account %q", id), func(st *state) (string, error) {
		if err := st.addAccount(parentID, id, name, email); err != nil {
			return "", err
		}
		if _, err := st.addRole(id, "OrganizationAccountAccessRole", "", []string{st.mgmt}); err != nil {
			return "", err
		}
		return id, nil
	})
}

// DiscoveryFailure makes IPAM fail to discover an account's resources in a
// region, as GetIpamDiscoveredAccounts reports it: code is
// assume-role-failure, throttling-failure or unauthorized-failure.
func (b *Builder) DiscoveryFailure(accountID, region, code, message string) {
	b.apply(fmt.Sprintf("discovery failure of %q in %q", accountID, region), func(st *state) error {
		if st.accounts[accountID] == nil {
			return fmt.Errorf("no account %q", accountID)
		}
		switch code {
		case "assume-role-failure", "throttling-failure", "unauthorized-failure":
		default:
			return fmt.Errorf("unknown discovery failure code %q (want assume-role-failure, throttling-failure or unauthorized-failure)", code)
		}
		st.discovery[[2]string{accountID, region}] = discoveryFailure{code: code, message: message}
		return nil
	})
}

// AccountState sets an account's state: ACTIVE, SUSPENDED, PENDING_CLOSURE,
// CLOSED or PENDING_ACTIVATION.
func (b *Builder) AccountState(accountID, accountState string) {
	b.apply(fmt.Sprintf("account %q state", accountID), func(st *state) error {
		a := st.accounts[accountID]
		if a == nil {
			return fmt.Errorf("no account %q", accountID)
		}
		switch accountState {
		case "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED", "PENDING_ACTIVATION":
		default:
			return fmt.Errorf("unknown account state %q", accountState)
		}
		a.state = accountState
		return nil
	})
}

// DelegatedAdministrator lets accountID read the organization, as an
// Organizations delegated administrator may.
func (b *Builder) DelegatedAdministrator(accountID string) {
	b.apply(fmt.Sprintf("delegated administrator %q", accountID), func(st *state) error {
		if st.accounts[accountID] == nil {
			return fmt.Errorf("no account %q", accountID)
		}
		st.delegated[accountID] = true
		return nil
	})
}

// AccessKey adds a long-term access key that acts as the IAM user userName
// in accountID.
func (b *Builder) AccessKey(accessKeyID, accountID, userName string) {
	b.apply(fmt.Sprintf("access key %q", accessKeyID), func(st *state) error {
		if st.accounts[accountID] == nil {
			return fmt.Errorf("no account %q", accountID)
		}
		if accessKeyID == "" || st.keys[accessKeyID] != nil {
			return fmt.Errorf("access key %q is empty or already used", accessKeyID)
		}
		st.addUserKey(accessKeyID, accountID, userName)
		return nil
	})
}

// Role adds an IAM role to accountID that the trusted accounts may assume;
// a non-empty externalID must then be given to AssumeRole. It returns the
// role's ARN.
func (b *Builder) Role(accountID, name, externalID string, trustedAccounts ...string) string {
	return b.applyID(fmt.Sprintf("role %q in %q", name, accountID), func(st *state) (string, error) {
		return st.addRole(accountID, name, externalID, trustedAccounts)
	})
}

// VPC adds an available VPC to accountID in region with the given CIDR blocks,
// IPv4 or IPv6; the first IPv4 block is the primary one, and there must be
// one. It returns the VPC's ID.
func (b *Builder) VPC(accountID, region string, cidrs ...string) string {
	return b.applyID(fmt.Sprintf("VPC %v in %s/%s", cidrs, accountID, region), func(st *state) (string, error) {
		return st.addVPC(accountID, region, cidrs)
	})
}

// Subnet adds an available subnet with one CIDR (IPv4, or IPv6 for an
// IPv6-only subnet) to a VPC. used is the number of IPv4 addresses in use
// besides the five AWS reserves; the available-address count follows from
// it. It returns the subnet's ID.
func (b *Builder) Subnet(vpcID, cidr string, used int) string {
	return b.applyID(fmt.Sprintf("subnet %s in %s", cidr, vpcID), func(st *state) (string, error) {
		return st.addSubnet(vpcID, cidr, used)
	})
}

// Age says that a VPC or subnet the builder made was made age before the
// server's clock reads now, for GetIpamAddressHistory; without it, the
// resource is older than any history asked for.
func (b *Builder) Age(resourceID string, age time.Duration) {
	b.apply(fmt.Sprintf("age of %s", resourceID), func(st *state) error {
		if age < 0 {
			return fmt.Errorf("age %v: want 0 or more", age)
		}
		if v := st.vpcs[resourceID]; v != nil {
			v.age = age
			return nil
		}
		if sn := st.subnets[resourceID]; sn != nil {
			sn.age = age
			return nil
		}
		return fmt.Errorf("no VPC or subnet %q", resourceID)
	})
}

// SubnetIPv6 associates an IPv6 CIDR with a subnet.
func (b *Builder) SubnetIPv6(subnetID, cidr string) {
	b.apply(fmt.Sprintf("subnet %s IPv6 %s", subnetID, cidr), func(st *state) error {
		return st.addSubnetIPv6(subnetID, cidr)
	})
}

// Tag sets a tag on any resource the builder made.
func (b *Builder) Tag(resourceID, key, value string) {
	b.apply(fmt.Sprintf("tag %q on %s", key, resourceID), func(st *state) error {
		if !st.exists(resourceID) {
			return fmt.Errorf("no resource %q", resourceID)
		}
		if err := validTag(tag{key, value}); err != nil {
			return err
		}
		st.setTags(resourceID, []tag{{key, value}})
		return nil
	})
}

// IPAM adds an IPAM owned by accountID with its home in homeRegion, which
// must be one of the operating regions, and its two default scopes. It
// returns the IPAM's ID; [Builder.Scope] finds its scopes.
func (b *Builder) IPAM(accountID, homeRegion string, operatingRegions ...string) string {
	return b.applyID(fmt.Sprintf("IPAM in %s/%s", accountID, homeRegion), func(st *state) (string, error) {
		return st.addIPAM(accountID, homeRegion, operatingRegions, "advanced")
	})
}

// Scope returns the ID of an IPAM's default scope of a type, "private" or
// "public".
func (b *Builder) Scope(ipamID, scopeType string) string {
	i := b.st.ipams[ipamID]
	switch {
	case i == nil:
		b.errs = append(b.errs, fmt.Errorf("scope of %q: no such IPAM", ipamID))
		return ""
	case scopeType == "private":
		return i.privateScope
	case scopeType == "public":
		return i.publicScope
	}
	b.errs = append(b.errs, fmt.Errorf("scope of %q: type %q is neither private nor public", ipamID, scopeType))
	return ""
}

// PoolSpec describes an IPAM pool for [Builder.Pool]. Zero netmask lengths
// mean no allocation rule.
type PoolSpec struct {
	Scope                      string // scope ID; required
	Parent                     string // source pool ID; empty for a top-level pool
	Locale                     string // an operating region; empty for none
	AddressFamily              string // "ipv4" or "ipv6"; empty means "ipv4"
	Description                string
	AutoImport                 bool
	AllocationMinNetmaskLength int
	AllocationMaxNetmaskLength int
	AllocationDefaultNetmask   int
	AllocationResourceTags     map[string]string
	Tags                       map[string]string
}

// Pool adds a pool in state create-complete and returns its ID.
func (b *Builder) Pool(spec PoolSpec) string {
	return b.applyID(fmt.Sprintf("pool %q", spec.Description), func(st *state) (string, error) {
		p, err := st.addPool(poolInput{
			scope: spec.Scope, parent: spec.Parent, locale: spec.Locale, family: spec.AddressFamily,
			description: spec.Description, autoImport: spec.AutoImport,
			minLen: netmaskOrUnset(spec.AllocationMinNetmaskLength), maxLen: netmaskOrUnset(spec.AllocationMaxNetmaskLength),
			defLen:    netmaskOrUnset(spec.AllocationDefaultNetmask),
			allocTags: tagsOf(spec.AllocationResourceTags), tags: tagsOf(spec.Tags),
		}, false)
		if err != nil {
			return "", err
		}
		return p.id, nil
	})
}

// ProvisionCIDR provisions cidr to a pool, in state provisioned. A pool with
// a parent takes it from the parent, as an allocation of the parent.
func (b *Builder) ProvisionCIDR(poolID, cidr string) {
	b.apply(fmt.Sprintf("provision %s to %s", cidr, poolID), func(st *state) error {
		_, err := st.provisionCIDR(poolID, cidr, 0, false)
		return err
	})
}

// Allocate allocates cidr from a pool to a resource: a VPC ID ("vpc-…") that
// has cidr as one of its blocks, or "" for a custom allocation. It returns
// the allocation's ID.
func (b *Builder) Allocate(poolID, cidr, resourceID string) string {
	return b.applyID(fmt.Sprintf("allocate %s from %s", cidr, poolID), func(st *state) (string, error) {
		a, err := st.allocateFor(poolID, cidr, resourceID)
		if err != nil {
			return "", err
		}
		return a.id, nil
	})
}

func netmaskOrUnset(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func tagsOf(m map[string]string) []tag {
	var out []tag
	for _, k := range sortedKeys(m) {
		out = append(out, tag{k, m[k]})
	}
	return out
}
