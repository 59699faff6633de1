package awsfake

import (
	stdjson "encoding/json"
	"fmt"
	"reflect"
	"time"

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

// decodeJSON returns a decoder of a JSON request body into In. An empty body
// decodes as an empty object.
func decodeJSON[In any](c *call) (In, error) {
	var in In
	if len(c.body) == 0 {
		return in, nil
	}
	if err := stdjson.Unmarshal(c.body, &in); err != nil {
		return in, badRequest("SerializationException", "cannot decode request body: %v", err)
	}
	return in, nil
}

// jstr writes "name": s.
func jstr(o *json.Object, name, s string) { o.Key(name).String(s) }

// jopt writes "name": s unless s is empty.
func jopt(o *json.Object, name, s string) {
	if s != "" {
		jstr(o, name, s)
	}
}

// jtime writes "name": t as epoch seconds, the JSON protocols' timestamp form.
func jtime(o *json.Object, name string, t time.Time) {
	o.Key(name).Double(float64(t.UnixMilli()) / 1000)
}

// jlist writes "name": [ {…}, … ], calling fill for each of n objects.
func jlist(o *json.Object, name string, n int, fill func(i int, item *json.Object)) {
	a := o.Key(name).Array()
	for i := range n {
		item := a.Value().Object()
		fill(i, item)
		item.Close()
	}
	a.Close()
}

// jstruct writes "name": {…}.
func jstruct(o *json.Object, name string, fill func(*json.Object)) {
	m := o.Key(name).Object()
	fill(m)
	m.Close()
}

// jstrings writes "name": ["…", …].
func jstrings(o *json.Object, name string, ss []string) {
	a := o.Key(name).Array()
	for _, s := range ss {
		a.Value().String(s)
	}
	a.Close()
}
