package usage

import (
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pct returns a known resource of 1000 addresses, used tenths per mille.
func pct(id string, typ ResourceType, used uint64, tags map[string]string) Resource {
	return Resource{
		ID: id, Type: typ, Source: SourceEC2, AccountID: "111111111111", Region: "us-east-1",
		Known: true, Total: ipam.NewCount(1000), Used: ipam.NewCount(used), Available: ipam.NewCount(1000 - used), Tags: tags,
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	type want struct {
		id  string
		sev notify.Severity
		thr float64
	}
	tests := []struct {
		name      string
		policy    Policy
		resources []Resource
		want      []want
	}{
		{"zero policy: critical at 80, inclusive", Policy{}, []Resource{
			pct("a", TypeSubnet, 799, nil), pct("b", TypeSubnet, 800, nil), pct("c", TypeSubnet, 1000, nil),
		}, []want{{"c", notify.Critical, 80}, {"b", notify.Critical, 80}}},
		{"warning and critical, worst first", Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}}, []Resource{
			pct("w1", TypeSubnet, 650, nil), pct("ok", TypeSubnet, 100, nil), pct("c1", TypeVPC, 950, nil), pct("w2", TypeSubnet, 700, nil),
		}, []want{{"c1", notify.Critical, 90}, {"w2", notify.Warning, 60}, {"w1", notify.Warning, 60}}},
		{"per type override", Policy{ByType: map[ResourceType]Thresholds{TypeVPC: {Critical: 95}}}, []Resource{
			pct("vpc", TypeVPC, 900, nil), pct("subnet", TypeSubnet, 900, nil),
		}, []want{{"subnet", notify.Critical, 80}}},
		{"tags override and ignore", Policy{}, []Resource{
			pct("quiet", TypeSubnet, 990, map[string]string{TagIgnore: "TRUE"}),
			pct("strict", TypeSubnet, 500, map[string]string{TagCritical: "50%"}),
			pct("warned", TypeSubnet, 500, map[string]string{TagWarning: " 40 "}),
			pct("typo", TypeSubnet, 850, map[string]string{TagCritical: "ninety"}),
			pct("bad pair", TypeSubnet, 850, map[string]string{TagWarning: "95"}),
		}, []want{{"bad pair", notify.Critical, 80}, {"typo", notify.Critical, 80}, {"strict", notify.Critical, 50}, {"warned", notify.Warning, 40}}},
		{"tags disabled", Policy{IgnoreTags: true}, []Resource{
			pct("quiet", TypeSubnet, 990, map[string]string{TagIgnore: "true"}),
		}, []want{{"quiet", notify.Critical, 80}}},
		{"unknown, empty and small resources are not findings", Policy{MinTotal: ipam.NewCount(1001)}, []Resource{
			pct("small", TypeSubnet, 1000, nil), {ID: "unknown", Total: ipam.NewCount(5000)}, {ID: "empty", Known: true},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings, err := Evaluate(tt.resources, tt.policy)
			require.NoError(t, err)
			var got []want
			for _, f := range findings {
				got = append(got, want{f.ID, f.Severity, f.Threshold})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	err := Policy{
		Thresholds: Thresholds{Warning: 90, Critical: 80},
		ByType:     map[ResourceType]Thresholds{TypeVPC: {Critical: 120}, TypeSubnet: {Warning: -1}},
	}.Validate()
	require.ErrorIs(t, err, ErrBadPolicy)
	assert.Equal(t, "invalid usage policy: warning threshold 90 is not below critical threshold 80\n"+
		"type subnet: warning threshold -1: want a percentage from 0 to 100\n"+
		"type vpc: critical threshold 120: want a percentage from 0 to 100", err.Error(), "every problem, in a stable order")
	_, err = Evaluate(nil, Policy{Thresholds: Thresholds{Critical: 101}})
	require.ErrorIs(t, err, ErrBadPolicy)
	require.NoError(t, Policy{}.Validate())
}
