package ipam

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		want   string
	}{
		{"0.0.0.0/0", "4294967296"},
		{"0.0.0.0/1", "2147483648"},
		{"10.0.0.0/8", "16777216"},
		{"10.0.0.0/31", "2"},
		{"10.0.0.0/32", "1"},
		{"::/0", "340282366920938463463374607431768211456"},
		{"::/1", "170141183460469231731687303715884105728"},
		{"2001:db8::/56", "4722366482869645213696"},
		{"2001:db8::/64", "18446744073709551616"},
		{"2001:db8::/65", "9223372036854775808"},
		{"2001:db8::/127", "2"},
		{"2001:db8::/128", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			t.Parallel()
			got := Size(netip.MustParsePrefix(tt.prefix))
			assert.Equal(t, tt.want, got.String(), "Size(%s)", tt.prefix)
		})
	}
	assert.True(t, Size(netip.Prefix{}).IsZero(), "Size of the zero Prefix")
}

func TestCountStringRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Count
		want string
	}{
		{"zero", Count{}, "0"},
		{"one", NewCount(1), "1"},
		{"max uint64", NewCount(math.MaxUint64), "18446744073709551615"},
		{"2^64", Count{hi: 1}, "18446744073709551616"},
		{"10^19 boundary", Count{lo: 1e19}, "10000000000000000000"},
		{"inner zero chunk", Count{hi: 5421010862, lo: 7886392056514347008}, "100000000000000000000000000000"},
		{"2^128-1", Count{hi: math.MaxUint64, lo: math.MaxUint64}, "340282366920938463463374607431768211455"},
		{"2^128", MaxCount, "340282366920938463463374607431768211456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.c.String())
			back, err := ParseCount(tt.want)
			require.NoError(t, err)
			assert.Equal(t, tt.c, back, "ParseCount(%q)", tt.want)
			text, err := tt.c.MarshalText()
			require.NoError(t, err)
			var u Count
			require.NoError(t, u.UnmarshalText(text))
			assert.Equal(t, tt.c, u)
		})
	}
}

func TestParseCountErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "-1", "+1", "01", "1.5", "1e3", " 1", "0x10", "١",
		"340282366920938463463374607431768211457",  // 2^128+1
		"3402823669209384634633746074317682114560", // 2^128*10
		"999999999999999999999999999999999999999999",
	} {
		_, err := ParseCount(in)
		require.ErrorIs(t, err, ErrCountSyntax, "ParseCount(%q)", in)
		assert.ErrorContains(t, err, "parse count")
	}
}

func TestCountArithmetic(t *testing.T) {
	t.Parallel()
	half := Size(netip.MustParsePrefix("::/1"))
	max1 := Count{hi: math.MaxUint64, lo: math.MaxUint64}
	tests := []struct {
		name string
		got  Count
		want Count
	}{
		{"add carries into hi", NewCount(math.MaxUint64).Add(NewCount(1)), Count{hi: 1}},
		{"two halves make 2^128", half.Add(half), MaxCount},
		{"2^128-1 + 1", max1.Add(NewCount(1)), MaxCount},
		{"add saturates", MaxCount.Add(NewCount(1)), MaxCount},
		{"2^128 - 1", MaxCount.Sub(NewCount(1)), max1},
		{"2^128 - 2^127", MaxCount.Sub(half), half},
		{"2^128 - 2^128", MaxCount.Sub(MaxCount), Count{}},
		{"2^128 - 0", MaxCount.Sub(Count{}), MaxCount},
		{"x - 0", NewCount(7).Sub(Count{}), NewCount(7)},
		{"sub borrows", Count{hi: 1}.Sub(NewCount(1)), NewCount(math.MaxUint64)},
		{"sub floors at zero", NewCount(3).Sub(NewCount(5)), Count{}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, tt.name)
	}
}

func TestCountCompare(t *testing.T) {
	t.Parallel()
	ordered := []Count{{}, NewCount(1), NewCount(math.MaxUint64), {hi: 1}, {hi: 1, lo: 1}, {hi: math.MaxUint64, lo: math.MaxUint64}, MaxCount}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%v.Compare(%v)", a, b)
		}
	}
}

func TestCountConversions(t *testing.T) {
	t.Parallel()
	n, ok := NewCount(42).Uint64()
	assert.True(t, ok)
	assert.Equal(t, uint64(42), n)
	_, ok = Count{hi: 1}.Uint64()
	assert.False(t, ok, "2^64 does not fit a uint64")
	_, ok = MaxCount.Uint64()
	assert.False(t, ok)

	assert.Equal(t, 0x1p128, MaxCount.float64())
	assert.Equal(t, 0x1p64, Count{hi: 1}.float64())
	assert.Equal(t, 25.0, NewCount(64).Percent(NewCount(256)))
	assert.Equal(t, 50.0, Size(netip.MustParsePrefix("::/1")).Percent(MaxCount))
	assert.Equal(t, 0.0, NewCount(5).Percent(Count{}), "percent of nothing is 0")
}

func TestCountJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		N Count `json:"n"`
	}
	b, err := json.Marshal(doc{MaxCount})
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":"340282366920938463463374607431768211456"}`, string(b))
	var d doc
	require.NoError(t, json.Unmarshal(b, &d))
	assert.Equal(t, MaxCount, d.N)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"n":"12a"}`), &d), ErrCountSyntax)
}

func TestCountAllocs(t *testing.T) {
	p := netip.MustParsePrefix("2001:db8::/33")
	var buf []byte
	allocs := testing.AllocsPerRun(100, func() {
		c := Size(p).Add(NewCount(7)).Sub(NewCount(3))
		buf = c.AppendTo(buf[:0])
	})
	assert.Zero(t, allocs, "Size, Add, Sub and AppendTo allocate")
}

func TestCountFraction(t *testing.T) {
	t.Parallel()
	v6 := Size(netip.MustParsePrefix("2001:db8::/56"))
	tests := []struct {
		name string
		c    Count
		f    float64
		want string
	}{
		{"half of 256", NewCount(256), 0.5, "128"},
		{"rounds to nearest", NewCount(256), 0.0039, "1"},
		{"rounds half away from zero", NewCount(3), 0.5, "2"},
		{"tiny", NewCount(1000), 1e-300, "0"},
		{"zero", NewCount(1000), 0, "0"},
		{"negative", NewCount(1000), -0.5, "0"},
		{"NaN", NewCount(1000), math.NaN(), "0"},
		{"one", v6, 1, v6.String()},
		{"above one", v6, 1.5, v6.String()},
		{"IPv6 /56 quarter", v6, 0.25, "1180591620717411303424"},
		{"2^128 half", MaxCount, 0.5, "170141183460469231731687303715884105728"},
		{"2^128 just under one", MaxCount, math.Nextafter(1, 0), "340282366920938425684442744474606501888"},
		{"2^128-1 quarter", MaxCount.Sub(NewCount(1)), 0.25, "85070591730234615865843651857942052864"},
		{"uint64 max times binary 0.1", NewCount(math.MaxUint64), 0.1, "1844674407370955264"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.c.Fraction(tt.f).String(), "%s: %v.Fraction(%v)", tt.name, tt.c, tt.f)
	}
}

// TestCountFractionMatchesBig checks Fraction against exact rational
// arithmetic with math/big, over random counts up to 2^128.
func TestCountFractionMatchesBig(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 5))
	for i := range 20000 {
		c := Count{hi: r.Uint64() >> r.UintN(64), lo: r.Uint64()}
		switch i % 10 {
		case 0:
			c = MaxCount
		case 1:
			c = NewCount(r.Uint64N(5000))
		}
		f := r.Float64()
		if i%3 == 0 {
			f = math.Ldexp(f, -r.IntN(80))
		}
		exact := new(big.Rat).SetFrac(countBig(c), big.NewInt(1))
		exact.Mul(exact, new(big.Rat).SetFloat64(f))
		// Round half away from zero: floor(x + 1/2) for x >= 0.
		exact.Add(exact, big.NewRat(1, 2))
		want := new(big.Int).Quo(exact.Num(), exact.Denom())
		assert.Equal(t, want.String(), c.Fraction(f).String(), "%v.Fraction(%v)", c, f)
	}
}

func countBig(c Count) *big.Int {
	n, ok := new(big.Int).SetString(c.String(), 10)
	if !ok {
		panic(c)
	}
	return n
}
