package envconfig

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// messages returns the message of each problem.
func messages(p Problems) []string {
	var out []string
	for _, err := range p {
		out = append(out, err.Error())
	}
	return out
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	a, b := errors.New(`A "x": want y`), errors.New("B: want z")
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"one", Error{a}, `invalid configuration (1 problem): A "x": want y`},
		{"two", Error{a, b}, `invalid configuration (2 problems): A "x": want y; B: want z`},
		{"none", Error{}, `invalid configuration (0 problems): `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("sentinel")
	var p Problems
	p.Add("A", "x", "want y")
	p = append(p, sentinel)
	err := p.Err()
	require.ErrorIs(t, err, sentinel)
	var e Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{`A "x": want y`, "sentinel"}, messages(Problems(e)))
}

func TestProblemsErr(t *testing.T) {
	t.Parallel()
	var p Problems
	assert.NoError(t, p.Err(), "no problem, no error")
	p.Add("IPAMKIT_PRUNE", "two\nlines", "want true or false")
	assert.Equal(t, `invalid configuration (1 problem): IPAMKIT_PRUNE "two\nlines": want true or false`, p.Err().Error(),
		"Add quotes the value, escaping a line break")
}

// TestRead checks that Read trims each value, skips the empty ones, and
// keeps the order of vars in the problems.
func TestRead(t *testing.T) {
	t.Parallel()
	env := map[string]string{"A": " a ", "B": " \t", "C": "c", "D": "d"}
	var seen []string
	set := func(name, v string, p *Problems) {
		seen = append(seen, name+"="+v)
		p.Add(name, v, "want nothing")
	}
	var p Problems
	Read(func(k string) string { return env[k] }, &p,
		Var{Name: "D", Set: set}, Var{Name: "B", Set: set}, Var{Name: "A", Set: set}, Var{Name: "Z", Set: set}, Var{Name: "C", Set: set})
	assert.Equal(t, []string{"D=d", "A=a", "C=c"}, seen)
	assert.Equal(t, []string{`D "d": want nothing`, `A "a": want nothing`, `C "c": want nothing`}, messages(p))
}

// TestQuoting checks which setters quote a bad value: every one but a
// String setter made with Unquoted, whose value may be a secret.
func TestQuoting(t *testing.T) {
	t.Parallel()
	const secret = "XXXXsecretXXXX"
	var (
		s string
		l []string
		b bool
	)
	valid := func(v string) bool { return v == "ok" }
	tests := []struct {
		name string
		set  Setter
		v    string
		want []string
	}{
		{"quoted string", String(&s, valid, Quoted, "want ok"), "bad", []string{`S "bad": want ok`}},
		{"unquoted string", String(&s, valid, Unquoted, "want a secret of 2 or more letters"), secret, []string{"S: want a secret of 2 or more letters"}},
		{"valid string", String(&s, valid, Unquoted, "want ok"), "ok", nil},
		{"list, each item", List(&l, valid, "want ok"), "ok,bad, worse", []string{`S "bad": want ok`, `S "worse": want ok`}},
		{"bool", Bool(&b), "maybe", []string{`S "maybe": want true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			tt.set("S", tt.v, &p)
			assert.Equal(t, tt.want, messages(p), "setter(%q)", tt.v)
			assert.NotContains(t, strings.Join(messages(p), ";"), secret)
		})
	}
}

func TestSetters(t *testing.T) {
	t.Parallel()
	type mode string
	type config struct {
		Name    string
		Regions []string
		Mode    mode
		Count   int
		Wait    time.Duration
		Prune   bool
		Level   slog.Level
	}
	vars := func(c *config) []Var {
		return []Var{
			{Name: "NAME", Set: String(&c.Name, func(v string) bool { return v != "bad" }, Quoted, "want a name")},
			{Name: "REGIONS", Set: List(&c.Regions, func(v string) bool { return strings.Contains(v, "-") }, "want a region")},
			{Name: "MODE", Set: Enum(&c.Mode, "want account or ou", "account", "ou")},
			{Name: "COUNT", Set: Range(&c.Count, ParseInt, 1, 256, "want 1 to 256")},
			{Name: "WAIT", Set: Range(&c.Wait, ParseDuration, time.Second, time.Minute, "want 1s to 1m")},
			{Name: "PRUNE", Set: Bool(&c.Prune)},
			{Name: "LEVEL", Set: LogLevel(&c.Level)},
		}
	}
	defaults := config{Count: 8, Wait: 30 * time.Second}
	tests := []struct {
		name     string
		env      map[string]string
		want     config
		problems []string
	}{
		{name: "empty", want: defaults},
		{
			name: "every variable",
			env: map[string]string{"NAME": "n", "REGIONS": "us-east-1, eu-west-1,us-east-1", "MODE": "OU", "COUNT": "256",
				"WAIT": "1m", "PRUNE": "yes", "LEVEL": "warn"},
			want: config{Name: "n", Regions: []string{"us-east-1", "eu-west-1"}, Mode: "ou", Count: 256, Wait: time.Minute,
				Prune: true, Level: slog.LevelWarn},
		},
		{
			name: "every problem, in order",
			env: map[string]string{"NAME": "bad", "REGIONS": "mars,us-east-1", "MODE": "org", "COUNT": "0",
				"WAIT": "2m", "PRUNE": "sometimes", "LEVEL": "LOUD"},
			want: config{Name: "bad", Regions: []string{"us-east-1"}, Count: 8, Wait: 30 * time.Second},
			problems: []string{
				`NAME "bad": want a name`,
				`REGIONS "mars": want a region`,
				`MODE "org": want account or ou`,
				`COUNT "0": want 1 to 256`,
				`WAIT "2m": want 1s to 1m`,
				`PRUNE "sometimes": want true or false`,
				`LEVEL "LOUD": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := defaults
			var p Problems
			Read(func(k string) string { return tt.env[k] }, &p, vars(&c)...)
			assert.Equal(t, tt.want, c, "Read(%v)", tt.env)
			assert.Equal(t, tt.problems, messages(p), "Read(%v)", tt.env)
		})
	}
}
