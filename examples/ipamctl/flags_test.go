package main

import (
	"errors"
	"flag"
	"io"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/ipam"
)

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantPos []string
		wantN   int
		wantErr bool
	}{
		{name: "none", args: nil},
		{name: "flags only", args: []string{"-n", "3"}, wantN: 3},
		{name: "positional first", args: []string{"a", "-n", "3", "b"}, wantPos: []string{"a", "b"}, wantN: 3},
		{name: "double dash flag", args: []string{"a", "--n", "3"}, wantPos: []string{"a"}, wantN: 3},
		{name: "after double dash", args: []string{"a", "--", "-n", "4"}, wantPos: []string{"a", "-n", "4"}},
		{name: "double dash first", args: []string{"--", "a", "b"}, wantPos: []string{"a", "b"}},
		{name: "flag after double dash is positional", args: []string{"-n", "2", "--", "-n", "5"}, wantPos: []string{"-n", "5"}, wantN: 2},
		{name: "dash is positional", args: []string{"-", "-n", "1"}, wantPos: []string{"-"}, wantN: 1},
		{name: "unknown flag after positional", args: []string{"a", "-x"}, wantErr: true},
		{name: "missing value", args: []string{"a", "-n"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			n := fs.Int("n", 0, "")
			pos, err := parseInterspersed(fs, tt.args)
			if tt.wantErr {
				require.Error(t, err, "parseInterspersed(%q)", tt.args)
				return
			}
			require.NoError(t, err, "parseInterspersed(%q)", tt.args)
			assert.Equal(t, tt.wantPos, pos, "positional arguments of %q", tt.args)
			assert.Equal(t, tt.wantN, *n, "-n of %q", tt.args)
		})
	}
}

func TestFlagSetValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantMsg string
		wantIs  error
	}{
		{"host bits", []string{"--pool", "10.0.0.1/8"},
			`--pool "10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)`, ipam.ErrHostBitsSet},
		{"bad entry in list", []string{"--pool", "10.0.0.0/8,x"},
			`--pool "x": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)`, ipam.ErrSyntax},
		{"every bad entry of a list", []string{"--pool", "bad1,10.0.0.0/8,bad2"},
			`--pool "bad1": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)` + "\n" +
				`--pool "bad2": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)`, ipam.ErrSyntax},
		{"every bad value, each as typed", []string{"-pool", "x", "--pool", "10.0.0.1/8"},
			`-pool "x": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)` + "\n" +
				`--pool "10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)`, ipam.ErrHostBitsSet},
		{"int", []string{"-n", "1.5"}, `-n "1.5": not a whole number`, nil},
		{"int typed with two dashes", []string{"--n=1.5"}, `--n "1.5": not a whole number`, nil},
		{"choice", []string{"-o", "yaml"}, `-o "yaml": want text, json or csv`, nil},
		{"unknown flag as typed", []string{"--bogus"}, `unknown flag --bogus`, nil},
		{"unknown flag with one dash", []string{"x", "-bogus=1"}, `unknown flag -bogus`, nil},
		{"every unknown flag", []string{"--bogus", "--pol", "10.0.0.0/8"}, "unknown flag --bogus\nunknown flag --pol (did you mean --pool?)", nil},
		{"value that looks like a flag", []string{"-n", "-x"}, `-n "-x": not a whole number`, nil},
		{"missing value as typed", []string{"-o", "json", "--pool"}, `flag --pool needs a value`, nil},
		{"bool value", []string{"--dry=maybe"}, `--dry=maybe: want true or false`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				pools  []netip.Prefix
				n      int
				format string
				dry    bool
			)
			fs := newFlagSet("test")
			fs.cidrList(&pools, "pool", "CIDR", "")
			fs.intVal(&n, "n", "N", "")
			fs.choice(&format, "o", []string{"text", "json", "csv"}, "")
			fs.boolVal(&dry, "dry", "")
			_, err := fs.parse(tt.args)
			require.Error(t, err, "parse(%q)", tt.args)
			assert.Equal(t, tt.wantMsg, err.Error(), "parse(%q)", tt.args)
			if tt.wantIs != nil {
				assert.True(t, errors.Is(err, tt.wantIs), "parse(%q): %v is not %v", tt.args, err, tt.wantIs)
			}
		})
	}
}

func TestFlagSetValues(t *testing.T) {
	t.Parallel()
	var (
		pools  []netip.Prefix
		n      = 7
		files  []string
		format = "text"
	)
	fs := newFlagSet("test")
	fs.cidrList(&pools, "pool", "CIDR", "")
	fs.intVal(&n, "n", "N", "")
	fs.stringList(&files, "file", "FILE", "")
	fs.choice(&format, "o", []string{"text", "json"}, "")
	pos, err := fs.parse([]string{"--pool", "10.0.0.0/8, 10.1.0.0/16", "x", "--file", "-", "--pool", "2001:db8::/32", "-o", "json", "--file", "a.txt"})
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, pos)
	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("2001:db8::/32"),
	}, pools)
	assert.Equal(t, 7, n, "default kept")
	assert.False(t, fs.isSet("n"))
	assert.True(t, fs.isSet("pool"))
	assert.Equal(t, []string{"-", "a.txt"}, files)
	assert.Equal(t, "json", format)
}

func TestFlagSetHelpWins(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--bogus", "--help"}, {"-h"}, {"x", "-help", "--pool", "y"}} {
		var pools []netip.Prefix
		fs := newFlagSet("test")
		fs.cidrList(&pools, "pool", "CIDR", "")
		_, err := fs.parse(args)
		assert.ErrorIs(t, err, flag.ErrHelp, "parse(%q)", args)
	}
}

func TestCheckThresholds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		critical, warning float64
		want              []string
	}{
		{80, 0, nil},
		{80, 60, nil},
		{101, 0, []string{"--threshold 101: want a percentage from 0 to 100"}},
		{80, -1, []string{"--warning -1: want a percentage from 0 to 100"}},
		{101, 120, []string{"--threshold 101: want a percentage from 0 to 100", "--warning 120: want a percentage from 0 to 100"}},
		{80, 90, []string{"--warning 90: want a level below --threshold 80"}},
	}
	for _, tt := range tests {
		var got []string
		for _, err := range checkThresholds(tt.critical, tt.warning) {
			got = append(got, err.Error())
		}
		assert.Equal(t, tt.want, got, "checkThresholds(%v, %v)", tt.critical, tt.warning)
	}
}
