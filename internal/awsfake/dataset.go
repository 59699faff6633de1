package awsfake

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// A dataset is a world written in YAML, for hand-written worlds in
// testdata/ and for ipamctl demo serve --data. Pools carry names that VPCs
// refer to; every other reference is an AWS ID. Unknown fields are errors.
// testdata/dataset.yaml shows every field.
type dataset struct {
	ManagementAccount       string           `yaml:"management_account"`
	DelegatedAdministrators []string         `yaml:"delegated_administrators"`
	Accounts                []datasetAccount `yaml:"accounts"` // in the root
	OUs                     []datasetOU      `yaml:"ous"`
	AccessKeys              []struct {
		ID      string `yaml:"id"`
		Account string `yaml:"account"`
		User    string `yaml:"user"`
	} `yaml:"access_keys"`
	Roles []struct {
		Account    string   `yaml:"account"`
		Name       string   `yaml:"name"`
		ExternalID string   `yaml:"external_id"`
		Trusted    []string `yaml:"trusted"`
	} `yaml:"roles"`
	IPAMs  []datasetIPAM `yaml:"ipams"`
	VPCs   []datasetVPC  `yaml:"vpcs"`
	Topics []struct {
		Account string `yaml:"account"`
		Region  string `yaml:"region"`
		Name    string `yaml:"name"`
	} `yaml:"topics"`
}

type datasetAccount struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	State string `yaml:"state"` // ACTIVE when empty
}

type datasetOU struct {
	Name     string           `yaml:"name"`
	Accounts []datasetAccount `yaml:"accounts"`
	OUs      []datasetOU      `yaml:"ous"`
}

type datasetIPAM struct {
	Account   string        `yaml:"account"`
	Home      string        `yaml:"home"`
	Operating []string      `yaml:"operating"`
	Pools     []datasetPool `yaml:"pools"` // top-level pools
}

type datasetPool struct {
	Name           string            `yaml:"name"`  // how VPCs refer to the pool
	Scope          string            `yaml:"scope"` // private (the default) or public
	Locale         string            `yaml:"locale"`
	Family         string            `yaml:"family"`
	Description    string            `yaml:"description"`
	AllocationMin  int               `yaml:"allocation_min_netmask"`
	AllocationMax  int               `yaml:"allocation_max_netmask"`
	AllocationDef  int               `yaml:"allocation_default_netmask"`
	AllocationTags map[string]string `yaml:"allocation_tags"`
	Tags           map[string]string `yaml:"tags"`
	CIDRs          []string          `yaml:"cidrs"`
	Pools          []datasetPool     `yaml:"pools"` // child pools, sourced from this one
}

type datasetVPC struct {
	Account string            `yaml:"account"`
	Region  string            `yaml:"region"`
	CIDRs   []string          `yaml:"cidrs"`
	Pool    string            `yaml:"pool"` // the name of the pool its first CIDR was allocated from
	Tags    map[string]string `yaml:"tags"`
	AgeDays float64           `yaml:"age_days"` // made so many days ago (GetIpamAddressHistory); 0: before any history
	Subnets []struct {
		CIDR    string            `yaml:"cidr"`
		Used    int               `yaml:"used"`
		IPv6    []string          `yaml:"ipv6"`
		Tags    map[string]string `yaml:"tags"`
		AgeDays float64           `yaml:"age_days"`
		Growth  float64           `yaml:"growth"` // addresses a day it has been filling at (GetMetricData history)
	} `yaml:"subnets"`
}

// LoadWorld reads a world from a YAML dataset. It reports every error the
// dataset has, joined, with YAML errors naming their line.
func LoadWorld(r io.Reader) (*World, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var ds dataset
	if err := dec.Decode(&ds); err != nil {
		return nil, fmt.Errorf("read dataset: %w", err)
	}
	if ds.ManagementAccount == "" {
		return nil, errors.New("read dataset: management_account is required")
	}
	b := NewBuilder(ds.ManagementAccount)
	addAccounts := func(parent string, accts []datasetAccount) {
		for _, a := range accts {
			b.Account(parent, a.ID, a.Name, a.Email)
			if a.State != "" {
				b.AccountState(a.ID, a.State)
			}
		}
	}
	var addOUs func(parent string, ous []datasetOU)
	addOUs = func(parent string, ous []datasetOU) {
		for _, ou := range ous {
			id := b.OU(parent, ou.Name)
			if id == "" {
				continue
			}
			addAccounts(id, ou.Accounts)
			addOUs(id, ou.OUs)
		}
	}
	addAccounts(b.Root(), ds.Accounts)
	addOUs(b.Root(), ds.OUs)
	for _, id := range ds.DelegatedAdministrators {
		b.DelegatedAdministrator(id)
	}
	for _, k := range ds.AccessKeys {
		b.AccessKey(k.ID, k.Account, k.User)
	}
	for _, r := range ds.Roles {
		b.Role(r.Account, r.Name, r.ExternalID, r.Trusted...)
	}
	pools := map[string]string{} // name -> pool ID
	var addPools func(ipam, parent string, ps []datasetPool)
	addPools = func(ipam, parent string, ps []datasetPool) {
		for _, p := range ps {
			scope := p.Scope
			if scope == "" {
				scope = "private"
			}
			id := b.Pool(PoolSpec{
				Scope: b.Scope(ipam, scope), Parent: parent, Locale: p.Locale, AddressFamily: p.Family,
				Description: p.Description, AllocationMinNetmaskLength: p.AllocationMin, AllocationMaxNetmaskLength: p.AllocationMax,
				AllocationDefaultNetmask: p.AllocationDef, AllocationResourceTags: p.AllocationTags, Tags: p.Tags,
			})
			if id == "" {
				continue
			}
			if p.Name != "" {
				if _, dup := pools[p.Name]; dup {
					b.errs = append(b.errs, fmt.Errorf("pool name %q is used twice", p.Name))
				}
				pools[p.Name] = id
			}
			for _, c := range p.CIDRs {
				b.ProvisionCIDR(id, c)
			}
			addPools(ipam, id, p.Pools)
		}
	}
	for _, i := range ds.IPAMs {
		if id := b.IPAM(i.Account, i.Home, i.Operating...); id != "" {
			addPools(id, "", i.Pools)
		}
	}
	for _, v := range ds.VPCs {
		id := b.VPC(v.Account, v.Region, v.CIDRs...)
		if id == "" {
			continue
		}
		if v.Pool != "" {
			if pool, ok := pools[v.Pool]; ok {
				b.Allocate(pool, v.CIDRs[0], id)
			} else {
				b.errs = append(b.errs, fmt.Errorf("VPC %v: no pool named %q", v.CIDRs, v.Pool))
			}
		}
		for _, k := range sortedKeys(v.Tags) {
			b.Tag(id, k, v.Tags[k])
		}
		if v.AgeDays != 0 {
			b.Age(id, days(v.AgeDays))
		}
		for _, s := range v.Subnets {
			sn := b.Subnet(id, s.CIDR, s.Used)
			if sn == "" {
				continue
			}
			if s.AgeDays != 0 {
				b.Age(sn, days(s.AgeDays))
			}
			if s.Growth != 0 {
				b.Growth(sn, s.Growth)
			}
			for _, c := range s.IPv6 {
				b.SubnetIPv6(sn, c)
			}
			for _, k := range sortedKeys(s.Tags) {
				b.Tag(sn, k, s.Tags[k])
			}
		}
	}
	for _, t := range ds.Topics {
		b.Topic(t.Account, t.Region, t.Name)
	}
	w, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return w, nil
}

// days returns d days as a duration.
func days(d float64) time.Duration { return time.Duration(d * float64(24*time.Hour)) }

// LoadWorldFile reads a world from a YAML dataset file.
func LoadWorldFile(path string) (*World, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open dataset: %w", err)
	}
	defer f.Close()
	w, err := LoadWorld(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}
