package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/usage"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	base := map[string]string{envStep: "scan", envBucket: bucket}
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config) // applied to the defaults; nil when an error is wanted
		err  []string      // parts of the error
	}{
		{"the monitor's variables", maps(base, map[string]string{
			monitorenv.EnvSources: "ec2,ipam", monitorenv.EnvAccounts: "organization", monitorenv.EnvRegions: "us-east-1, eu-west-1", envIPAMAccount: "222222222222",
			monitorenv.EnvThreshold: "85%", monitorenv.EnvWarning: "70", monitorenv.EnvConcurrency: "16", monitorenv.EnvResourceType: "subnet,VPC",
		}), func(c *Config) {
			c.Sources, c.Organization, c.Regions, c.IPAMAccount = []usage.Source{usage.SourceIPAM, usage.SourceEC2}, true, []string{"us-east-1", "eu-west-1"}, "222222222222"
			c.Critical, c.Warning, c.Concurrency, c.ResourceTypes = 85, 70, 16, []usage.ResourceType{usage.TypeSubnet, usage.TypeVPC}
		}, nil},
		{"no step, no bucket", map[string]string{}, nil, []string{envStep + " is not set"}},
		{"no bucket", map[string]string{envStep: "merge"}, nil, []string{envBucket + " is not set"}},
		{"every problem at once", map[string]string{
			envStep: "reduce", envBucket: "Not_A_Bucket", monitorenv.EnvAccounts: "12345", monitorenv.EnvExternalID: "x", monitorenv.EnvSources: "s3",
		}, nil, []string{
			envStep + ` "reduce": want list, scan or merge`, envBucket + ` "Not_A_Bucket"`, monitorenv.EnvAccounts + ` "12345"`,
			monitorenv.EnvSources + ` "s3"`, monitorenv.EnvExternalID + ": want 2 to 1224",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFromEnv(func(k string) string { return tt.env[k] })
			if tt.want == nil {
				require.Error(t, err)
				for _, part := range tt.err {
					assert.ErrorContains(t, err, part)
				}
				assert.NotContains(t, err.Error(), `"x"`, "the external ID is never quoted")
				return
			}
			require.NoError(t, err)
			want, err := configFromEnv(func(k string) string { return base[k] })
			require.NoError(t, err)
			tt.want(&want)
			assert.Equal(t, want, got)
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	got, err := configFromEnv(func(k string) string { return map[string]string{envStep: "list", envBucket: bucket}[k] })
	require.NoError(t, err)
	assert.Equal(t, Config{
		Step: stepList, Bucket: bucket, Settings: monitorenv.Settings{
			Critical: 80, ScopeType: usage.ScopePrivate, Sources: []usage.Source{usage.SourceIPAM},
			RoleName: usage.DefaultRoleName, Namespace: "CUSTOM/IPAM", Metrics: usage.MetricsFindings,
			Concurrency: 8, DeadlineMargin: defaultDeadlineMargin,
		},
	}, got, "the monitor's defaults")
}
