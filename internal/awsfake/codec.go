package awsfake

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/encoding/json"
	"github.com/aws/smithy-go/encoding/xml"
	smithytime "github.com/aws/smithy-go/time"
)

// The protocol codecs: one reflection-driven decoder and encoder per wire
// protocol, between the wire and the SDK's own input and output structs.
// A member's wire name comes from its Go field name by the protocol's rule
// (naming), or from wireNameOverride where the model names it otherwise;
// TestWireNamesMatchSDK checks every name against the SDK's generated
// serializers and deserializers.

// naming is a protocol's rule from Go field names to wire names.
type naming int

const (
	ec2In      naming = iota // EC2 query form: the field name; lists flattened as Name.N under the member's name
	ec2Out                   // EC2 XML: lowerCamel; lists <nameSet><item>…</item></nameSet>
	queryNames               // awsQuery form and XML: the field name; lists Name.member.N and <member>
	jsonNames                // JSON 1.0 and 1.1, Lambda: the field name
	camelJSON                // RAM's restJson1: lowerCamel
)

// wireNameOverride names a member whose wire name the rules do not derive,
// by naming and "Type.Field". It is a switch, not a map, so that nothing is
// built at init.
func wireNameOverride(n naming, member string) (string, bool) {
	switch {
	case n == ec2In && member == "CreateTagsInput.Resources":
		return "ResourceId", true
	case n == ec2In && member == "DescribeRegionsInput.RegionNames":
		return "RegionName", true
	case n == ec2Out && member == "DescribeRegionsOutput.Regions":
		return "regionInfo", true
	case n == ec2Out && member == "Region.Endpoint":
		return "regionEndpoint", true
	case n == queryNames && member == "PolicyDescriptorType.Arn": // STS AssumeRole's PolicyArns
		return "arn", true
	}
	return "", false
}

// queryMapEntry names the key and value of an awsQuery map's entries
// (Name.entry.N.key, Name.entry.N.value), by "Type.Field": SNS names its
// message attributes' Name and Value.
func queryMapEntry(member string) [2]string {
	switch member {
	case "PublishInput.MessageAttributes", "PublishBatchRequestEntry.MessageAttributes":
		return [2]string{"Name", "Value"}
	}
	return [2]string{"key", "value"}
}

// fieldPlan is how one struct field goes on the wire.
type fieldPlan struct {
	index int
	name  string
	entry [2]string // an awsQuery map's key and value names
}

type planKey struct {
	n naming
	t reflect.Type
}

// plans caches each struct type's fields by naming.
var plans sync.Map // planKey -> []fieldPlan

var timeType = reflect.TypeFor[time.Time]()

// planOf returns the wire plan of struct type t: its exported members, in
// declaration order, without the SDK's ResultMetadata.
func planOf(n naming, t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(planKey{n, t}); ok {
		return p.([]fieldPlan)
	}
	var p []fieldPlan
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		p = append(p, fieldPlan{index: i, name: wireName(n, t, f), entry: queryMapEntry(t.Name() + "." + f.Name)})
	}
	plans.Store(planKey{n, t}, p)
	return p
}

// wireName is the name of field f of struct type t under naming n.
func wireName(n naming, t reflect.Type, f reflect.StructField) string {
	if s, ok := wireNameOverride(n, t.Name()+"."+f.Name); ok {
		return s
	}
	list := f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() != reflect.Uint8
	switch n {
	case ec2In:
		if list {
			return strings.TrimSuffix(f.Name, "s")
		}
	case ec2Out:
		if list && !strings.HasSuffix(f.Name, "Set") {
			return lowerFirst(strings.TrimSuffix(f.Name, "s")) + "Set"
		}
		return lowerFirst(f.Name)
	case camelJSON:
		return lowerFirst(f.Name)
	}
	return f.Name
}

// decodeInput decodes the call's request into v, a struct of the SDK's
// input type, with the codec of the call's protocol.
func decodeInput(c *call, v reflect.Value) error {
	switch c.proto {
	case protoEC2Query:
		return decodeForm(c, ec2In, v, "")
	case protoAWSQuery:
		return decodeForm(c, queryNames, v, "")
	case protoRestJSON:
		return decodeJSONBody(c, jsonNaming(c.svc), v)
	case protoJSON10, protoJSON11:
		return decodeJSONBody(c, jsonNames, v)
	case protoCBOR:
		return decodeCBORBody(c, v)
	}
	return fmt.Errorf("no codec decodes %v for %s", c.proto, c.op)
}

// decodeCBORBody decodes an RPC v2 CBOR request body into struct v: the
// CBOR value becomes the tree a JSON body decodes to (numbers as
// json.Number, epoch-seconds timestamps, tag 1, as numbers), which setJSON
// assigns. An empty body is an empty map.
func decodeCBORBody(c *call, v reflect.Value) error {
	if len(c.body) == 0 {
		return nil
	}
	doc, err := cbor.Decode(c.body)
	if err != nil {
		return badRequest("SerializationException", "cannot decode CBOR body: %v", err)
	}
	if err := setJSON(jsonNames, v, fromCBOR(doc), ""); err != nil {
		return badRequest("SerializationException", "cannot decode CBOR body: %v", err)
	}
	return nil
}

// fromCBOR converts a CBOR value to the tree of a decoded JSON value.
func fromCBOR(v cbor.Value) any {
	num := func(f float64) stdjson.Number { return stdjson.Number(strconv.FormatFloat(f, 'g', -1, 64)) }
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = fromCBOR(x)
		}
		return m
	case cbor.List:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = fromCBOR(x)
		}
		return l
	case cbor.String:
		return string(v)
	case cbor.Uint:
		return stdjson.Number(strconv.FormatUint(uint64(v), 10))
	case cbor.NegInt:
		return stdjson.Number("-" + strconv.FormatUint(uint64(v)+1, 10))
	case cbor.Float32:
		return num(float64(v))
	case cbor.Float64:
		return num(float64(v))
	case cbor.Bool:
		return bool(v)
	case cbor.Slice:
		return base64.StdEncoding.EncodeToString(v)
	case *cbor.Tag:
		return fromCBOR(v.Value)
	}
	return nil
}

// encodeCBOR converts struct rv to a CBOR map with the SDK's member names,
// timestamps as tag 1, nil members left out.
func encodeCBOR(rv reflect.Value) cbor.Map {
	m := cbor.Map{}
	for _, f := range planOf(jsonNames, rv.Type()) {
		if fv := rv.Field(f.index); !absent(fv) {
			m[f.name] = cborValue(fv)
		}
	}
	return m
}

func cborValue(fv reflect.Value) cbor.Value {
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	switch {
	case fv.Type() == timeType:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(smithytime.FormatEpochSeconds(fv.Interface().(time.Time)))}
	case fv.Kind() == reflect.Struct:
		return encodeCBOR(fv)
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
		return cbor.Slice(fv.Bytes())
	case fv.Kind() == reflect.Slice:
		l := make(cbor.List, fv.Len())
		for i := range l {
			l[i] = cborValue(fv.Index(i))
		}
		return l
	case fv.Kind() == reflect.Map:
		m := cbor.Map{}
		for _, k := range fv.MapKeys() {
			m[k.String()] = cborValue(fv.MapIndex(k))
		}
		return m
	case fv.Kind() == reflect.String:
		return cbor.String(fv.String())
	case fv.Kind() >= reflect.Int && fv.Kind() <= reflect.Int64:
		if n := fv.Int(); n < 0 {
			return cbor.NegInt(uint64(-n - 1))
		}
		return cbor.Uint(uint64(fv.Int()))
	case fv.Kind() == reflect.Float32 || fv.Kind() == reflect.Float64:
		return cbor.Float64(fv.Float())
	case fv.Kind() == reflect.Bool:
		return cbor.Bool(fv.Bool())
	}
	return &cbor.Nil{}
}

// decodeForm sets the members of struct v from the form keys under prefix.
func decodeForm(c *call, n naming, v reflect.Value, prefix string) error {
	for _, f := range planOf(n, v.Type()) {
		if err := decodeFormValue(c, n, v.Field(f.index), prefix+f.name, f.entry); err != nil {
			return err
		}
	}
	return nil
}

// decodeFormValue sets v from the form key (or keys under key) when
// present; entry names the key and value of a map's entries.
func decodeFormValue(c *call, n naming, v reflect.Value, key string, entry [2]string) error {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		if !c.hasUnder(key) {
			return nil
		}
		p := reflect.New(t.Elem())
		if err := decodeFormValue(c, n, p.Elem(), key, entry); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case t == timeType:
		if !c.has(key) {
			return nil
		}
		tm, err := smithytime.ParseDateTime(c.str(key))
		if err != nil {
			return badRequest(invalidValue(c), "Value (%s) for parameter %s is invalid. Expected a timestamp.", c.str(key), key)
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case t.Kind() == reflect.Struct:
		return decodeForm(c, n, v, key+".")
	case t.Kind() == reflect.Map:
		key += ".entry"
		idx := c.indices(key)
		if len(idx) == 0 {
			return nil
		}
		m := reflect.MakeMapWithSize(t, len(idx))
		for _, i := range idx {
			at := key + "." + strconv.Itoa(i) + "."
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeFormValue(c, n, ev, at+entry[1], [2]string{"key", "value"}); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(c.str(at+entry[0])).Convert(t.Key()), ev)
		}
		v.Set(m)
		return nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		if !c.has(key) {
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(c.str(key))
		if err != nil {
			return badRequest(invalidValue(c), "Value (%s) for parameter %s is invalid. Expected base64.", c.str(key), key)
		}
		v.SetBytes(b)
		return nil
	case t.Kind() == reflect.Slice:
		if n == queryNames {
			key += ".member"
		}
		idx := c.indices(key)
		if len(idx) == 0 {
			return nil
		}
		s := reflect.MakeSlice(t, len(idx), len(idx))
		for j, i := range idx {
			if err := decodeFormValue(c, n, s.Index(j), key+"."+strconv.Itoa(i), entry); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	if !c.has(key) {
		return nil
	}
	return setScalar(c, v, key, c.str(key))
}

// setScalar sets a string, number or boolean v from its text.
func setScalar(c *call, v reflect.Value, key, raw string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			if c.proto == protoAWSQuery {
				return badRequest("ValidationError", "Value '%s' for parameter %s is not a valid integer", raw, key)
			}
			return badRequest(invalidValue(c), "Value (%s) for parameter %s is invalid. Expected an integer.", raw, key)
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return badRequest(invalidValue(c), "Value (%s) for parameter %s is invalid. Expected a number.", raw, key)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return badRequest(invalidValue(c), "Value (%s) for parameter %s is invalid. Expected a boolean.", raw, key)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("no codec for %s (%s)", key, v.Type())
	}
	return nil
}

// invalidValue is the protocol's error code for a malformed member.
func invalidValue(c *call) string {
	switch c.proto {
	case protoEC2Query:
		return "InvalidParameterValue"
	case protoAWSQuery:
		return "ValidationError"
	}
	return "SerializationException"
}

// hasUnder reports whether the form holds key or a key under it.
func (c *call) hasUnder(key string) bool {
	return c.has(key) || len(c.under(key+".")) > 0
}

// decodeJSONBody decodes a JSON request body into struct v. An empty body
// is an empty object. In restJson1, string members bound to the query
// string (RAM's DeleteResourceShare) are named there as in the body.
func decodeJSONBody(c *call, n naming, v reflect.Value) error {
	var doc any = map[string]any{}
	if len(bytes.TrimSpace(c.body)) > 0 {
		d := stdjson.NewDecoder(bytes.NewReader(c.body))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			return badRequest("SerializationException", "cannot decode request body: %v", err)
		}
	}
	if obj, ok := doc.(map[string]any); ok && c.proto == protoRestJSON {
		for k, vs := range c.query {
			if _, set := obj[k]; !set && len(vs) > 0 {
				obj[k] = vs[0]
			}
		}
	}
	if err := setJSON(n, v, doc, ""); err != nil {
		return badRequest("SerializationException", "cannot decode request body: %v", err)
	}
	return nil
}

// setJSON sets v from a decoded JSON value; path names it in errors.
func setJSON(n naming, v reflect.Value, doc any, path string) error {
	if doc == nil {
		return nil
	}
	t := v.Type()
	mismatch := func() error { return fmt.Errorf("%s: %T is not a %s", path, doc, t) }
	switch {
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := setJSON(n, p.Elem(), doc, path); err != nil {
			return err
		}
		v.Set(p)
	case t == timeType:
		num, ok := doc.(stdjson.Number)
		if !ok {
			return mismatch()
		}
		f, err := num.Float64()
		if err != nil {
			return mismatch()
		}
		v.Set(reflect.ValueOf(smithytime.ParseEpochSeconds(f)))
	case t.Kind() == reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return mismatch()
		}
		for _, f := range planOf(n, t) {
			if err := setJSON(n, v.Field(f.index), obj[f.name], path+"."+f.name); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s, ok := doc.(string)
		if !ok {
			return mismatch()
		}
		var b []byte
		if err := stdjson.Unmarshal([]byte(strconv.Quote(s)), &b); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v.SetBytes(b)
	case t.Kind() == reflect.Slice:
		arr, ok := doc.([]any)
		if !ok {
			return mismatch()
		}
		s := reflect.MakeSlice(t, len(arr), len(arr))
		for i, e := range arr {
			if err := setJSON(n, s.Index(i), e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		v.Set(s)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		obj, ok := doc.(map[string]any)
		if !ok {
			return mismatch()
		}
		m := reflect.MakeMapWithSize(t, len(obj))
		for k, e := range obj {
			ev := reflect.New(t.Elem()).Elem()
			if err := setJSON(n, ev, e, path+"."+k); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(m)
	case t.Kind() == reflect.String:
		s, ok := doc.(string)
		if !ok {
			return mismatch()
		}
		v.SetString(s)
	case t.Kind() == reflect.Bool:
		b, ok := doc.(bool)
		if !ok {
			return mismatch()
		}
		v.SetBool(b)
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		num, ok := doc.(stdjson.Number)
		i, err := num.Int64()
		if !ok || err != nil || v.OverflowInt(i) {
			return mismatch()
		}
		v.SetInt(i)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		num, ok := doc.(stdjson.Number)
		f, err := num.Float64()
		if !ok || err != nil {
			return mismatch()
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("%s: no codec for %s", path, t)
	}
	return nil
}

// absent reports whether a member is left off the wire: nil, or an enum
// (a string that is not a pointer) that is empty, as the SDKs do.
func absent(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return fv.IsNil()
	case reflect.String:
		return fv.Len() == 0
	}
	return false
}

// encodeXML writes the members of struct rv under v: EC2's lowerCamel
// names and <item> lists, or awsQuery's field names and <member> lists.
// Nil members are left out; an empty, non-nil list is written empty.
func encodeXML(v xml.Value, n naming, rv reflect.Value) {
	for _, f := range planOf(n, rv.Type()) {
		encodeXMLMember(v, n, f.name, rv.Field(f.index))
	}
}

func encodeXMLMember(parent xml.Value, n naming, name string, fv reflect.Value) {
	if absent(fv) {
		return
	}
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 {
		item := "item"
		if n == queryNames {
			item = "member"
		}
		m := parent.MemberElement(el(name))
		a := m.ArrayWithCustomName(el(item))
		for i := range fv.Len() {
			writeXMLValue(a.Member(), n, fv.Index(i))
		}
		m.Close()
		return
	}
	writeXMLValue(parent.MemberElement(el(name)), n, fv)
}

// writeXMLValue writes one value into the element v, and closes it.
func writeXMLValue(v xml.Value, n naming, fv reflect.Value) {
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	switch {
	case fv.Type() == timeType:
		v.String(smithytime.FormatDateTime(fv.Interface().(time.Time)))
	case fv.Kind() == reflect.Struct:
		encodeXML(v, n, fv)
		v.Close()
	case fv.Kind() == reflect.String:
		v.String(fv.String())
	case fv.Kind() >= reflect.Int && fv.Kind() <= reflect.Int64:
		v.Long(fv.Int())
	case fv.Kind() == reflect.Float32 || fv.Kind() == reflect.Float64:
		v.Double(fv.Float())
	case fv.Kind() == reflect.Bool:
		v.Boolean(fv.Bool())
	case fv.Kind() == reflect.Slice: // []byte
		v.Base64EncodeBytes(fv.Bytes())
	default:
		v.Close()
	}
}

// encodeJSON writes struct rv as a JSON object: the JSON protocols' field
// names (RAM's lowerCamel), timestamps as epoch seconds, nil members left out.
func encodeJSON(o *json.Object, n naming, rv reflect.Value) {
	for _, f := range planOf(n, rv.Type()) {
		fv := rv.Field(f.index)
		if absent(fv) {
			continue
		}
		writeJSONValue(o.Key(f.name), n, fv)
	}
}

func writeJSONValue(v json.Value, n naming, fv reflect.Value) {
	if fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	switch {
	case fv.Type() == timeType:
		v.Double(smithytime.FormatEpochSeconds(fv.Interface().(time.Time)))
	case fv.Kind() == reflect.Struct:
		o := v.Object()
		encodeJSON(o, n, fv)
		o.Close()
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
		v.Base64EncodeBytes(fv.Bytes())
	case fv.Kind() == reflect.Slice:
		a := v.Array()
		for i := range fv.Len() {
			writeJSONValue(a.Value(), n, fv.Index(i))
		}
		a.Close()
	case fv.Kind() == reflect.Map:
		o := v.Object()
		keys := fv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			writeJSONValue(o.Key(k.String()), n, fv.MapIndex(k))
		}
		o.Close()
	case fv.Kind() == reflect.String:
		v.String(fv.String())
	case fv.Kind() >= reflect.Int && fv.Kind() <= reflect.Int64:
		v.Long(fv.Int())
	case fv.Kind() == reflect.Float32 || fv.Kind() == reflect.Float64:
		v.Double(fv.Float())
	case fv.Kind() == reflect.Bool:
		v.Boolean(fv.Bool())
	default:
		v.Null()
	}
}

// jsonNaming is the naming of a JSON service's members.
func jsonNaming(svc *service) naming {
	if svc.name == "ram" {
		return camelJSON
	}
	return jsonNames
}
