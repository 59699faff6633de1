package jsonversion

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarshal(t *testing.T) {
	t.Parallel()
	type doc struct {
		A int    `json:"a"`
		B string `json:"b,omitempty"`
	}
	tests := []struct {
		name string
		v    any
		want string
		err  string
	}{
		{"members follow the version", doc{A: 1, B: "x"}, `{"formatVersion":3,"a":1,"b":"x"}`, ""},
		{"an empty object", struct{}{}, `{"formatVersion":3}`, ""},
		{"not an object", []int{1}, "", "does not encode as a JSON object"},
		{"cannot encode", func() {}, "", "unsupported type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Marshal(3, tt.v)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err, "Marshal(%#v)", tt.v)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got), "Marshal(%#v)", tt.v)
			assert.Equal(t, tt.want, string(got), "the version comes first")
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, err string
	}{
		{"current", `{"formatVersion":2}`, ""},
		{"older", `{"formatVersion":1}`, ""},
		{"missing means current", `{"a":1}`, ""},
		{"newer refused", `{"formatVersion":3}`, "report formatVersion 3 is newer than this release reads (2): upgrade ipamkit"},
		{"not JSON", `{`, "unexpected end of JSON input"},
		{"not a number", `{"formatVersion":"2"}`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check("report", []byte(tt.in), 2)
			if tt.err == "" {
				assert.NoError(t, err, "Check(%s)", tt.in)
				return
			}
			assert.ErrorContains(t, err, tt.err, "Check(%s)", tt.in)
		})
	}
}
