package usage

import (
	"fmt"
	"testing"
)

// BenchmarkCompare compares two runs of n findings each, a tenth of them
// changed: the cost of alerting on change at the end of every run.
func BenchmarkCompare(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			before, after := make([]Resource, n), make([]Resource, n)
			for i := range n {
				id := fmt.Sprintf("subnet-%08x", i)
				before[i] = pct(id, TypeSubnet, 850, nil)
				after[i] = pct(id, TypeSubnet, 850, nil)
				if i%10 == 0 {
					after[i] = pct(id, TypeSubnet, 100, nil) // resolved
				}
			}
			prev := Compare(nil, runReport(b, Policy{}, run1, before)).Next
			r := runReport(b, Policy{}, run2, after)
			b.ReportAllocs()
			for b.Loop() {
				d := Compare(&prev, r)
				if len(d.Changes) != n {
					b.Fatalf("%d changes, want %d", len(d.Changes), n)
				}
			}
		})
	}
}
