package main

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzRedactWire checks that no value of a sensitive header or query
// parameter survives redactWire, whatever surrounds it, and that it never
// panics.
func FuzzRedactWire(f *testing.F) {
	for _, seed := range []struct{ prefix, name, secret string }{
		{"POST / HTTP/1.1\r\n", "Authorization: ", "AWS4-HMAC-SHA256 Credential=AKIA/x"},
		{"GET /k?a=1&", "X-Amz-Signature=", "deadbeef"},
		{"https://h/?", "x-amz-security-token=", "tok"},
		{"", "Cookie: ", "a=b"},
		{"\n", "X-AMZ-SECURITY-TOKEN: ", "IQoJ"},
	} {
		f.Add(seed.prefix, seed.name, seed.secret)
	}
	f.Fuzz(func(t *testing.T, prefix, name, secret string) {
		out := redactWire(prefix + name + secret)
		if !sensitive(prefix, name) || !plainSecret(secret) {
			return
		}
		if strings.Contains(out, name+secret) {
			t.Errorf("redactWire(%q) = %q: the value survived", prefix+name+secret, out)
		}
	})
}

// sensitive reports whether name, after prefix, is a header or query
// parameter that redactWire must redact, as it would stand in a dump:
// a header at the start of a line, a parameter after '?' or '&'.
func sensitive(prefix, name string) bool {
	lower := strings.ToLower(name)
	if prefix == "" || strings.HasSuffix(prefix, "\n") {
		for _, h := range sensitiveHeaders {
			if lower == h+": " {
				return true
			}
		}
	}
	if strings.HasSuffix(prefix, "?") || strings.HasSuffix(prefix, "&") {
		for _, q := range sensitiveQuery {
			if lower == q+"=" {
				return true
			}
		}
	}
	return false
}

// plainSecret reports whether s is a value that ends where a dump would
// end it: no line break, no separator of query parameters.
func plainSecret(s string) bool {
	return s != "" && !strings.ContainsAny(s, "\r\n& \t\"'<>")
}

// FuzzFlagSetParse parses arbitrary arguments with the flags of "cidr
// free" and the global ones: it never panics, and an error or the
// positional arguments come back.
func FuzzFlagSetParse(f *testing.F) {
	for _, seed := range []string{
		"--pool 10.0.0.0/8 --used bad1,bad2", "-pool=x -used", "--bogus --help", "a -- --pool", "--region us-east-1 -q",
		"---x", "-=", "--pool", "--debug=maybe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		var pools, used []netip.Prefix
		var g globalFlags
		fs := newFlagSet("ipamctl cidr free")
		g.declare(fs, false)
		fs.cidrList(&pools, "pool", "CIDR", "")
		fs.cidrList(&used, "used", "CIDR", "")
		pos, err := fs.parse(args)
		if err == nil && len(pos) > len(args) {
			t.Errorf("parse(%q): more positional arguments than arguments: %q", args, pos)
		}
	})
}
