package awsfake

import (
	"net/http"
	"slices"
	"strings"
)

// clientToken is a ClientToken an account used, with the request it came with.
type clientToken struct {
	fingerprint string // the request's parameters, without the token
	resourceID  string
}

// fingerprint is a canonical form of a query request's parameters, without
// its ClientToken.
func (c *call) fingerprint() string {
	var b strings.Builder
	for _, k := range sortedKeys(c.form) {
		if k == "ClientToken" {
			continue
		}
		v := slices.Clone(c.form[k])
		b.WriteString(k + "=" + strings.Join(v, "\x00") + "\n")
	}
	return b.String()
}

// replay looks up the ClientToken of a request. It returns the ID of the
// resource an earlier request with the same token and parameters made, ""
// when the token is new or absent, or IdempotentParameterMismatch when the
// token came before with other parameters.
func (st *state) replay(c *call) (string, error) {
	token := c.str("ClientToken")
	if token == "" {
		return "", nil
	}
	used, ok := st.tokens[c.account()+"/"+token]
	if !ok {
		return "", nil
	}
	if used.fingerprint != c.fingerprint() {
		return "", newError(http.StatusBadRequest, "IdempotentParameterMismatch",
			"The client token %s has already been used with different parameters", token)
	}
	return used.resourceID, nil
}

// remember records the resource a request with a ClientToken made.
func (st *state) remember(c *call, resourceID string) {
	if token := c.str("ClientToken"); token != "" {
		st.tokens[c.account()+"/"+token] = clientToken{fingerprint: c.fingerprint(), resourceID: resourceID}
	}
}
