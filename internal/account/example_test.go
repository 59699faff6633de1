package account_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/internal/awsfake"
)

// ExampleListTree prints the OU tree of the demo organization, read as its
// management account.
func ExampleListTree() {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1") // config.LoadDefaultConfig in a program

	tree, err := account.ListTree(context.TODO(), organizations.NewFromConfig(cfg))
	if err != nil {
		panic(err)
	}
	for _, a := range tree.Accounts {
		fmt.Println(a.ID, a.State, a.Path)
	}
	// Output:
	// 111111111111 ACTIVE Root
	// 222222222222 ACTIVE Root/Infrastructure
	// 333333333333 ACTIVE Root/Workloads/Prod OU
	// 444444444444 ACTIVE Root/Workloads/SDLC OU
	// 555555555555 ACTIVE Root/Workloads/SDLC OU
}

// ExampleConfigs builds an EC2 client in every member account of the demo
// organization, through each account's role, from the management account's
// configuration; the caller's own account is read with its own
// credentials.
func ExampleConfigs() {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.TODO()
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")

	caller, err := account.Identify(ctx, sts.NewFromConfig(cfg))
	if err != nil {
		panic(err)
	}
	accounts, err := account.ListAccounts(ctx, organizations.NewFromConfig(cfg))
	if err != nil {
		panic(err)
	}
	var ids []string
	for _, a := range accounts {
		if a.Active() {
			ids = append(ids, a.ID)
		}
	}
	targets := account.AccountTargets(caller.ARN, ids, []string{"us-east-1"}, "OrganizationAccountAccessRole", "")
	configs := account.New(cfg)
	for _, t := range account.WithoutRoleFor(targets, caller.AccountID) {
		tcfg, err := configs.Config(ctx, t)
		if err != nil {
			panic(err)
		}
		out, err := ec2.NewFromConfig(tcfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil {
			panic(err)
		}
		fmt.Println(t, len(out.Vpcs), "VPCs, role:", t.RoleARN != "")
	}
	fmt.Println(configs.APICalls(), "API calls: 4 AssumeRole, 5 DescribeVpcs")
	// Output:
	// 111111111111/us-east-1 0 VPCs, role: false
	// 222222222222/us-east-1 0 VPCs, role: true
	// 333333333333/us-east-1 1 VPCs, role: true
	// 444444444444/us-east-1 2 VPCs, role: true
	// 555555555555/us-east-1 1 VPCs, role: true
	// 9 API calls: 4 AssumeRole, 5 DescribeVpcs
}
