package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ipamkit/ipamkit/ipam"
)

func TestPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		part, total uint64
		want        string
	}{
		{0, 0, "  0.00%"},
		{0, 256, "  0.00%"},
		{256, 256, "100.00%"},
		{64, 256, " 25.00%"},
		{1, 3, " 33.33%"},
		{1, 1 << 24, " <0.01%"},
		{1<<24 - 1, 1 << 24, ">99.99%"},
		{1, 100000, " <0.01%"},
		{1, 10000, "  0.01%"},
	}
	for _, tt := range tests {
		got := percent(ipam.NewCount(tt.part), ipam.NewCount(tt.total))
		assert.Equal(t, tt.want, got, "percent(%d, %d)", tt.part, tt.total)
	}
}
