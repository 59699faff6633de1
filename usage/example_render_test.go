package usage_test

import (
	"fmt"
	"os"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

// exampleSubnet returns a subnet of cidr with used addresses in use.
func exampleSubnet(id, name, cidr string, used uint64) usage.Resource {
	p := ipam.MustParseCIDR(cidr)
	total := ipam.AWSUsable(p)
	return usage.Resource{
		ID: id, Name: name, Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "012345678901", Region: "us-east-1",
		CIDR: p, Known: true, Total: total, Used: ipam.NewCount(used), Available: total.Sub(ipam.NewCount(used)),
	}
}

func ExampleFinding_String() {
	app := exampleSubnet("subnet-0abc", "app", "10.0.0.0/24", 240)
	app.LargestFree = ipam.MustParseCIDR("10.0.0.248/29")
	findings, err := usage.Evaluate([]usage.Resource{app}, usage.Policy{})
	if err != nil {
		panic(err)
	}
	fmt.Println(findings[0])

	v6 := usage.Resource{ID: "subnet-0v6", Type: usage.TypeSubnet, CIDR: ipam.MustParseCIDR("fd00:10::/64"), AccountID: "012345678901", Region: "us-east-1"}
	fmt.Println(v6)
	// Output:
	// critical at 80%: subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29
	// subnet-0v6 fd00:10::/64 in 012345678901 us-east-1: usage unknown
}

// ExampleReport_WriteTable prints a report as `ipamctl usage` does: the
// findings first, worst first, then the other resources by utilization,
// and those whose usage is not known last.
func ExampleReport_WriteTable() {
	rep, err := usage.NewReport([]usage.Resource{
		exampleSubnet("subnet-0a", "web", "10.0.0.0/24", 60),
		exampleSubnet("subnet-0b", "db", "10.0.1.0/24", 240),
		{ID: "subnet-0c", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "012345678901", Region: "us-east-1",
			CIDR: ipam.MustParseCIDR("fd00:10::/64")}, // AWS counts no IPv6 addresses
		exampleSubnet("subnet-0d", "", "10.0.2.0/26", 50),
	}, nil, usage.ScanInfo{}, usage.Policy{Thresholds: usage.Thresholds{Warning: 70, Critical: 90}})
	if err != nil {
		panic(err)
	}
	if err := rep.WriteTable(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// SEVERITY  USED   UTILIZATION           RESOURCE         TYPE    CIDR          ACCOUNT       REGION     LARGEST FREE  SOURCE
	// critical  95.6%  [#################.]  subnet-0b (db)   subnet  10.0.1.0/24   012345678901  us-east-1  -             ec2
	// warning   84.7%  [###############...]  subnet-0d        subnet  10.0.2.0/26   012345678901  us-east-1  -             ec2
	// ok        23.9%  [####..............]  subnet-0a (web)  subnet  10.0.0.0/24   012345678901  us-east-1  -             ec2
	// unknown   ?      [ usage unknown    ]  subnet-0c        subnet  fd00:10::/64  012345678901  us-east-1  -             ec2
}

func ExampleReport_WriteCSV() {
	rep, err := usage.NewReport([]usage.Resource{
		exampleSubnet("subnet-0a", "=HYPERLINK(\"http://evil.example\")", "10.0.0.0/24", 60),
	}, nil, usage.ScanInfo{}, usage.Policy{})
	if err != nil {
		panic(err)
	}
	if err := rep.WriteCSV(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// severity,percent,resourceId,resourceType,name,cidr,accountId,region,vpcId,source,total,used,available,largestFree
	// ok,23.90,subnet-0a,subnet,"'=HYPERLINK(""http://evil.example"")",10.0.0.0/24,012345678901,us-east-1,,ec2,251,60,191,
}
