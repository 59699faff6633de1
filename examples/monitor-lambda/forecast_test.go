package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/usage"
)

func TestConfigForecast(t *testing.T) {
	t.Parallel()
	c, err := configFromEnv(getenv(map[string]string{
		envForecast: "CloudWatch", envForecastWindow: "60d", envExhaustionWarning: "30", envExhaustionCrit: "7",
	}))
	require.NoError(t, err)
	assert.Equal(t, forecastCloudWatch, c.Forecast)
	assert.Equal(t, 60*24*time.Hour, c.ForecastWindow)
	assert.Equal(t, usage.ExhaustionDays{Warning: 30, Critical: 7}, c.Policy().Exhaustion)

	c, err = configFromEnv(getenv(map[string]string{envForecast: "ipam", envForecastWindow: "720h"}))
	require.NoError(t, err)
	assert.Equal(t, forecastIPAM, c.Forecast)
	assert.Equal(t, 720*time.Hour, c.ForecastWindow)

	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{envForecast: "s3"}, `IPAMKIT_FORECAST "s3": want off, cloudwatch or ipam`},
		{map[string]string{envForecast: "ipam", envForecastWindow: "2h"}, `IPAMKIT_FORECAST_WINDOW "2h": want a duration from 1 to 3650 days`},
		{map[string]string{envForecast: "ipam", envExhaustionWarning: "-1"}, `IPAMKIT_EXHAUSTION_WARNING_DAYS "-1": want a whole number of days`},
		{map[string]string{envForecast: "ipam", envExhaustionWarning: "7", envExhaustionCrit: "30"}, "IPAMKIT_EXHAUSTION_WARNING_DAYS 7, IPAMKIT_EXHAUSTION_CRITICAL_DAYS 30"},
		{map[string]string{envExhaustionCrit: "30"}, "need IPAMKIT_FORECAST set to cloudwatch or ipam"},
	}
	for _, tt := range tests {
		_, err := configFromEnv(getenv(tt.env))
		assert.ErrorContains(t, err, tt.want, "%v", tt.env)
	}
}
