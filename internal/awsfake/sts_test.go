package awsfake

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetCallerIdentity(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	tests := []struct {
		key, account, arn string
	}{
		{DefaultAccessKeyID, mgmtAccount, "arn:aws:iam::" + mgmtAccount + ":user/admin"},
		{prodKey, prodAccount, "arn:aws:iam::" + prodAccount + ":user/produser"},
	}
	for _, tt := range tests {
		out, err := stsClient(srv, tt.key, "us-east-1").GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		require.NoError(t, err, "key %s", tt.key)
		assert.Equal(t, tt.account, aws.ToString(out.Account), "key %s", tt.key)
		assert.Equal(t, tt.arn, aws.ToString(out.Arn), "key %s", tt.key)
		assert.Regexp(t, `^AIDA[0-9A-F]{17}$`, aws.ToString(out.UserId))
	}
}

func TestAssumeRoleActsInRoleAccount(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	ctx := t.Context()

	cfg := clientConfig(srv, DefaultAccessKeyID, "us-east-1")
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+prodAccount+":role/OrganizationAccountAccessRole",
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "ipamkit" })
	cfg.Credentials = aws.NewCredentialsCache(provider)

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, prodAccount, aws.ToString(id.Account))
	assert.Equal(t, "arn:aws:sts::"+prodAccount+":assumed-role/OrganizationAccountAccessRole/ipamkit", aws.ToString(id.Arn))
	assert.Regexp(t, `^AROA[0-9A-F]{17}:ipamkit$`, aws.ToString(id.UserId))

	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	require.NoError(t, err)
	assert.Len(t, vpcs.Vpcs, 12, "the prod account's VPCs in us-east-1")

	assumes := callsTo(srv, "AssumeRole")
	require.Len(t, assumes, 1, "credentials are cached")
	assert.Equal(t, mgmtAccount, assumes[0].Account)
	describes := callsTo(srv, "DescribeVpcs")
	require.Len(t, describes, 1)
	assert.Equal(t, prodAccount, describes[0].Account)
}

func TestAssumeRoleErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	tests := []struct {
		name     string
		key      string
		in       sts.AssumeRoleInput
		wantCode string
	}{
		{name: "no such role", key: DefaultAccessKeyID, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + prodAccount + ":role/Nope")}, wantCode: "AccessDenied"},
		{name: "not trusted", key: prodKey, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + devAccount + ":role/OrganizationAccountAccessRole")}, wantCode: "AccessDenied"},
		{name: "ExternalId missing", key: networkKey, in: sts.AssumeRoleInput{RoleArn: &w.externalRole}, wantCode: "AccessDenied"},
		{name: "ExternalId mismatch", key: networkKey, in: sts.AssumeRoleInput{RoleArn: &w.externalRole, ExternalId: aws.String("wrong-id")}, wantCode: "AccessDenied"},
		{name: "ExternalId matches", key: networkKey, in: sts.AssumeRoleInput{RoleArn: &w.externalRole, ExternalId: aws.String("ext-id-123")}},
		{name: "duration too short", key: DefaultAccessKeyID, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + prodAccount + ":role/OrganizationAccountAccessRole"), DurationSeconds: aws.Int32(899)}, wantCode: "ValidationError"},
		{name: "bad session name", key: DefaultAccessKeyID, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + prodAccount + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("has space")}, wantCode: "ValidationError"},
		{name: "not an ARN", key: DefaultAccessKeyID, in: sts.AssumeRoleInput{RoleArn: aws.String("OrganizationAccountAccessRole")}, wantCode: "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.RoleSessionName == nil {
				tt.in.RoleSessionName = aws.String("test")
			}
			out, err := stsClient(srv, tt.key, "us-east-1").AssumeRole(t.Context(), &tt.in)
			if tt.wantCode == "" {
				require.NoError(t, err)
				assert.Regexp(t, `^ASIA[0-9A-F]{16}$`, aws.ToString(out.Credentials.AccessKeyId))
				assert.NotEmpty(t, aws.ToString(out.Credentials.SessionToken))
				return
			}
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
}

func TestTemporaryCredentials(t *testing.T) {
	w := newTestWorld(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Unix())
	srv := startServer(t, w.world, func(o *Options) { o.Now = func() time.Time { return time.Unix(now.Load(), 0) } })
	ctx := t.Context()

	out, err := stsClient(srv, DefaultAccessKeyID, "us-east-1").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + prodAccount + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("s1"),
		DurationSeconds: aws.Int32(900),
	})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 1, 12, 15, 0, 0, time.UTC), out.Credentials.Expiration.UTC())
	c := out.Credentials
	withToken := func(token string) aws.Config {
		cfg := clientConfig(srv, aws.ToString(c.AccessKeyId), "us-east-1")
		cfg.Credentials = aws.NewCredentialsCache(staticProvider(aws.ToString(c.AccessKeyId), token))
		return cfg
	}
	_, err = sts.NewFromConfig(withToken("")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.Equal(t, "InvalidClientTokenId", errorCode(err), "temporary key without its session token: %v", err)

	_, err = sts.NewFromConfig(withToken(aws.ToString(c.SessionToken))).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)

	now.Add(901)
	_, err = sts.NewFromConfig(withToken(aws.ToString(c.SessionToken))).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.Equal(t, "ExpiredToken", errorCode(err), "%v", err)
}
