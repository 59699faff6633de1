package share

// gomock tests of planning and applying: the organization, the pools and
// the shares scripted call by call.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

const (
	mNet    = "222222222222"
	mAcct   = "012345678901"
	mOrg    = "o-abcdefghij"
	mRoot   = "r-ab12"
	mProdOU = "ou-ab12-prod0001"
	mPayOU  = "ou-ab12-paym0001"
	mWorkOU = "ou-ab12-work0001"
)

func poolARN(id string) string { return "arn:aws:ec2::" + mNet + ":ipam-pool/" + id }

type mocks struct {
	ram *MockRAMAPI
	ec2 *MockEC2API
	org *MockOrganizationsAPI
}

func newMocks(t *testing.T) mocks {
	ctrl := gomock.NewController(t)
	return mocks{ram: NewMockRAMAPI(ctrl), ec2: NewMockEC2API(ctrl), org: NewMockOrganizationsAPI(ctrl)}
}

func (m mocks) reconciler(optFns ...func(*Options)) *Reconciler {
	return NewReconciler(m.ram, m.ec2, m.org, append([]func(*Options){noSleep}, optFns...)...)
}

// locate scripts Locate of mAcct in state, under the units given from its
// parent up (the last is the root): "ou-…=Name" or the root.
func (m mocks) locate(state orgtypes.AccountState, units ...[2]string) {
	m.org.EXPECT().DescribeAccount(gomock.Any(), &organizations.DescribeAccountInput{AccountId: aws.String(mAcct)}, gomock.Any()).
		Return(&organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: aws.String(mAcct), Name: aws.String("payments"), State: state,
			Arn: aws.String("arn:aws:organizations::111111111111:account/" + mOrg + "/" + mAcct)}}, nil)
	child := mAcct
	for _, u := range units {
		typ := orgtypes.ParentTypeOrganizationalUnit
		if u[0] == mRoot {
			typ = orgtypes.ParentTypeRoot
		}
		m.org.EXPECT().ListParents(gomock.Any(), &organizations.ListParentsInput{ChildId: aws.String(child), MaxResults: aws.Int32(20)}, gomock.Any()).
			Return(&organizations.ListParentsOutput{Parents: []orgtypes.Parent{{Id: aws.String(u[0]), Type: typ}}}, nil)
		if typ == orgtypes.ParentTypeRoot {
			m.org.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).
				Return(&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String(mRoot), Name: aws.String("Root")}}}, nil)
			break
		}
		m.org.EXPECT().DescribeOrganizationalUnit(gomock.Any(), &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(u[0])}, gomock.Any()).
			Return(&organizations.DescribeOrganizationalUnitOutput{OrganizationalUnit: &orgtypes.OrganizationalUnit{Id: aws.String(u[0]), Name: aws.String(u[1])}}, nil)
		child = u[0]
	}
}

// nested is mAcct in Root/Workloads/Prod/Payments.
var nested = [][2]string{{mPayOU, "Payments"}, {mProdOU, "Prod"}, {mWorkOU, "Workloads"}, {mRoot, "Root"}}

// pool is an IPAM pool as DescribeIpamPools lists it.
func pool(id, locale string, tags ...string) ec2types.IpamPool {
	p := ec2types.IpamPool{IpamPoolId: aws.String(id), IpamPoolArn: aws.String(poolARN(id)), Locale: aws.String(locale),
		OwnerId: aws.String(mNet), State: ec2types.IpamPoolStateCreateComplete}
	for i := 0; i+1 < len(tags); i += 2 {
		p.AllocationResourceTags = append(p.AllocationResourceTags, ec2types.IpamResourceTag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	return p
}

func (m mocks) pools(pools ...ec2types.IpamPool) {
	m.ec2.EXPECT().DescribeIpamPools(gomock.Any(), &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(1000)}, gomock.Any()).
		Return(&ec2.DescribeIpamPoolsOutput{IpamPools: pools}, nil)
}

// liveShare scripts the two share listings of one account (by name, by
// tag) and, when arn is not empty, the share and its associations.
func (m mocks) share(name, tag, arn string, principals []string, pools ...string) {
	var shares []ramtypes.ResourceShare
	if arn != "" {
		shares = []ramtypes.ResourceShare{{ResourceShareArn: aws.String(arn), Name: aws.String(name), Status: ramtypes.ResourceShareStatusActive,
			AllowExternalPrincipals: aws.Bool(false), CreationTime: aws.Time(time.Unix(1, 0))}}
	}
	m.ram.EXPECT().GetResourceShares(gomock.Any(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, Name: aws.String(name), MaxResults: aws.Int32(500)}, gomock.Any()).
		Return(&ram.GetResourceSharesOutput{ResourceShares: shares}, nil)
	m.ram.EXPECT().GetResourceShares(gomock.Any(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, MaxResults: aws.Int32(500),
		TagFilters: []ramtypes.TagFilter{{TagKey: aws.String(DefaultShareTagKey), TagValues: []string{tag}}}}, gomock.Any()).
		Return(&ram.GetResourceSharesOutput{}, nil)
	if arn == "" {
		return
	}
	var ps, rs []ramtypes.ResourceShareAssociation
	for _, p := range principals {
		ps = append(ps, ramtypes.ResourceShareAssociation{ResourceShareArn: aws.String(arn), AssociatedEntity: aws.String(p), Status: ramtypes.ResourceShareAssociationStatusAssociated})
	}
	for _, p := range pools {
		rs = append(rs, ramtypes.ResourceShareAssociation{ResourceShareArn: aws.String(arn), AssociatedEntity: aws.String(poolARN(p)), Status: ramtypes.ResourceShareAssociationStatusAssociated})
	}
	m.associations(arn, ps, rs)
}

// associations scripts one read of both association types of a share.
func (m mocks) associations(arn string, principals, resources []ramtypes.ResourceShareAssociation) {
	m.ram.EXPECT().GetResourceShareAssociations(gomock.Any(), &ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypePrincipal,
		ResourceShareArns: []string{arn}, MaxResults: aws.Int32(500)}, gomock.Any()).Return(&ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: principals}, nil)
	m.ram.EXPECT().GetResourceShareAssociations(gomock.Any(), &ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypeResource,
		ResourceShareArns: []string{arn}, MaxResults: aws.Int32(500)}, gomock.Any()).Return(&ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: resources}, nil)
}

func assoc(arn, entity string, status ramtypes.ResourceShareAssociationStatus) ramtypes.ResourceShareAssociation {
	return ramtypes.ResourceShareAssociation{ResourceShareArn: aws.String(arn), AssociatedEntity: aws.String(entity), Status: status}
}

const shareARN = "arn:aws:ram:us-east-1:222222222222:resource-share/0001"

var shareName = SharePrefix + mAcct

func TestPlanAccount(t *testing.T) {
	t.Parallel()
	prodPools := []ec2types.IpamPool{pool("ipam-pool-0a1", "us-east-1", "Env", "Prod"), pool("ipam-pool-0b2", "us-west-2", "Env", "Prod"),
		pool("ipam-pool-0c3", "us-east-1", "Env", "Payments"), pool("ipam-pool-0d4", "us-east-1")}
	tests := []struct {
		name    string
		opts    func(*Options)
		state   orgtypes.AccountState
		units   [][2]string
		pools   []ec2types.IpamPool
		share   []string // principals and pools of the live share; nil for none
		want    []string // kind, pool or principal, reason
		notes   []string
		summary Summary
	}{
		{
			name: "nested OU, its own name", state: orgtypes.AccountStateActive, units: nested, pools: prodPools,
			want: []string{
				"create-share 012345678901: account 012345678901 (payments, Root/Workloads/Prod/Payments): no share yet, 1 pool to share",
				"associate-pool ipam-pool-0c3: pool ipam-pool-0c3 (us-east-1, Env=Payments) matches: OU name 'Payments'",
			},
			summary: Summary{Create: 1, Associate: 1},
		},
		{
			name: "nested OU, path pattern of an ancestor", state: orgtypes.AccountStateActive, units: nested, pools: prodPools,
			opts: func(o *Options) { o.Rules = []Rule{{By: ByOUPath, Locales: []string{"us-east-1"}}} },
			want: []string{
				"create-share 012345678901: account 012345678901 (payments, Root/Workloads/Prod/Payments): no share yet, 2 pools to share",
				"associate-pool ipam-pool-0a1: pool ipam-pool-0a1 (us-east-1, Env=Prod) matches: OU path 'Root/Workloads/Prod/Payments' matches 'Prod'",
				"associate-pool ipam-pool-0c3: pool ipam-pool-0c3 (us-east-1, Env=Payments) matches: OU path 'Root/Workloads/Prod/Payments' matches 'Payments'",
			},
			summary: Summary{Create: 1, Associate: 2},
		},
		{
			name: "no matching pool: no share at all", state: orgtypes.AccountStateActive, units: [][2]string{{mWorkOU, "Workloads"}, {mRoot, "Root"}}, pools: prodPools,
		},
		{
			name: "directly under the root", state: orgtypes.AccountStateActive, units: [][2]string{{mRoot, "Root"}},
			pools: []ec2types.IpamPool{pool("ipam-pool-0e5", "", "Env", "Root")},
			want: []string{
				"create-share 012345678901: account 012345678901 (payments, Root): no share yet, 1 pool to share",
				"associate-pool ipam-pool-0e5: pool ipam-pool-0e5 (no locale, Env=Root) matches: OU name 'Root'",
			},
			summary: Summary{Create: 1, Associate: 1},
		},
		{
			name: "a share with extra pools, without prune", state: orgtypes.AccountStateActive, units: nested, pools: prodPools,
			share: []string{mAcct, "ipam-pool-0a1", "ipam-pool-0c3", "ipam-pool-0ff"},
			want: []string{
				"disassociate-pool ipam-pool-0a1: pool ipam-pool-0a1 (us-east-1, Env=Prod) does not match: Env=Prod is not the OU name 'Payments' (kept)",
				"disassociate-pool ipam-pool-0ff: arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0ff is not a pool the networking account shares: deleted, or in another scope (kept)",
			},
			summary: Summary{Kept: 2},
		},
		{
			name: "a share with extra pools and no principal, with prune", state: orgtypes.AccountStateActive, units: nested, pools: prodPools,
			opts:  func(o *Options) { o.Prune = true },
			share: []string{"ipam-pool-0a1"},
			want: []string{
				"associate-principal : the share does not name account 012345678901 (payments, Root/Workloads/Prod/Payments)",
				"associate-pool ipam-pool-0c3: pool ipam-pool-0c3 (us-east-1, Env=Payments) matches: OU name 'Payments'",
				"disassociate-pool ipam-pool-0a1: pool ipam-pool-0a1 (us-east-1, Env=Prod) does not match: Env=Prod is not the OU name 'Payments'",
			},
			summary: Summary{Associate: 2, Disassociate: 1},
		},
		{
			name: "account suspended: nothing new, its pools pruned", state: orgtypes.AccountStateSuspended, units: nested, pools: prodPools,
			opts:  func(o *Options) { o.Prune = true },
			share: []string{mAcct, "ipam-pool-0c3"},
			want: []string{
				"disassociate-pool ipam-pool-0c3: pool ipam-pool-0c3: account 012345678901 (payments, Root/Workloads/Prod/Payments) is not active",
			},
			notes:   []string{"account 012345678901 (payments, Root/Workloads/Prod/Payments) is not active: it is never shared with"},
			summary: Summary{Disassociate: 1},
		},
		{
			name: "account closed, no share: nothing", state: orgtypes.AccountStateClosed, units: nested, pools: prodPools,
			notes: []string{"account 012345678901 (payments, Root/Workloads/Prod/Payments) is not active: it is never shared with"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMocks(t)
			m.locate(tt.state, tt.units...)
			m.pools(tt.pools...)
			if tt.share == nil {
				m.share(shareName, "account/"+mAcct, "", nil)
			} else {
				var principals, pools []string
				for _, e := range tt.share {
					if e == mAcct {
						principals = append(principals, e)
					} else {
						pools = append(pools, e)
					}
				}
				m.share(shareName, "account/"+mAcct, shareARN, principals, pools...)
			}
			opts := func(*Options) {}
			if tt.opts != nil {
				opts = tt.opts
			}
			p, err := m.reconciler(opts).PlanAccount(t.Context(), mAcct)
			require.NoError(t, err)
			var got, notes []string
			for _, c := range p.Changes {
				what := c.PoolID
				if c.Kind == KindCreateShare {
					what = c.Principal
				}
				s := fmt.Sprintf("%s %s: %s", c.Kind, what, c.Reason)
				if c.Kept {
					s += " (kept)"
				}
				got = append(got, s)
			}
			for _, n := range p.Notes {
				notes = append(notes, n.Msg)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.notes, notes)
			assert.Equal(t, tt.summary, p.Summary())
		})
	}
}

func TestApplyBatchesAndWaits(t *testing.T) {
	t.Parallel()
	m := newMocks(t)
	m.locate(orgtypes.AccountStateActive, nested...)
	var pools []ec2types.IpamPool
	var arns []string
	for i := range 205 {
		id := fmt.Sprintf("ipam-pool-%03x", i)
		pools = append(pools, pool(id, "us-east-1", "Env", "Payments"))
		arns = append(arns, poolARN(id))
	}
	m.pools(pools...)
	m.share(shareName, "account/"+mAcct, "", nil)
	gomock.InOrder(
		m.ram.EXPECT().CreateResourceShare(gomock.Any(), &ram.CreateResourceShareInput{
			Name: aws.String(shareName), Principals: []string{mAcct}, ResourceArns: arns[:100],
			AllowExternalPrincipals: aws.Bool(false), ClientToken: aws.String(ClientToken(shareName)),
			Tags: []ramtypes.Tag{{Key: aws.String(DefaultShareTagKey), Value: aws.String("account/" + mAcct)}},
		}, gomock.Any()).Return(&ram.CreateResourceShareOutput{ResourceShare: &ramtypes.ResourceShare{ResourceShareArn: aws.String(shareARN)}}, nil),
		m.ram.EXPECT().AssociateResourceShare(gomock.Any(), &ram.AssociateResourceShareInput{ResourceShareArn: aws.String(shareARN), ResourceArns: arns[100:200]}, gomock.Any()).
			Return(&ram.AssociateResourceShareOutput{}, nil),
		m.ram.EXPECT().AssociateResourceShare(gomock.Any(), &ram.AssociateResourceShareInput{ResourceShareArn: aws.String(shareARN), ResourceArns: arns[200:]}, gomock.Any()).
			Return(&ram.AssociateResourceShareOutput{}, nil),
	)
	// The waiter reads twice: still associating, then associated.
	m.associations(shareARN, []ramtypes.ResourceShareAssociation{assoc(shareARN, mAcct, ramtypes.ResourceShareAssociationStatusAssociating)}, nil)
	m.associations(shareARN, []ramtypes.ResourceShareAssociation{assoc(shareARN, mAcct, ramtypes.ResourceShareAssociationStatusAssociated)},
		[]ramtypes.ResourceShareAssociation{assoc(shareARN, arns[0], ramtypes.ResourceShareAssociationStatusAssociated)})
	var slept []time.Duration
	r := m.reconciler(func(o *Options) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
		o.sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	})
	res, err := r.ReconcileAccount(t.Context(), mAcct)
	require.NoError(t, err)
	assert.Len(t, res.Applied, 206)
	assert.Equal(t, shareARN, res.Applied[205].ShareARN)
	require.Len(t, slept, 1)
	assert.LessOrEqual(t, slept[0], 2*time.Millisecond)
}

func TestApplyErrors(t *testing.T) {
	t.Parallel()
	throttled := &ramtypes.ThrottlingException{Message: aws.String("Rate exceeded")}
	tests := []struct {
		name     string
		create   error
		then     func(m mocks)
		terminal bool
		is       any
	}{
		{name: "RAM throttling outlasting the retries", create: throttled, is: new(*ramtypes.ThrottlingException)},
		{name: "access denied", create: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}, terminal: true},
		{name: "malformed ARN", create: &ramtypes.MalformedArnException{Message: aws.String("bad")}, terminal: true, is: new(*ramtypes.MalformedArnException)},
		{name: "service unavailable", create: &ramtypes.ServiceUnavailableException{Message: aws.String("try later")}},
		{
			name: "token reused with other pools: the share is found and completed", create: &ramtypes.IdempotentParameterMismatchException{Message: aws.String("mismatch")},
			then: func(m mocks) {
				m.ram.EXPECT().GetResourceShares(gomock.Any(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, Name: aws.String(shareName),
					ResourceShareStatus: ramtypes.ResourceShareStatusActive, MaxResults: aws.Int32(500)}, gomock.Any()).
					Return(&ram.GetResourceSharesOutput{ResourceShares: []ramtypes.ResourceShare{{Name: aws.String(shareName), ResourceShareArn: aws.String(shareARN)}}}, nil)
				m.ram.EXPECT().AssociateResourceShare(gomock.Any(), &ram.AssociateResourceShareInput{ResourceShareArn: aws.String(shareARN),
					Principals: []string{mAcct}, ResourceArns: []string{poolARN("ipam-pool-0c3")}}, gomock.Any()).Return(&ram.AssociateResourceShareOutput{}, nil)
				m.associations(shareARN, []ramtypes.ResourceShareAssociation{assoc(shareARN, mAcct, ramtypes.ResourceShareAssociationStatusFailed)}, nil)
			},
			terminal: true, is: new(*AssociationError),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMocks(t)
			m.locate(orgtypes.AccountStateActive, nested...)
			m.pools(pool("ipam-pool-0c3", "us-east-1", "Env", "Payments"))
			m.share(shareName, "account/"+mAcct, "", nil)
			m.ram.EXPECT().CreateResourceShare(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, tt.create)
			if tt.then != nil {
				tt.then(m)
			}
			_, err := m.reconciler().ReconcileAccount(t.Context(), mAcct)
			require.Error(t, err)
			assert.Equal(t, tt.terminal, IsTerminal(err), "%v", err)
			if tt.is != nil {
				assert.ErrorAs(t, err, tt.is)
			}
		})
	}
}

func TestOrganizationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		terminal bool
	}{
		{"access denied", &orgtypes.AccessDeniedException{Message: aws.String("no")}, true},
		{"no such account", &orgtypes.AccountNotFoundException{Message: aws.String("no")}, true},
		{"throttled", &orgtypes.TooManyRequestsException{Message: aws.String("slow down")}, false},
		{"cancelled", context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMocks(t)
			m.org.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, tt.err)
			_, err := m.reconciler().PlanAccount(t.Context(), mAcct)
			require.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.terminal, IsTerminal(err))
			assert.ErrorContains(t, err, mAcct)
		})
	}
}

func TestPlanAllPaging(t *testing.T) {
	t.Parallel()
	m := newMocks(t)
	acct := func(id string, state orgtypes.AccountState) orgtypes.Account {
		return orgtypes.Account{Id: aws.String(id), Name: aws.String("a" + id[9:]), State: state, Arn: aws.String("arn:aws:organizations::111111111111:account/" + mOrg + "/" + id)}
	}
	// Root holds one account over two pages and Prod; Prod holds two.
	m.org.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).
		Return(&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String(mRoot), Name: aws.String("Root")}}}, nil)
	gomock.InOrder(
		m.org.EXPECT().ListAccountsForParent(gomock.Any(), &organizations.ListAccountsForParentInput{ParentId: aws.String(mRoot), MaxResults: aws.Int32(20)}, gomock.Any()).
			Return(&organizations.ListAccountsForParentOutput{NextToken: aws.String("t1")}, nil),
		m.org.EXPECT().ListAccountsForParent(gomock.Any(), &organizations.ListAccountsForParentInput{ParentId: aws.String(mRoot), MaxResults: aws.Int32(20), NextToken: aws.String("t1")}, gomock.Any()).
			Return(&organizations.ListAccountsForParentOutput{Accounts: []orgtypes.Account{acct("111111111111", orgtypes.AccountStateActive)}}, nil),
	)
	m.org.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(mRoot), MaxResults: aws.Int32(20)}, gomock.Any()).
		Return(&organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: []orgtypes.OrganizationalUnit{{Id: aws.String(mProdOU), Name: aws.String("Prod"),
			Arn: aws.String("arn:aws:organizations::111111111111:ou/" + mOrg + "/" + mProdOU)}}}, nil)
	m.org.EXPECT().ListAccountsForParent(gomock.Any(), &organizations.ListAccountsForParentInput{ParentId: aws.String(mProdOU), MaxResults: aws.Int32(20)}, gomock.Any()).
		Return(&organizations.ListAccountsForParentOutput{Accounts: []orgtypes.Account{acct("000000000001", orgtypes.AccountStateActive), acct("000000000002", orgtypes.AccountStateSuspended)}}, nil)
	m.org.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(mProdOU), MaxResults: aws.Int32(20)}, gomock.Any()).
		Return(&organizations.ListOrganizationalUnitsForParentOutput{}, nil)
	gomock.InOrder(
		m.ec2.EXPECT().DescribeIpamPools(gomock.Any(), &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(1000)}, gomock.Any()).
			Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []ec2types.IpamPool{pool("ipam-pool-0b2", "us-east-1", "Env", "Prod")}, NextToken: aws.String("p2")}, nil),
		m.ec2.EXPECT().DescribeIpamPools(gomock.Any(), &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(1000), NextToken: aws.String("p2")}, gomock.Any()).
			DoAndReturn(func(_ context.Context, in *ec2.DescribeIpamPoolsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIpamPoolsOutput, error) {
				deleting := pool("ipam-pool-0c3", "us-east-1", "Env", "Prod")
				deleting.State = ec2types.IpamPoolStateDeleteInProgress
				return &ec2.DescribeIpamPoolsOutput{IpamPools: []ec2types.IpamPool{pool("ipam-pool-0a1", "us-west-2", "Env", "Prod"), deleting}}, nil
			}),
	)
	arn1 := "arn:aws:ram:us-east-1:222222222222:resource-share/0001"
	other := "arn:aws:ram:us-east-1:222222222222:resource-share/0099"
	gomock.InOrder(
		m.ram.EXPECT().GetResourceShares(gomock.Any(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, MaxResults: aws.Int32(500)}, gomock.Any()).
			Return(&ram.GetResourceSharesOutput{ResourceShares: []ramtypes.ResourceShare{{Name: aws.String("unrelated"), ResourceShareArn: aws.String(other), Status: ramtypes.ResourceShareStatusActive}}, NextToken: aws.String("s2")}, nil),
		m.ram.EXPECT().GetResourceShares(gomock.Any(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, MaxResults: aws.Int32(500), NextToken: aws.String("s2")}, gomock.Any()).
			Return(&ram.GetResourceSharesOutput{ResourceShares: []ramtypes.ResourceShare{
				{Name: aws.String("ipamShare-000000000001"), ResourceShareArn: aws.String(arn1), Status: ramtypes.ResourceShareStatusActive,
					Tags: []ramtypes.Tag{{Key: aws.String(DefaultShareTagKey), Value: aws.String("account/000000000001")}}},
				{Name: aws.String("ipamShare-000000000002"), ResourceShareArn: aws.String("arn:aws:ram:us-east-1:222222222222:resource-share/dead"), Status: ramtypes.ResourceShareStatusDeleted},
			}}, nil),
	)
	gomock.InOrder(
		m.ram.EXPECT().GetResourceShareAssociations(gomock.Any(), &ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypePrincipal, MaxResults: aws.Int32(500)}, gomock.Any()).
			Return(&ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: []ramtypes.ResourceShareAssociation{assoc(arn1, "000000000001", ramtypes.ResourceShareAssociationStatusAssociated)}, NextToken: aws.String("a2")}, nil),
		m.ram.EXPECT().GetResourceShareAssociations(gomock.Any(), &ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypePrincipal, MaxResults: aws.Int32(500), NextToken: aws.String("a2")}, gomock.Any()).
			Return(&ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: []ramtypes.ResourceShareAssociation{assoc(other, "999999999999", ramtypes.ResourceShareAssociationStatusAssociated)}}, nil),
		m.ram.EXPECT().GetResourceShareAssociations(gomock.Any(), &ram.GetResourceShareAssociationsInput{AssociationType: ramtypes.ResourceShareAssociationTypeResource, MaxResults: aws.Int32(500)}, gomock.Any()).
			Return(&ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: []ramtypes.ResourceShareAssociation{
				assoc(arn1, poolARN("ipam-pool-0b2"), ramtypes.ResourceShareAssociationStatusAssociated),
				assoc(arn1, poolARN("ipam-pool-0a1"), ramtypes.ResourceShareAssociationStatusDisassociated),
			}}, nil),
	)
	p, err := m.reconciler().PlanAll(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []Change{{Kind: KindAssociatePool, Share: "ipamShare-000000000001", ShareARN: arn1, PoolID: "ipam-pool-0a1", PoolARN: poolARN("ipam-pool-0a1"),
		Reason: "pool ipam-pool-0a1 (us-west-2, Env=Prod) matches: OU name 'Prod'"}}, p.Changes)
	assert.Equal(t, []Note{{AccountID: "000000000002", Msg: "account 000000000002 (a002, Root/Prod) is not active: it is never shared with"}}, p.Notes)
	assert.Equal(t, 3, p.Accounts)
	assert.Equal(t, 1, p.Shares)
}

func TestWaitTimeout(t *testing.T) {
	t.Parallel()
	m := newMocks(t)
	m.associations(shareARN, []ramtypes.ResourceShareAssociation{assoc(shareARN, mAcct, ramtypes.ResourceShareAssociationStatusAssociating)}, nil)
	r := m.reconciler(func(o *Options) { o.MinDelay = time.Hour })
	err := r.WaitAssociations(t.Context(), []string{shareARN}, time.Minute)
	require.ErrorIs(t, err, ErrWaitTimeout)
	assert.False(t, IsTerminal(err))
	assert.ErrorContains(t, err, mAcct+" ASSOCIATING")
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	r := NewReconciler(nil, nil, nil, func(o *Options) { o.Mode = "team"; o.Rules = []Rule{{By: "colour"}} })
	_, err := r.PlanAll(t.Context())
	require.Error(t, err)
	assert.True(t, IsTerminal(err))
	assert.Equal(t, "unknown mode \"team\": use \"account\" or \"ou\"\nrule on tag \"Env\": unknown comparison \"colour\": use \"ou-name\", \"ou-id\" or \"ou-path\"", err.Error())
	assert.False(t, errors.Is(err, ErrInvalidAccountID))
}
