package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/require"
)

// TestHTTPClientSurvivesFastAnswers pages large answers many times: with
// the SDK's default HTTP client some calls fail with "use of closed network
// connection" (see Server.HTTPClient).
func TestHTTPClientSurvivesFastAnswers(t *testing.T) {
	w, err := Generate(GenerateOptions{VPCs: 20, Subnets: 50, Seed: 1})
	require.NoError(t, err)
	srv := startServer(t, w)
	cfg := srv.ClientConfig(GeneratedAccessKeyID(GeneratedAccountID(0)), "us-east-1")
	client := ec2.NewFromConfig(cfg)
	for i := range 40 {
		out, err := client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(1000)})
		require.NoError(t, err, "call %d", i)
		require.Len(t, out.Subnets, 1000)
	}
}
