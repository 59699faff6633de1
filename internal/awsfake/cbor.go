package awsfake

import (
	"fmt"
	"reflect"

	"github.com/aws/smithy-go/encoding/cbor"
)

// cborMembers is the response of an operation served over Smithy RPC v2 CBOR.
type cborMembers cbor.Map

// cborResponse renders an RPC v2 CBOR response map.
func cborResponse(out any) ([]byte, error) {
	m, ok := out.(cborMembers)
	if rv := reflect.ValueOf(out); !ok && rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		m, ok = cborMembers(encodeCBOR(rv.Elem())), true
	}
	if !ok {
		return nil, fmt.Errorf("operation returned %T, not cbor members or an output struct", out)
	}
	if m == nil {
		m = cborMembers{}
	}
	return cbor.Encode(cbor.Map(m)), nil
}

// cborError renders an RPC v2 CBOR error map: {"__type": code, "message": message}.
func cborError(e *apiError) []byte {
	m := cbor.Map{"__type": cbor.String(e.code), "message": cbor.String(e.message)}
	for _, kv := range e.extra {
		m[kv[0]] = cbor.String(kv[1])
	}
	return cbor.Encode(m)
}
