package awsfake

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGenerateManyAccounts pages through the accounts of a generated
// organization of several hundred accounts: every account once, in
// order, 20 a page, and one more account added later shows in place.
func TestGenerateManyAccounts(t *testing.T) {
	const n = 300
	w, err := Generate(GenerateOptions{Accounts: n, Regions: []string{"us-east-1", "us-west-2"}, Seed: 3})
	require.NoError(t, err)
	srv := startServer(t, w)
	list := func() []string {
		var ids []string
		p := organizations.NewListAccountsPaginator(orgClient(srv, DefaultAccessKeyID), &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.Accounts), 20)
			for _, a := range out.Accounts {
				ids = append(ids, aws.ToString(a.Id))
			}
		}
		return ids
	}
	ids := list()
	require.Len(t, ids, n+1, "the members and the management account")
	assert.True(t, slices.IsSorted(ids), "in ascending order")
	assert.Contains(t, ids, GeneratedAccountID(n-1))
	assert.Equal(t, 16, len(callsTo(srv, "ListAccounts")), "ceil(301/20) pages")

	srv.mu.Lock()
	require.NoError(t, srv.st.addAccount(srv.st.rootID, "000000000007", "late", "late@example.com"))
	srv.mu.Unlock()
	again := list()
	assert.Equal(t, "000000000007", again[0], "an account added later is listed in its place")
	assert.Len(t, again, n+2)
}

// TestViewsKeptAcrossCredentials proves that calls which change no
// resource (STS) keep the computed views of IPAM, and EC2 writes do not.
func TestViewsKeptAcrossCredentials(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	version := func() uint64 {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.st.version
	}
	before := version()
	_, err := stsClient(srv, DefaultAccessKeyID, "us-east-1").AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + prodAccount + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("scan"),
	})
	require.NoError(t, err)
	assert.Equal(t, before, version(), "AssumeRole changes no resource")

	_, err = ec2Client(srv, prodKey, "us-east-1").CreateTags(t.Context(), &ec2.CreateTagsInput{
		Resources: []string{w.prodVPCs[0]}, Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("net")}},
	})
	require.NoError(t, err)
	assert.Greater(t, version(), before, "an EC2 write may change IPAM's views")
}
