package usage_test

import (
	"encoding/binary"
	"math/big"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

// encodeSamples packs samples as FuzzForecastFrom reads them; counts must
// fit in 32 bits once shifted right by shift.
func encodeSamples(s []usage.Sample, shift byte) []byte {
	var b []byte
	for _, x := range s {
		b = binary.BigEndian.AppendUint64(b, uint64(x.Time.Unix()))
		for _, c := range []ipam.Count{x.Used, x.Total} {
			v, _ := new(big.Int).SetString(c.String(), 10)
			b = binary.BigEndian.AppendUint32(b, uint32(v.Rsh(v, uint(shift)).Uint64()))
		}
		b = append(b, shift)
	}
	return b
}

// decodeSamples reads 17-byte records: Unix seconds, used and total as
// 32-bit numbers, and a shift (mod 97) that scales both up to IPv6 sizes.
func decodeSamples(t *testing.T, b []byte) []usage.Sample {
	var s []usage.Sample
	for ; len(b) >= 17; b = b[17:] {
		shift := uint(b[16] % 97)
		count := func(v uint32) ipam.Count {
			c, err := ipam.ParseCount(new(big.Int).Lsh(big.NewInt(int64(v)), shift).String())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		s = append(s, usage.Sample{
			Time:  time.Unix(int64(binary.BigEndian.Uint64(b)), 0).UTC(),
			Used:  count(binary.BigEndian.Uint32(b[8:])),
			Total: count(binary.BigEndian.Uint32(b[12:])),
		})
	}
	return s
}

// FuzzForecastFrom checks that no history panics, and that a growing one
// gets dates no earlier than its latest sample, in order.
func FuzzForecastFrom(f *testing.F) {
	f.Add(encodeSamples(linear(90, 1000, 10, 10000), 0))
	f.Add(encodeSamples(linear(30, 500, 0, 1000), 0))
	f.Add(encodeSamples(linear(10, 910, 10, 1000), 0))
	f.Add(encodeSamples(daily(30, func(i int) (uint64, uint64) { return 900 - 5*uint64(i), 1000 }), 0))
	f.Add(encodeSamples(daily(90, func(i int) (uint64, uint64) {
		if i < 60 {
			return 100 + 5*uint64(i), 1000
		}
		return 100 + 5*uint64(i), 2000
	}), 0))
	f.Add(encodeSamples(linear(90, 10_000_000, 1000, 1<<24), 72)) // /56s in a /32
	f.Add(encodeSamples([]usage.Sample{
		{Time: time.Unix(1<<62, 0), Used: ipam.NewCount(1), Total: ipam.NewCount(2)},
		{Time: time.Unix(-1<<62, 0), Used: ipam.NewCount(0), Total: ipam.NewCount(2)},
		{Time: time.Unix(0, 0), Used: ipam.NewCount(1), Total: ipam.NewCount(2)},
	}, 96))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := decodeSamples(t, b)
		for _, opts := range []usage.ForecastOptions{{}, {Window: time.Hour, MaxSamples: 3, MinSamples: 2}} {
			got := usage.ForecastFrom(s, opts)
			assertOrdered(t, got, s, "ForecastFrom(%v, %+v)", s, opts)
			if got.Status == usage.ForecastExhausts {
				if _, err := got.Exhaustion.MarshalText(); err != nil {
					t.Errorf("exhaustion %v does not marshal: %v", got.Exhaustion, err)
				}
			}
		}
	})
}
