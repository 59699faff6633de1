package awsfake

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ramClient(srv *Server, key string) *ram.Client {
	return ram.NewFromConfig(clientConfig(srv, key, "us-east-1"))
}

// associationStates reads the share's principal associations once.
func associationStates(t *testing.T, client *ram.Client, share string) map[string]types.ResourceShareAssociationStatus {
	t.Helper()
	out, err := client.GetResourceShareAssociations(t.Context(), &ram.GetResourceShareAssociationsInput{
		AssociationType: types.ResourceShareAssociationTypePrincipal, ResourceShareArns: []string{share},
	})
	require.NoError(t, err)
	got := map[string]types.ResourceShareAssociationStatus{}
	for _, a := range out.ResourceShareAssociations {
		got[aws.ToString(a.AssociatedEntity)] = a.Status
	}
	return got
}

func TestResourceShareLifecycle(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	network := ramClient(srv, networkKey)
	ctx := t.Context()
	orgID := w.world.orgIDForTest(t)
	prodOU := "arn:aws:organizations::" + mgmtAccount + ":ou/" + orgID + "/" + w.prodOU
	poolARN := "arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPool

	created, err := network.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("ipamShare-" + prodAccount), ResourceArns: []string{poolARN}, Principals: []string{prodOU, devAccount},
		Tags: []types.Tag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}}, AllowExternalPrincipals: aws.Bool(false),
	})
	require.NoError(t, err)
	share := aws.ToString(created.ResourceShare.ResourceShareArn)
	assert.Regexp(t, `^arn:aws:ram:us-east-1:`+networkAccount+`:resource-share/[0-9a-f-]{36}$`, share)
	assert.NotEmpty(t, aws.ToString(created.ClientToken), "the server makes up a token when none is sent")
	assert.Equal(t, networkAccount, aws.ToString(created.ResourceShare.OwningAccountId))
	assert.False(t, aws.ToBool(created.ResourceShare.AllowExternalPrincipals))
	assert.Equal(t, types.ResourceShareStatusActive, created.ResourceShare.Status)

	prod := ramClient(srv, prodKey)
	seen := func() int {
		out, err := prod.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: types.ResourceOwnerOtherAccounts})
		require.NoError(t, err)
		return len(out.ResourceShares)
	}
	assert.Equal(t, 0, seen(), "not shared while associating")
	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{prodOU: "ASSOCIATING", devAccount: "ASSOCIATING"}, associationStates(t, network, share))
	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{prodOU: "ASSOCIATED", devAccount: "ASSOCIATED"}, associationStates(t, network, share))
	assert.Equal(t, 1, seen(), "an account of the OU sees the share")

	for range 2 { // resource associations settle when read, too
		_, err := network.GetResourceShareAssociations(ctx, &ram.GetResourceShareAssociationsInput{AssociationType: types.ResourceShareAssociationTypeResource})
		require.NoError(t, err)
	}
	resources, err := prod.ListResources(ctx, &ram.ListResourcesInput{ResourceOwner: types.ResourceOwnerOtherAccounts})
	require.NoError(t, err)
	require.Len(t, resources.Resources, 1)
	assert.Equal(t, poolARN, aws.ToString(resources.Resources[0].Arn))
	assert.Equal(t, "ec2:IpamPool", aws.ToString(resources.Resources[0].Type))

	dis, err := network.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &share, Principals: []string{prodOU}})
	require.NoError(t, err)
	require.Len(t, dis.ResourceShareAssociations, 1)
	assert.Equal(t, types.ResourceShareAssociationStatusDisassociating, dis.ResourceShareAssociations[0].Status)
	associationStates(t, network, share)
	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{prodOU: "DISASSOCIATED", devAccount: "ASSOCIATED"}, associationStates(t, network, share))
	assert.Equal(t, 0, seen())

	again, err := network.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &share, Principals: []string{prodAccount}})
	require.NoError(t, err)
	assert.Equal(t, types.ResourceShareAssociationStatusAssociating, again.ResourceShareAssociations[0].Status)
	associationStates(t, network, share)
	assert.Equal(t, 1, seen(), "shared with the account itself")
}

func TestResourceShareClientToken(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ramClient(srv, networkKey)
	in := ram.CreateResourceShareInput{Name: aws.String("s"), Principals: []string{prodAccount}, ClientToken: aws.String("t-1")}
	first, err := client.CreateResourceShare(t.Context(), &in)
	require.NoError(t, err)
	second, err := client.CreateResourceShare(t.Context(), &in)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.ResourceShare.ResourceShareArn), aws.ToString(second.ResourceShare.ResourceShareArn), "a retried create makes no second share")
	assert.Equal(t, "t-1", aws.ToString(second.ClientToken))
	in.Name = aws.String("other")
	_, err = client.CreateResourceShare(t.Context(), &in)
	var mismatch *types.IdempotentParameterMismatchException
	assert.ErrorAs(t, err, &mismatch)
}

func TestResourceShareErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ramClient(srv, networkKey)
	ctx := t.Context()
	tests := []struct {
		name     string
		in       ram.CreateResourceShareInput
		wantCode string
	}{
		{"unknown pool", ram.CreateResourceShareInput{Name: aws.String("s"), ResourceArns: []string{"arn:aws:ec2::" + networkAccount + ":ipam-pool/ipam-pool-0123456789abcdef0"}}, "UnknownResourceException"},
		{"another account's pool", ram.CreateResourceShareInput{Name: aws.String("s"), ResourceArns: []string{"arn:aws:ec2::" + prodAccount + ":ipam-pool/" + w.prodPool}}, "UnknownResourceException"},
		{"not an ARN", ram.CreateResourceShareInput{Name: aws.String("s"), ResourceArns: []string{"pool"}}, "MalformedArnException"},
		{"bad principal", ram.CreateResourceShareInput{Name: aws.String("s"), Principals: []string{"someone"}}, "InvalidParameterException"},
		{"external principal not allowed", ram.CreateResourceShareInput{Name: aws.String("s"), Principals: []string{"999999999999"}, AllowExternalPrincipals: aws.Bool(false)}, "OperationNotPermittedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.CreateResourceShare(ctx, &tt.in)
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
	_, err := client.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: types.ResourceOwnerSelf, MaxResults: aws.Int32(501)})
	var maxResults *types.InvalidMaxResultsException
	assert.ErrorAs(t, err, &maxResults)
	_, err = client.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: types.ResourceOwnerSelf, NextToken: aws.String("junk")})
	var token *types.InvalidNextTokenException
	assert.ErrorAs(t, err, &token)
	_, err = client.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: aws.String("arn:aws:ram:us-east-1:" + networkAccount + ":resource-share/nope"), Principals: []string{prodAccount}})
	var unknown *types.UnknownResourceException
	assert.ErrorAs(t, err, &unknown)
}

func TestGetResourceSharesPages(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ramClient(srv, networkKey)
	for i := range 7 {
		_, err := client.CreateResourceShare(t.Context(), &ram.CreateResourceShareInput{Name: aws.String(fmt.Sprintf("share-%d", i))})
		require.NoError(t, err)
	}
	p := ram.NewGetResourceSharesPaginator(client, &ram.GetResourceSharesInput{ResourceOwner: types.ResourceOwnerSelf, MaxResults: aws.Int32(3)})
	var pages []int
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		pages = append(pages, len(out.ResourceShares))
	}
	assert.Equal(t, []int{3, 3, 1}, pages)
}

func TestDeleteResourceShare(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	network := ramClient(srv, networkKey)
	ctx := t.Context()
	poolARN := "arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPool
	created, err := network.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("doomed"), ResourceArns: []string{poolARN}, Principals: []string{devAccount},
	})
	require.NoError(t, err)
	share := created.ResourceShare.ResourceShareArn

	out, err := network.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: share, ClientToken: aws.String("t1")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(out.ReturnValue))
	assert.Equal(t, "t1", aws.ToString(out.ClientToken))
	_, err = network.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: share, ClientToken: aws.String("t1")})
	require.NoError(t, err, "a retry with the same client token succeeds")
	_, err = network.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: share})
	assert.Equal(t, "InvalidStateTransitionException", errorCode(err), "%v", err)
	_, err = network.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: share, Principals: []string{prodAccount}})
	assert.Equal(t, "InvalidStateTransitionException", errorCode(err), "%v", err)

	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{devAccount: "DISASSOCIATING"}, associationStates(t, network, aws.ToString(share)))
	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{devAccount: "DISASSOCIATED"}, associationStates(t, network, aws.ToString(share)))
	shares := func(status types.ResourceShareStatus) []types.ResourceShareStatus {
		got, err := network.GetResourceShares(ctx, &ram.GetResourceSharesInput{ResourceOwner: types.ResourceOwnerSelf, ResourceShareStatus: status})
		require.NoError(t, err)
		var out []types.ResourceShareStatus
		for _, sh := range got.ResourceShares {
			out = append(out, sh.Status)
		}
		return out
	}
	assert.Equal(t, []types.ResourceShareStatus{types.ResourceShareStatusDeleted}, shares(""))
	assert.Empty(t, shares(types.ResourceShareStatusActive))

	_, err = network.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: aws.String("arn:aws:ram:us-east-1:" + networkAccount + ":resource-share/nope")})
	assert.Equal(t, "UnknownResourceException", errorCode(err), "%v", err)
}

func TestSharedPoolReachesOUMembers(t *testing.T) {
	w := newTestWorld(t)
	srv, clock := timed(t, w.world, Delays{Association: 5 * time.Second})
	network := ramClient(srv, networkKey)
	ctx := t.Context()
	workloads := "arn:aws:organizations::" + mgmtAccount + ":ou/" + w.world.orgIDForTest(t) + "/" + w.workloads
	poolARN := "arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPool
	created, err := network.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("prod"), ResourceArns: []string{poolARN}, Principals: []string{workloads}, AllowExternalPrincipals: aws.Bool(false),
	})
	require.NoError(t, err)
	share := aws.ToString(created.ResourceShare.ResourceShareArn)

	prod := ec2Client(srv, prodKey, "us-east-1")
	visible := func(client *ec2.Client) []string {
		out, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
		require.NoError(t, err)
		var ids []string
		for _, p := range out.IpamPools {
			ids = append(ids, aws.ToString(p.IpamPoolId)+" of "+aws.ToString(p.OwnerId))
		}
		return ids
	}
	vpc := func() (*ec2.CreateVpcOutput, error) {
		return prod.CreateVpc(ctx, &ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, Ipv4NetmaskLength: aws.Int32(20), TagSpecifications: prodVPCTags("Prod OU")})
	}
	assert.Empty(t, visible(prod), "not shared while associating")
	_, err = vpc()
	assert.Equal(t, "InvalidIpamPoolId.NotFound", errorCode(err), "%v", err)
	assert.Equal(t, map[string]types.ResourceShareAssociationStatus{workloads: "ASSOCIATING"}, associationStates(t, network, share),
		"reads do not move a timed association")

	clock.Advance(5 * time.Second)
	assert.Equal(t, []string{w.prodPool + " of " + networkAccount}, visible(prod), "an account in a child OU of the principal sees the pool")
	assert.Empty(t, visible(ec2Client(srv, prodKey, "us-west-2")), "outside the share's region and the pool's locale")
	assert.Empty(t, visible(ec2Client(srv, DefaultAccessKeyID, "us-east-1")), "the management account is not in the OU")
	out, err := vpc()
	require.NoError(t, err, "the member allocates a VPC CIDR from the shared pool")
	assert.Equal(t, "10.0.192.0/20", aws.ToString(out.Vpc.CidrBlock))
	allocs, err := ec2Client(srv, networkKey, "us-east-1").GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{
		IpamPoolId: &w.prodPool, Filters: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{aws.ToString(out.Vpc.VpcId)}}},
	})
	require.NoError(t, err)
	require.Len(t, allocs.IpamPoolAllocations, 1)
	assert.Equal(t, prodAccount, aws.ToString(allocs.IpamPoolAllocations[0].ResourceOwner))

	_, err = network.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &share, Principals: []string{workloads}})
	require.NoError(t, err)
	assert.NotEmpty(t, visible(prod), "still shared while disassociating")
	clock.Advance(5 * time.Second)
	assert.Empty(t, visible(prod))
}

func TestResourceShareIdempotency(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	network := ramClient(srv, networkKey)
	ctx := t.Context()
	named := func() string {
		out, err := network.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: aws.String("ipamShare-" + prodAccount)})
		require.NoError(t, err)
		return aws.ToString(out.ResourceShare.ResourceShareArn)
	}
	assert.NotEqual(t, named(), named(), "RAM does not keep names unique: without a token, a second create is a second share")

	in := ram.CreateResourceShareInput{Name: aws.String("once"), Principals: []string{prodAccount}, ClientToken: aws.String("create-1")}
	first, err := network.CreateResourceShare(ctx, &in)
	require.NoError(t, err)
	share := first.ResourceShare.ResourceShareArn
	_, err = network.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: share})
	require.NoError(t, err)
	replay, err := network.CreateResourceShare(ctx, &in)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(share), aws.ToString(replay.ResourceShare.ResourceShareArn), "the token answers the share it made")
	assert.Equal(t, types.ResourceShareStatusDeleted, replay.ResourceShare.Status, "as it is now")

	live := aws.String(named())
	assoc := ram.AssociateResourceShareInput{ResourceShareArn: live, Principals: []string{devAccount}, ClientToken: aws.String("assoc-1")}
	_, err = network.AssociateResourceShare(ctx, &assoc)
	require.NoError(t, err)
	again, err := network.AssociateResourceShare(ctx, &assoc)
	require.NoError(t, err)
	require.Len(t, again.ResourceShareAssociations, 1)
	assert.Equal(t, devAccount, aws.ToString(again.ResourceShareAssociations[0].AssociatedEntity))
	assoc.Principals = []string{prodAccount}
	_, err = network.AssociateResourceShare(ctx, &assoc)
	var mismatch *types.IdempotentParameterMismatchException
	assert.ErrorAs(t, err, &mismatch, "the same token with another principal")
}

func TestMoveAccountFollowsOUShares(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	network := ramClient(srv, networkKey)
	ctx := t.Context()
	prodOU := "arn:aws:organizations::" + mgmtAccount + ":ou/" + w.world.orgIDForTest(t) + "/" + w.prodOU
	created, err := network.CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("prod"), ResourceArns: []string{"arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPool}, Principals: []string{prodOU},
	})
	require.NoError(t, err)
	share := aws.ToString(created.ResourceShare.ResourceShareArn)
	associationStates(t, network, share)
	_, err = network.GetResourceShareAssociations(ctx, &ram.GetResourceShareAssociationsInput{AssociationType: types.ResourceShareAssociationTypeResource})
	require.NoError(t, err)

	prod := ec2Client(srv, prodKey, "us-east-1")
	sees := func() bool {
		out, err := prod.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
		require.NoError(t, err)
		return len(out.IpamPools) == 1
	}
	require.True(t, sees())
	org := orgClient(srv, DefaultAccessKeyID)
	move := func(from, to string) error {
		_, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(prodAccount), SourceParentId: &from, DestinationParentId: &to})
		return err
	}
	require.NoError(t, move(w.prodOU, w.sdlcOU))
	assert.False(t, sees(), "moved out of the OU, the account loses the pool")
	require.NoError(t, move(w.sdlcOU, w.prodOU))
	assert.True(t, sees())

	var dup *orgtypes.DuplicateAccountException
	assert.ErrorAs(t, move(w.sdlcOU, w.prodOU), &dup)
	var notFound *orgtypes.DestinationParentNotFoundException
	assert.ErrorAs(t, move(w.prodOU, "ou-"+w.root[2:]+"-00000000"), &notFound)
	_, err = orgClient(srv, networkKey).MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(prodAccount), SourceParentId: &w.prodOU, DestinationParentId: &w.sdlcOU})
	var denied *orgtypes.AccessDeniedException
	assert.ErrorAs(t, err, &denied, "a delegated administrator may not move accounts")
}
