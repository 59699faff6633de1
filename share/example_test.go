package share_test

import (
	"fmt"
	"os"

	"github.com/ipamkit/ipamkit/share"
)

// ExampleMatch explains which pools the Control Tower sample's rule (the
// allocation tag Env equal to the OU name) shares with an account.
func ExampleMatch() {
	pools := []share.Pool{
		{ID: "ipam-pool-0a1", Locale: "us-east-1", AllocationTags: map[string]string{"Env": "Prod OU"}},
		{ID: "ipam-pool-0b2", Locale: "us-west-2", AllocationTags: map[string]string{"Env": "SDLC OU"}},
		{ID: "ipam-pool-0c3", Locale: "us-west-2"},
	}
	acct := share.Account{ID: "012345678901", ParentID: "ou-ab12-prod0001", ParentName: "Prod OU", Path: "Root/Workloads/Prod OU"}
	for _, d := range share.Match(nil, pools, acct) {
		fmt.Println(d)
	}
	// Output:
	// pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'
	// pool ipam-pool-0b2 (us-west-2, Env=SDLC OU) does not match: Env=SDLC OU is not the OU name 'Prod OU'
	// pool ipam-pool-0c3 (us-west-2) does not match: no allocation tag Env
}

// ExampleMatch_pathRule shares a pool tagged with an OU name with the
// accounts of every OU under it, in one region only.
func ExampleMatch_pathRule() {
	rules := []share.Rule{{TagKey: "Env", By: share.ByOUPath, Locales: []string{"us-east-1"}}}
	pools := []share.Pool{
		{ID: "ipam-pool-0a1", Locale: "us-east-1", AllocationTags: map[string]string{"Env": "Prod"}},
		{ID: "ipam-pool-0b2", Locale: "us-west-2", AllocationTags: map[string]string{"Env": "Prod"}},
	}
	acct := share.Account{ID: "000000000007", ParentID: "ou-ab12-paym0001", ParentName: "Payments", Path: "Root/Workloads/Prod/Payments"}
	for _, d := range share.Match(rules, pools, acct) {
		fmt.Println(d.Matched, d)
	}
	// Output:
	// true pool ipam-pool-0a1 (us-east-1, Env=Prod) matches: OU path 'Root/Workloads/Prod/Payments' matches 'Prod'
	// false pool ipam-pool-0b2 (us-west-2, Env=Prod) does not match: locale us-west-2 is not one of us-east-1
}

func ExampleMatchPath() {
	for _, pattern := range []string{"Prod", "Prod*", "/Root/Workloads/*", "Workloads/**/Payments", "/Prod"} {
		fmt.Println(pattern, share.MatchPath(pattern, "Root/Workloads/Prod OU/Payments"))
	}
	// Output:
	// Prod false
	// Prod* true
	// /Root/Workloads/* true
	// Workloads/**/Payments true
	// /Prod false
}

func ExampleOUARN() {
	acct := share.Account{ID: "012345678901", ARN: "arn:aws:organizations::111111111111:account/o-abcdefghij/012345678901", ParentID: "ou-ab12-prod0001"}
	arn, err := share.OUARN(acct)
	fmt.Println(arn, err)
	// Output:
	// arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-prod0001 <nil>
}

func ExampleParseEvent() {
	e, err := share.ParseEvent([]byte(`{
	  "source": "aws.controltower",
	  "detail-type": "AWS Service Event via CloudTrail",
	  "detail": {
	    "eventName": "CreateManagedAccount",
	    "serviceEventDetails": {
	      "createManagedAccountStatus": {
	        "organizationalUnit": {"organizationalUnitName": "Prod OU", "organizationalUnitId": "ou-ab12-prod0001"},
	        "account": {"accountName": "payments", "accountId": "012345678901"},
	        "state": "SUCCEEDED"
	      }
	    }
	  }
	}`))
	fmt.Println(e.Name, e.AccountID, e.OUName, e.Succeeded(), err)

	_, err = share.ParseEvent([]byte(`{"source": "aws.controltower", "detail": {"eventName": "CreateManagedAccount",
	  "serviceEventDetails": {"createManagedAccountStatus": {"state": "SUCCEEDED", "account": {"accountName": "payments"}}}}}`))
	fmt.Println(err)
	// Output:
	// CreateManagedAccount 012345678901 Prod OU true <nil>
	// malformed Control Tower event: detail.serviceEventDetails.createManagedAccountStatus.account.accountId: missing
}

func ExamplePlan_WriteText() {
	p := share.Plan{Mode: share.ModeAccount, Accounts: 2, Changes: []share.Change{
		{Kind: share.KindCreateShare, Share: "ipamShare-012345678901", Principal: "012345678901",
			Reason: "account 012345678901 (payments, Root/Workloads/Prod OU): no share yet, 1 pool to share"},
		{Kind: share.KindAssociatePool, Share: "ipamShare-012345678901", PoolID: "ipam-pool-0a1",
			Reason: "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'"},
		{Kind: share.KindDisassociatePool, Share: "ipamShare-333333333333", ShareARN: "arn:aws:ram:us-east-1:222222222222:resource-share/0001", PoolID: "ipam-pool-0b2", Kept: true,
			Reason: "pool ipam-pool-0b2 (us-east-1, Env=SDLC OU) does not match: Env=SDLC OU is not the OU name 'Prod OU'"},
	}}
	if err := p.WriteText(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// Shares (mode account): + create or associate, - disassociate.
	//
	//   share ipamShare-012345678901 (new)
	//     # account 012345678901 (payments, Root/Workloads/Prod OU): no share yet, 1 pool to share
	//     + share ipamShare-012345678901  principal 012345678901  allowExternalPrincipals=false
	//     # pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'
	//     + pool ipam-pool-0a1
	//
	//   share ipamShare-333333333333 (arn:aws:ram:us-east-1:222222222222:resource-share/0001)
	//     # pool ipam-pool-0b2 (us-east-1, Env=SDLC OU) does not match: Env=SDLC OU is not the OU name 'Prod OU'
	//     - pool ipam-pool-0b2  (kept: prune is off)
	//
	// Plan: 1 share to create, 1 association to add, 0 to remove, 1 kept (prune is off).
}

func ExampleClientToken() {
	first, again := share.ClientToken("ipamShare-012345678901"), share.ClientToken("ipamShare-"+"012345678901")
	fmt.Println(first == again, len(first), first != share.ClientToken("ipamShare-12345678901"))
	// Output:
	// true 40 true
}
