package awsfake

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGenerateLimit checks that a world past MaxGeneratedSubnets is refused
// before anything is built, with the limit in the message: a billion
// subnets would take a terabyte.
func TestGenerateLimit(t *testing.T) {
	t.Parallel()
	_, err := Generate(GenerateOptions{Accounts: 1000, Regions: []string{"us-east-1", "us-west-2"}, VPCs: 1000, Subnets: 256})
	require.EqualError(t, err, "generate: 1000 accounts × 2 regions × 1000 VPCs × 256 subnets is 512000000 subnets: at most 1000000 (about 2 GB of memory)")

	_, err = Generate(GenerateOptions{Accounts: math.MaxInt / 2, VPCs: math.MaxInt / 2, Subnets: 256})
	require.ErrorContains(t, err, "is more than 9223372036854775806 subnets: at most 1000000")

	assert.Equal(t, MaxGeneratedSubnets, GeneratedSubnets(GenerateOptions{Accounts: 1000, VPCs: 1000, Subnets: 1}))
	assert.Equal(t, 1, GeneratedSubnets(GenerateOptions{}), "the zero options make one subnet")
}

// TestGenerateContext checks that generation stops when its context is
// done, as on an interrupt, rather than building the world first.
func TestGenerateContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w, err := GenerateContext(ctx, GenerateOptions{Accounts: 100, VPCs: 100, Subnets: 100})
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, w)
}
