package main

import "testing"

func TestCIDROverlaps(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "overlaps-v4", args: args("cidr overlaps 10.0.0.0/16 10.1.0.0/16 10.0.4.0/22 10.0.5.0/24")},
		{name: "overlaps-later-contains-earlier", args: args("cidr overlaps 10.0.5.0/24 10.0.0.0/16")},
		{name: "overlaps-duplicates", args: args("cidr overlaps 10.0.0.0/24 10.0.0.0/24 10.0.0.0/24")},
		{name: "overlaps-none", args: args("cidr overlaps 10.0.0.0/24 10.0.1.0/24 2001:db8::/32")},
		{name: "overlaps-mixed-families", args: args("cidr overlaps 10.0.0.0/8 2001:db8::/32 10.1.0.0/16 2001:db8:1::/48 ::/0")},
		{name: "overlaps-v6", args: args("cidr overlaps 2001:db8::/32 2001:db8:1::/48 2001:db8:1:1::/64")},
		{name: "overlaps-file", args: args("cidr overlaps --file testdata/plan.txt")},
		{name: "overlaps-file-then-args", args: args("cidr overlaps 10.1.2.0/24 --file testdata/plan.txt 2001:db8:5::/48")},
		{name: "overlaps-stdin", args: args("cidr overlaps --file - 10.0.0.0/8"), stdin: "10.1.0.0/16\n# gap\n192.168.0.0/16\n"},
		{name: "overlaps-empty-file", args: args("cidr overlaps --file -"), stdin: "# nothing yet\n"},

		{name: "overlaps-no-input", args: args("cidr overlaps"), code: 1, names: []string{"--file"}},
		{name: "overlaps-bad-args", args: args("cidr overlaps 10.0.0.0/8 vpc-1 10.0.0.1/8"), code: 1, errLines: 2,
			names: []string{"argument 2", `"vpc-1"`, "argument 3", `"10.0.0.1/8"`, "10.0.0.0/8"}},
		{name: "overlaps-bad-file", args: args("cidr overlaps --file testdata/used-bad.txt"), code: 1, errLines: 2,
			names: []string{"--file testdata/used-bad.txt", "line 3", "line 4"}},
		{name: "overlaps-missing-file", args: args("cidr overlaps --file testdata/no-such-file.txt"), code: 1,
			names: []string{"testdata/no-such-file.txt"}},
	})
}
