package awsfake

import (
	stdjson "encoding/json"
	"net/http"
	"reflect"
)

// Idempotency, one implementation for every write that takes a client
// token (EC2's ClientToken, RAM's clientToken): the token, scoped to the
// calling account and service, remembers a fingerprint of the request's
// other members and the ID of the resource it made.

// clientToken is a client token an account used, with the request it came with.
type clientToken struct {
	fingerprint string // the request's members, without the token
	resourceID  string
}

// fingerprint is a canonical form of a typed input without its ClientToken.
func fingerprint(in any) string {
	v := reflect.New(reflect.TypeOf(in).Elem()).Elem()
	v.Set(reflect.ValueOf(in).Elem())
	if f := v.FieldByName("ClientToken"); f.IsValid() {
		f.SetZero()
	}
	b, err := stdjson.Marshal(v.Interface()) // SDK input structs always marshal
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func tokenKey(c *call, token string) string { return c.svc.name + "/" + c.account() + "/" + token }

// replay looks up the client token of a request whose typed input is in. It
// returns the ID of the resource an earlier request with the same token and
// members made, "" when the token is new or absent, or the service's
// IdempotentParameterMismatch when the token came before with other members.
func (st *state) replay(c *call, token *string, in any) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	used, ok := st.tokens[tokenKey(c, *token)]
	if !ok {
		return "", nil
	}
	if used.fingerprint != fingerprint(in) {
		if c.proto == protoEC2Query {
			return "", newError(http.StatusBadRequest, "IdempotentParameterMismatch", "The client token %s has already been used with different parameters", *token)
		}
		return "", newError(http.StatusBadRequest, "IdempotentParameterMismatchException", "The client token %s has already been used with different parameters.", *token)
	}
	return used.resourceID, nil
}

// remember records the resource a request with a client token made.
func (st *state) remember(c *call, token string, in any, resourceID string) {
	if token != "" {
		st.tokens[tokenKey(c, token)] = clientToken{fingerprint: fingerprint(in), resourceID: resourceID}
	}
}
