package usage

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplainRegion(t *testing.T) {
	t.Parallel()
	dns := &net.DNSError{Err: "no such host", Name: "ec2.us-east-9.amazonaws.com", IsNotFound: true}
	got := explainRegion(dns)
	assert.Equal(t, "the region is unknown (its endpoint ec2.us-east-9.amazonaws.com does not exist): "+
		"enable it in the account's settings (AWS Regions) or leave it out of the regions scanned: lookup ec2.us-east-9.amazonaws.com: no such host", got.Error())
	assert.ErrorIs(t, got, ErrRegionUnavailable)

	for _, code := range []string{"AuthFailure", "RegionDisabledException"} {
		got := explainRegion(codedError{code})
		assert.ErrorIs(t, got, ErrRegionUnavailable, code)
		te := &TargetError{Target: Target{AccountID: "111111111111", Region: "us-east-9"}, Err: got}
		assert.Equal(t, code, te.Code(), "the code is still found")
		assert.Contains(t, te.Error(), "account 111111111111 region us-east-9: the region is unknown or not enabled for the account: ")
	}

	for _, err := range []error{context.DeadlineExceeded, codedError{"AccessDenied"}, &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}} {
		assert.Equal(t, err, explainRegion(err), "other errors are left as they are: %v", err)
		assert.False(t, errors.Is(explainRegion(err), ErrRegionUnavailable))
	}
	assert.NoError(t, explainRegion(nil))
}
