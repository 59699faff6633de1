package usage

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkWriteHTML renders reports of n subnets (10 accounts × 2
// regions × VPCs of 50 /26 subnets; one subnet in 20 nearly full) with
// the default limits, and reports the size of the page.
func BenchmarkWriteHTML(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		rep := syntheticHTMLReport(b, 10, n/1000, 50)
		b.Run(fmt.Sprintf("n=%d", len(rep.Resources)), func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := rep.WriteHTML(&buf, HTMLOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/page")
		})
	}
}
