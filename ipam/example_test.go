package ipam_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
)

func ExampleParseCIDR() {
	_, err := ipam.ParseCIDR("10.0.0.1/8")
	fmt.Println(err)
	fmt.Println(errors.Is(err, ipam.ErrHostBitsSet))

	p, _ := ipam.ParseCIDRMasked("10.0.0.1/8")
	fmt.Println(p)
	// Output:
	// "10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)
	// true
	// 10.0.0.0/8
}

func ExampleParseCIDRList() {
	list := `# VPCs of team A
10.0.0.0/24
10.0.1.7/24
10.0.2.0/24  # shared services
not-a-cidr
`
	used, err := ipam.ParseCIDRList(strings.NewReader(list))
	fmt.Println(used)
	fmt.Println(err)
	// Output:
	// [10.0.0.0/24 10.0.2.0/24]
	// line 3: "10.0.1.7/24": host bits set (did you mean 10.0.1.0/24?)
	// line 5: "not-a-cidr": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)
}

func ExampleFree() {
	pools := []netip.Prefix{ipam.MustParseCIDR("10.0.0.0/16")}
	used := []netip.Prefix{
		ipam.MustParseCIDR("10.0.0.0/24"),
		ipam.MustParseCIDR("10.0.2.0/23"),
		ipam.MustParseCIDR("192.168.0.0/24"), // outside the pool: ignored
	}
	free, err := ipam.Free(pools, used)
	if err != nil {
		panic(err)
	}
	for _, p := range free {
		fmt.Println(p)
	}
	// Output:
	// 10.0.1.0/24
	// 10.0.4.0/22
	// 10.0.8.0/21
	// 10.0.16.0/20
	// 10.0.32.0/19
	// 10.0.64.0/18
	// 10.0.128.0/17
}

func ExampleSpace_Next() {
	s, err := ipam.NewSpace(
		[]netip.Prefix{ipam.MustParseCIDR("10.0.0.0/22")},
		[]netip.Prefix{ipam.MustParseCIDR("10.0.0.0/25"), ipam.MustParseCIDR("10.0.1.0/24")},
	)
	if err != nil {
		panic(err)
	}
	blocks, _ := s.Next(25, 3)
	fmt.Println(blocks)

	_, err = s.Next(23, 2)
	fmt.Println(err)
	var ie *ipam.InsufficientSpaceError
	if errors.As(err, &ie) {
		fmt.Println("fit:", ie.Fit)
	}
	// Output:
	// [10.0.0.128/25 10.0.2.0/25 10.0.2.128/25]
	// asked for 2 free /23 blocks but only 1 fit: insufficient free space
	// fit: 1
}

func ExampleSpace_Allocate() {
	// Free: a /25 at the bottom of the pool and a /28 hole near the top.
	s, _ := ipam.NewSpace(
		[]netip.Prefix{ipam.MustParseCIDR("10.0.0.0/24")},
		[]netip.Prefix{
			ipam.MustParseCIDR("10.0.0.128/26"), ipam.MustParseCIDR("10.0.0.192/27"),
			ipam.MustParseCIDR("10.0.0.240/28"),
		},
	)
	lowest, _ := s.Allocate(28, 2, ipam.Lowest)
	best, _ := s.Allocate(28, 2, ipam.BestFit)
	fmt.Println("lowest:  ", lowest)
	fmt.Println("best-fit:", best)
	// Output:
	// lowest:   [10.0.0.0/28 10.0.0.16/28]
	// best-fit: [10.0.0.224/28 10.0.0.0/28]
}

func ExampleSpace_Largest() {
	// Over 40% free, but not a single /24 is left.
	s, _ := ipam.NewSpace(
		[]netip.Prefix{ipam.MustParseCIDR("10.0.0.0/22")},
		[]netip.Prefix{
			ipam.MustParseCIDR("10.0.0.0/24"), ipam.MustParseCIDR("10.0.1.0/25"),
			ipam.MustParseCIDR("10.0.2.64/26"), ipam.MustParseCIDR("10.0.3.128/25"),
		},
	)
	largest, _ := s.Largest()
	fmt.Printf("%.1f%% used, largest free block %v, /24 fits: %v\n", s.Usage().Percent(), largest, s.Fits(24))
	// Output:
	// 56.2% used, largest free block 10.0.1.128/25, /24 fits: false
}

func ExampleUtilization() {
	u, _ := ipam.Utilization(
		[]netip.Prefix{ipam.MustParseCIDR("2001:db8::/56")},
		[]netip.Prefix{ipam.MustParseCIDR("2001:db8::/64"), ipam.MustParseCIDR("2001:db8:0:1::/64")},
	)
	fmt.Println(u.Total, u.Used, u.Free)
	fmt.Printf("%.4f%%\n", u.Percent())
	// Output:
	// 4722366482869645213696 36893488147419103232 4685472994722226110464
	// 0.7812%
}

func ExampleCount_String() {
	fmt.Println(ipam.Size(netip.MustParsePrefix("::/0")))
	fmt.Println(ipam.Size(netip.MustParsePrefix("10.0.0.0/8")))
	fmt.Println(ipam.AWSUsable(netip.MustParsePrefix("10.0.0.0/24")))
	// Output:
	// 340282366920938463463374607431768211456
	// 16777216
	// 251
}

func ExampleOverlaps() {
	vpcs := []netip.Prefix{
		ipam.MustParseCIDR("10.0.0.0/16"),
		ipam.MustParseCIDR("10.1.0.0/16"),
		ipam.MustParseCIDR("10.0.128.0/20"),
		ipam.MustParseCIDR("10.1.0.0/16"),
	}
	for _, o := range ipam.Overlaps(vpcs) {
		fmt.Println(o.A, o.B)
	}
	// Output:
	// 10.0.0.0/16 10.0.128.0/20
	// 10.1.0.0/16 10.1.0.0/16
}

func ExampleSubnets() {
	seq, err := ipam.Subnets(ipam.MustParseCIDR("10.0.0.0/8"), 28) // a million /28s, lazily
	if err != nil {
		panic(err)
	}
	n := 0
	for p := range seq {
		fmt.Println(p)
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// 10.0.0.0/28
	// 10.0.0.16/28
	// 10.0.0.32/28
}

func ExampleSummarize() {
	fmt.Println(ipam.Summarize([]netip.Prefix{
		ipam.MustParseCIDR("10.0.1.0/24"),
		ipam.MustParseCIDR("10.0.0.0/24"),
		ipam.MustParseCIDR("10.0.0.128/25"),
		ipam.MustParseCIDR("2001:db8::/48"),
	}))
	// Output:
	// [10.0.0.0/23 2001:db8::/48]
}
