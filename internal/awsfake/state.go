package awsfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// state is the model behind the protocols: one organization and its
// resources. It is guarded by Server.mu.
type state struct {
	now        func() time.Time
	stateReads int
	delays     Delays
	pending    []*transition // transitions that settle with time, in no order
	limits     limits
	counters   map[string]int // ID generation, per prefix

	orgID, mgmt, rootID string
	ous                 map[string]*orgUnit // excludes the root
	accounts            map[string]*account
	accountOrder        []string        // account IDs in ascending order; nil when to be sorted again
	delegated           map[string]bool // Organizations delegated administrators
	keys                map[string]*principal
	roles               map[string]*role // by ARN
	regions             []region

	vpcs    map[string]*vpc
	subnets map[string]*subnet
	ipams   map[string]*ipam
	scopes  map[string]*ipamScope
	pools   map[string]*ipamPool
	// gonePools and goneCIDRs are deleted pools and deprovisioned CIDRs,
	// kept for the client tokens that made them.
	gonePools map[string]*ipamPool
	goneCIDRs map[string]*poolCIDR
	allocs    map[string]*allocation
	tags      map[string]map[string]string // by resource ID
	tokens    map[string]clientToken       // by account/ClientToken
	// discovery holds the accounts and regions IPAM fails to discover.
	discovery   map[[2]string]discoveryFailure
	metrics     []MetricDatum             // accepted by PutMetricData
	topics      map[string]*topic         // SNS topics by ARN
	messages    []Message                 // accepted by Publish and PublishBatch
	events      []Event                   // accepted by PutEvents
	functions   map[string]*function      // Lambda functions by ARN
	invocations []Invocation              // accepted by Invoke
	shares      map[string]*resourceShare // RAM resource shares by ARN
	parameters  map[string]*parameter     // SSM parameters by account/region/name
	secrets     map[string]*secret        // Secrets Manager secrets by ARN

	// VPC and subnet IDs by "account/region", as Describe calls see them.
	vpcsByOwner, subnetsByOwner index

	// frags holds encoded XML list items by resource ID; see fragment.
	frags map[string][]byte

	// version counts the writes served; computed views are cached per version.
	version  uint64
	resource map[string]resourceView // resource CIDRs by scope ID
}

type orgUnit struct{ id, name, parent string }

type account struct {
	id, name, email, state, parent, joinedMethod string
	joined                                       time.Time
}

type role struct {
	account, name, arn, externalID string
	trusted                        []string // account IDs allowed to assume it
}

type region struct {
	name    string
	enabled bool
	optIn   string // opt-in-not-required, opted-in, not-opted-in
}

// cidrBlock is one CIDR associated with a VPC or subnet.
type cidrBlock struct {
	assocID string
	prefix  netip.Prefix
}

type vpc struct {
	id, account, region, state string
	ipv4, ipv6                 []cidrBlock // ipv4[0] is the primary CIDR
	isDefault                  bool
	subnets                    []string      // IDs, in creation order
	age                        time.Duration // how long before the clock's now it was made; 0: before any history
}

type subnet struct {
	id, vpc, account, region, az, state string
	ipv4                                netip.Prefix // invalid for IPv6-only subnets
	ipv6                                []cidrBlock
	used                                uint64        // IPv4 addresses in use, besides the 5 AWS reserves
	age                                 time.Duration // how long before the clock's now it was made; 0: before any history
	growth                              float64       // addresses a day it has been filling at (GetMetricData history)
}

type ipam struct {
	id, account, region, tier string
	discovery                 string // the default resource discovery's ID
	operating                 []string
	privateScope, publicScope string
	state                     string
}

type ipamScope struct {
	id, ipam, scopeType, state string
	isDefault                  bool
}

type ipamPool struct {
	id, scope, ipam, parent, locale, family, description string
	autoImport                                           bool
	minLen, maxLen, defLen                               int // -1 when unset
	allocTags                                            []tag
	status                                               transition
	stateMessage                                         string
	cidrs                                                []*poolCIDR
	seq                                                  int // creation order
	publicSource, awsService                             string
	advertisable                                         bool
}

type poolCIDR struct {
	id          string
	prefix      netip.Prefix // invalid for a netmask request that failed
	bits        int          // the netmask length asked for
	status      transition
	failure     string // failureReason message of a failed state
	failureCode string // failureReason code of a failed provision
}

type allocation struct {
	id, pool, resourceID, resourceType, resourceRegion, resourceOwner, description string
	prefix                                                                         netip.Prefix
}

// index holds sets of IDs by key, each sorted on demand. The zero index is
// empty and ready to use.
type index struct {
	ids   map[string][]string
	dirty map[string]bool
}

// add adds id under key.
func (x *index) add(key, id string) {
	if x.ids == nil {
		x.ids, x.dirty = map[string][]string{}, map[string]bool{}
	}
	x.ids[key] = append(x.ids[key], id)
	x.dirty[key] = true
}

// get returns the IDs under key in ascending order; the slice must not be changed.
func (x *index) get(key string) []string {
	if x.dirty[key] {
		slices.Sort(x.ids[key])
		x.dirty[key] = false
	}
	return x.ids[key]
}

// remove takes id out from under key.
func (x *index) remove(key, id string) {
	x.ids[key] = slices.DeleteFunc(x.ids[key], func(s string) bool { return s == id })
}

// ownerKey is the index key of an account's resources in a region.
func ownerKey(account, region string) string { return account + "/" + region }

// defaultRegions are the regions every account has, enabled or not.
var defaultRegions = []region{
	{"ap-northeast-1", true, "opt-in-not-required"}, {"ap-south-1", true, "opt-in-not-required"},
	{"ap-southeast-1", true, "opt-in-not-required"}, {"ap-southeast-2", true, "opt-in-not-required"},
	{"ca-central-1", true, "opt-in-not-required"}, {"eu-central-1", true, "opt-in-not-required"},
	{"eu-north-1", true, "opt-in-not-required"}, {"eu-west-1", true, "opt-in-not-required"},
	{"eu-west-2", true, "opt-in-not-required"}, {"eu-west-3", true, "opt-in-not-required"},
	{"sa-east-1", true, "opt-in-not-required"}, {"us-east-1", true, "opt-in-not-required"},
	{"us-east-2", true, "opt-in-not-required"}, {"us-west-1", true, "opt-in-not-required"},
	{"us-west-2", true, "opt-in-not-required"},
	{"af-south-1", false, "not-opted-in"}, {"ap-east-1", false, "not-opted-in"},
	{"eu-south-1", false, "not-opted-in"}, {"me-south-1", false, "not-opted-in"},
}

// defaultRegion is the region of a request whose credential scope names none.
const defaultRegion = "us-east-1"

func newState(mgmt string) *state {
	st := &state{
		now:        time.Now,
		counters:   map[string]int{},
		ous:        map[string]*orgUnit{},
		accounts:   map[string]*account{},
		delegated:  map[string]bool{},
		keys:       map[string]*principal{},
		roles:      map[string]*role{},
		regions:    slices.Clone(defaultRegions),
		vpcs:       map[string]*vpc{},
		subnets:    map[string]*subnet{},
		ipams:      map[string]*ipam{},
		scopes:     map[string]*ipamScope{},
		pools:      map[string]*ipamPool{},
		gonePools:  map[string]*ipamPool{},
		goneCIDRs:  map[string]*poolCIDR{},
		allocs:     map[string]*allocation{},
		tags:       map[string]map[string]string{},
		frags:      map[string][]byte{},
		resource:   map[string]resourceView{},
		topics:     map[string]*topic{},
		functions:  map[string]*function{},
		shares:     map[string]*resourceShare{},
		parameters: map[string]*parameter{},
		secrets:    map[string]*secret{},
		tokens:     map[string]clientToken{},
		discovery:  map[[2]string]discoveryFailure{},
	}
	st.mgmt = mgmt
	st.orgID = "o-" + st.hexID("o", 10)
	st.rootID = "r-" + st.hexID("r", 4)
	return st
}

// hexID returns n deterministic lowercase hex digits, unique per kind.
func (st *state) hexID(kind string, n int) string {
	st.counters[kind]++
	sum := sha256.Sum256([]byte(kind + "/" + strconv.Itoa(st.counters[kind])))
	return hex.EncodeToString(sum[:])[:n]
}

// newID returns a new EC2-style resource ID such as "vpc-0a1b2c3d4e5f60718".
func (st *state) newID(prefix string) string { return prefix + "-0" + st.hexID(prefix, 16) }

// setTags merges tags into a resource's tags.
func (st *state) setTags(id string, tags []tag) {
	if len(tags) == 0 {
		return
	}
	st.changed(id)
	m := st.tags[id]
	if m == nil {
		m = map[string]string{}
		st.tags[id] = m
	}
	for _, t := range tags {
		m[t.key] = t.value
	}
}

// changed forgets what was cached about a resource; call it whenever a
// resource or its tags change.
func (st *state) changed(id string) { delete(st.frags, id) }

// tagsOf returns a resource's tags; the map must not be changed.
func (st *state) tagsOf(id string) map[string]string { return st.tags[id] }

func (st *state) regionEnabled(name string) bool {
	for _, r := range st.regions {
		if r.name == name {
			return r.enabled
		}
	}
	return false
}

// hasParent reports whether id is the root or an OU.
func (st *state) hasParent(id string) bool {
	_, ok := st.ous[id]
	return ok || id == st.rootID
}

// path returns an OU's or the root's path, "o-…/r-…/ou-…/", for Path and Paths.
func (st *state) path(parent string) string {
	var chain []string
	for id := parent; id != "" && id != st.rootID; {
		ou := st.ous[id]
		if ou == nil {
			break
		}
		chain = append(chain, id)
		id = ou.parent
	}
	p := st.orgID + "/" + st.rootID + "/"
	for _, id := range slices.Backward(chain) {
		p += id + "/"
	}
	return p
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// arn helpers.
func (a *account) arn(st *state) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", st.mgmt, st.orgID, a.id)
}

func (i *ipam) arn() string { return fmt.Sprintf("arn:aws:ec2::%s:ipam/%s", i.account, i.id) }
func (st *state) scopeARN(sc *ipamScope) string {
	return fmt.Sprintf("arn:aws:ec2::%s:ipam-scope/%s", st.ipams[sc.ipam].account, sc.id)
}
func (st *state) poolARN(p *ipamPool) string {
	return fmt.Sprintf("arn:aws:ec2::%s:ipam-pool/%s", st.ipams[p.ipam].account, p.id)
}
