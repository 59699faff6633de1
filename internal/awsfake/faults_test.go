package awsfake

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThrottleIsRetried(t *testing.T) {
	w := newTestWorld(t)
	tests := []struct {
		name       string
		fault      Fault
		call       func(*Server) error
		operation  string
		wantStatus []int // of the logged calls, in order
		wantCode   string
	}{
		{
			name:  "EC2 503 RequestLimitExceeded twice, then success",
			fault: Fault{Service: "ec2", Operation: "DescribeVpcs", Account: prodAccount, Region: "us-east-1", Kind: FaultThrottle, Count: 2},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
				return err
			},
			operation:  "DescribeVpcs",
			wantStatus: []int{503, 503, 200},
		},
		{
			name:  "EC2 throttling beyond the retry budget",
			fault: Fault{Service: "ec2", Kind: FaultThrottle, Count: 5},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
				return err
			},
			operation:  "DescribeSubnets",
			wantStatus: []int{503, 503, 503},
			wantCode:   "RequestLimitExceeded",
		},
		{
			name:  "Organizations TooManyRequestsException once",
			fault: Fault{Service: "organizations", Operation: "ListAccounts", Kind: FaultThrottle, Count: 1},
			call: func(srv *Server) error {
				_, err := orgClient(srv, DefaultAccessKeyID).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
				return err
			},
			operation:  "ListAccounts",
			wantStatus: []int{400, 200},
		},
		{
			name:  "STS Throttling once",
			fault: Fault{Service: "sts", Kind: FaultThrottle, Count: 1},
			call: func(srv *Server) error {
				_, err := stsClient(srv, DefaultAccessKeyID, "us-east-1").GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				return err
			},
			operation:  "GetCallerIdentity",
			wantStatus: []int{400, 200},
		},
		{
			name:  "EC2 500 InternalError is retried",
			fault: Fault{Service: "ec2", Kind: FaultInternalError, Count: 1},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
				return err
			},
			operation:  "DescribeVpcs",
			wantStatus: []int{500, 200},
		},
		{
			name:  "access denied is not retried",
			fault: Fault{Service: "ec2", Kind: FaultAccessDenied, Count: 1},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
				return err
			},
			operation:  "DescribeVpcs",
			wantStatus: []int{403},
			wantCode:   "UnauthorizedOperation",
		},
		{
			name:  "a fault for another account does not apply",
			fault: Fault{Service: "ec2", Account: devAccount, Kind: FaultThrottle},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
				return err
			},
			operation:  "DescribeVpcs",
			wantStatus: []int{200},
		},
		{
			name:  "a fault for another region does not apply",
			fault: Fault{Region: "eu-west-1", Kind: FaultUnavailable},
			call: func(srv *Server) error {
				_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
				return err
			},
			operation:  "DescribeVpcs",
			wantStatus: []int{200},
		},
		{
			name:  "region disabled",
			fault: Fault{Service: "sts", Region: "eu-west-1", Kind: FaultRegionDisabled},
			call: func(srv *Server) error {
				_, err := stsClient(srv, DefaultAccessKeyID, "eu-west-1").GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				return err
			},
			operation:  "GetCallerIdentity",
			wantStatus: []int{403},
			wantCode:   "RegionDisabledException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, w.world)
			srv.InjectFault(tt.fault)
			err := tt.call(srv)
			if tt.wantCode == "" {
				require.NoError(t, err)
			} else {
				assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
			}
			var status []int
			for _, c := range callsTo(srv, tt.operation) {
				status = append(status, c.Status)
			}
			assert.Equal(t, tt.wantStatus, status)
		})
	}
}

func TestFaultCountAndClear(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, prodKey, "us-east-1")
	srv.InjectFault(Fault{Operation: "DescribeVpcs", Kind: FaultThrottle, Count: 4})
	_, err := client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	assert.Equal(t, "RequestLimitExceeded", errorCode(err), "3 attempts use 3 of 4 faults: %v", err)
	_, err = client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.NoError(t, err, "the 4th fault is retried away")

	srv.InjectFault(Fault{Kind: FaultAccessDenied})
	_, err = client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	assert.Equal(t, "UnauthorizedOperation", errorCode(err))
	srv.ClearFaults()
	_, err = client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.NoError(t, err)

	last := srv.Calls()[len(srv.Calls())-1]
	assert.Equal(t, Call{Service: "ec2", Operation: "DescribeVpcs", Account: prodAccount, Region: "us-east-1", AccessKeyID: prodKey, Status: http.StatusOK}, last)
	srv.ResetCalls()
	assert.Empty(t, srv.Calls())
}

func TestFaultProbabilityIsRepeatable(t *testing.T) {
	w := newTestWorld(t)
	outcomes := func() []int {
		srv := startServer(t, w.world)
		srv.InjectFault(Fault{Service: "ec2", Kind: FaultAccessDenied, Probability: 0.5, Seed: 42})
		client := ec2Client(srv, prodKey, "us-east-1")
		for range 20 {
			_, _ = client.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{})
		}
		var status []int
		for _, c := range srv.Calls() {
			status = append(status, c.Status)
		}
		return status
	}
	first := outcomes()
	assert.Equal(t, first, outcomes(), "same seed, same faults")
	assert.Contains(t, first, 403)
	assert.Contains(t, first, 200)
}

func TestConcurrentCalls(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, prodKey, "us-east-1")
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			out, err := client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
			if err == nil && len(out.Vpcs) != 5 {
				err = assert.AnError
			}
			errs <- err
		}()
	}
	for range 16 {
		assert.NoError(t, <-errs)
	}
	assert.Len(t, srv.Calls(), 16)
}

func TestFaultLatency(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, prodKey, "us-east-1")

	srv.InjectFault(Fault{Operation: "DescribeVpcs", Kind: FaultLatency, Latency: 5 * time.Millisecond, Count: 1})
	start := time.Now()
	_, err := client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.NoError(t, err, "a delayed call is then served")
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)

	srv.InjectFault(Fault{Operation: "DescribeVpcs", Kind: FaultLatency, Latency: time.Hour, Count: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	require.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline wins over the injected latency")
	// Closing the server at cleanup proves the delayed handler gave up.
}

func TestFaultForPrincipal(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	srv.InjectFault(Fault{Principal: "arn:aws:sts::" + prodAccount + ":assumed-role/OrganizationAccountAccessRole/", Kind: FaultAccessDenied})

	cfg := clientConfig(srv, DefaultAccessKeyID, "us-east-1")
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+prodAccount+":role/OrganizationAccountAccessRole"))
	_, err := ec2.NewFromConfig(cfg).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	assert.Equal(t, "UnauthorizedOperation", errorCode(err), "the role's sessions are denied: %v", err)

	_, err = ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	assert.NoError(t, err, "the account's user is not")
}
