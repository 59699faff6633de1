package awsfake

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// MaxGeneratedSubnets bounds the size of a generated world. A subnet costs
// about 1 KB of memory once built and loaded into a server, and about as
// much again while it is built, so the largest world takes about 2 GB at
// its peak; a world past it is refused before anything is built.
const MaxGeneratedSubnets = 1_000_000

// GenerateOptions sizes a generated world. The zero value generates one
// member account with one VPC of one subnet in us-east-1.
//
// An organization of 5,000 account-regions (Accounts 2,500, two Regions,
// one VPC of 20 subnets) takes about 5 s and 36 MiB of heap once served;
// 20,000 account-regions take about 35 s and 132 MiB (2 shared cores).
// Each subnet served is then kept encoded, about 0.7 KB more.
type GenerateOptions struct {
	Accounts int      // member accounts, under one OU; zero means 1
	Regions  []string // regions of every account; nil means us-east-1
	VPCs     int      // VPCs per account and region; zero means 1
	Subnets  int      // /24 subnets per /16 VPC, at most 256; zero means 1

	// NearExhaustion is the fraction (0 to 1) of subnets left with at most
	// 5 % of their addresses available; the others use up to 80 %.
	NearExhaustion float64
	// Growth gives each nearly full subnet a history of filling at so
	// many addresses a day (see [Builder.Growth]), served by GetMetricData
	// as the monitor's metrics; zero gives none.
	Growth float64
	// IPAM, when set, gives the management account an IPAM with its home in
	// the first region, operating in all of them, so that GetIpamResourceCidrs
	// sees every VPC and subnet; [Builder.Scope] names its scopes.
	IPAM bool
	// Seed seeds the random source that picks used addresses; the same
	// options give the same world.
	Seed uint64
}

// GeneratedAccountID returns the ID of the i-th (from zero) member account
// of a generated world.
func GeneratedAccountID(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }

// GeneratedAccessKeyID returns the access key that acts in a generated
// member account.
func GeneratedAccessKeyID(accountID string) string { return "AKIAGEN" + accountID + "0" }

// Generate builds a large, deterministic world for benchmarks: member
// accounts under the OU "Generated", each with VPCs (10.N.0.0/16, the same
// ranges repeated in every account and region) split into /24 subnets, and
// an access key per account ([GeneratedAccessKeyID]). The management
// account is [DefaultAccountID]. A world of more than [MaxGeneratedSubnets]
// subnets is refused.
func Generate(o GenerateOptions) (*World, error) {
	return GenerateContext(context.Background(), o)
}

// GenerateContext is [Generate] that stops, with ctx's error, when ctx is
// done: a large world takes seconds to build, and an interrupt must not
// wait for it.
func GenerateContext(ctx context.Context, o GenerateOptions) (*World, error) {
	if o.Accounts <= 0 {
		o.Accounts = 1
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1"}
	}
	if o.VPCs <= 0 {
		o.VPCs = 1
	}
	if o.Subnets <= 0 {
		o.Subnets = 1
	}
	if o.Subnets > 256 {
		return nil, fmt.Errorf("generate: %d subnets per VPC: a /16 holds at most 256 /24s", o.Subnets)
	}
	if n := GeneratedSubnets(o); n > MaxGeneratedSubnets {
		return nil, fmt.Errorf("generate: %d accounts × %d regions × %d VPCs × %d subnets is %s subnets: at most %d (about 2 GB of memory)",
			o.Accounts, len(o.Regions), o.VPCs, o.Subnets, countText(n), MaxGeneratedSubnets)
	}
	rnd := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	b := NewBuilder(DefaultAccountID)
	ou := b.OU(b.Root(), "Generated")
	if o.IPAM {
		b.IPAM(DefaultAccountID, o.Regions[0], o.Regions...)
	}
	for a := range o.Accounts {
		id := b.Account(ou, GeneratedAccountID(a), fmt.Sprintf("generated-%d", a), fmt.Sprintf("generated-%d@example.com", a))
		b.AccessKey(GeneratedAccessKeyID(id), id, "generated")
		for _, region := range o.Regions {
			for v := range o.VPCs {
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("generate: %w", err)
				}
				vpc := b.VPC(id, region, fmt.Sprintf("10.%d.0.0/16", v%256))
				for s := range o.Subnets {
					// 256 addresses, 5 reserved: 251 usable.
					used := rnd.IntN(201)
					near := rnd.Float64() < o.NearExhaustion
					if near {
						used = 251 - rnd.IntN(13)
					}
					sn := b.Subnet(vpc, fmt.Sprintf("10.%d.%d.0/24", v%256, s), used)
					if near && o.Growth > 0 && sn != "" {
						b.Growth(sn, o.Growth)
					}
				}
			}
		}
	}
	w, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return w, nil
}

// GeneratedSubnets returns how many subnets [Generate] builds for o, its
// zero fields taken as their defaults, or math.MaxInt when the product
// overflows.
func GeneratedSubnets(o GenerateOptions) int {
	n := 1
	for _, f := range []int{max(o.Accounts, 1), max(len(o.Regions), 1), max(o.VPCs, 1), max(o.Subnets, 1)} {
		if n > math.MaxInt/f {
			return math.MaxInt
		}
		n *= f
	}
	return n
}

// countText writes n, or "more than 9223372036854775806" for math.MaxInt,
// which stands for an overflow.
func countText(n int) string {
	if n == math.MaxInt {
		return fmt.Sprintf("more than %d", math.MaxInt-1)
	}
	return fmt.Sprint(n)
}
