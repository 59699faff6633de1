package awsfake

import (
	"fmt"
	"reflect"

	"github.com/aws/smithy-go/encoding/json"
)

// jsonMembers writes the members of a JSON response object (awsJson1_0,
// awsJson1_1 and restJson1).
type jsonMembers func(o *json.Object)

// jsonResponse renders a JSON response object.
// out is hand-written members, or an SDK output struct that the codec
// encodes with the service's naming.
func jsonResponse(svc *service, out any) ([]byte, error) {
	enc := json.NewEncoder()
	o := enc.Object()
	if members, ok := out.(jsonMembers); ok {
		members(o)
	} else if rv := reflect.ValueOf(out); rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		encodeJSON(o, jsonNaming(svc), rv.Elem())
	} else {
		return nil, fmt.Errorf("operation returned %T, not json members or an output struct", out)
	}
	o.Close()
	return enc.Bytes(), nil
}

// jsonError renders a JSON error body: {"__type": code, <messageKey>: message, …}.
func jsonError(messageKey string, e *apiError) []byte {
	enc := json.NewEncoder()
	o := enc.Object()
	o.Key("__type").String(e.code)
	if messageKey == "" {
		messageKey = "message"
	}
	o.Key(messageKey).String(e.message)
	for _, kv := range e.extra {
		o.Key(kv[0]).String(kv[1])
	}
	o.Close()
	return enc.Bytes()
}
