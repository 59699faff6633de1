package awsfake

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/smithy-go/encoding/xml"
)

// xmlMembers writes the members of an ec2query response (directly under the
// root element) or of an awsQuery response (under its Result element).
type xmlMembers func(v xml.Value)

// xmlMembersOf returns the members an operation's result writes: the
// result itself when it is hand-written, else the codec's encoding of the
// SDK output struct it points to.
func xmlMembersOf(op string, n naming, out any) (xmlMembers, error) {
	switch m := out.(type) {
	case xmlMembers:
		return m, nil
	case *listing:
		return func(v xml.Value) {
			xfragments(v, m.set, m.items)
			xopt(v, "nextToken", m.next)
		}, nil
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("operation %s returned %T, not xml members or an output struct", op, out)
	}
	return func(v xml.Value) { encodeXML(v, n, rv.Elem()) }, nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// ec2Response renders an ec2query response: <OpResponse xmlns=…> holding a
// requestId and the members, with no Result wrapper.
func ec2Response(buf *bytes.Buffer, op, xmlns, requestID string, out any) ([]byte, error) {
	members, err := xmlMembersOf(op, ec2Out, out)
	if err != nil {
		return nil, err
	}
	buf.WriteString(xmlHeader)
	root := xml.NewEncoder(buf).RootElement(xml.StartElement{
		Name: xml.Name{Local: op + "Response"},
		Attr: []xml.Attr{xml.NewNamespaceAttribute("", xmlns)},
	})
	xstr(root, "requestId", requestID)
	members(root)
	root.Close()
	return buf.Bytes(), nil
}

// ec2Error renders an ec2query error: Response/Errors/Error/{Code,Message}
// and RequestID.
func ec2Error(e *apiError, requestID string) []byte {
	var buf bytes.Buffer
	buf.WriteString(xmlHeader)
	root := xml.NewEncoder(&buf).RootElement(el("Response"))
	errs := root.MemberElement(el("Errors"))
	one := errs.MemberElement(el("Error"))
	xstr(one, "Code", e.code)
	xstr(one, "Message", e.message)
	one.Close()
	errs.Close()
	xstr(root, "RequestID", requestID)
	root.Close()
	return buf.Bytes()
}

// queryResponse renders an awsQuery response:
// <OpResponse><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>.
func queryResponse(op, xmlns, requestID string, out any) ([]byte, error) {
	members, err := xmlMembersOf(op, queryNames, out)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	root := xml.NewEncoder(&buf).RootElement(xml.StartElement{
		Name: xml.Name{Local: op + "Response"},
		Attr: []xml.Attr{xml.NewNamespaceAttribute("", xmlns)},
	})
	result := root.MemberElement(el(op + "Result"))
	members(result)
	result.Close()
	meta := root.MemberElement(el("ResponseMetadata"))
	xstr(meta, "RequestId", requestID)
	meta.Close()
	root.Close()
	return buf.Bytes(), nil
}

// queryError renders an awsQuery error:
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
func queryError(xmlns string, e *apiError, requestID string) []byte {
	var buf bytes.Buffer
	start := el("ErrorResponse")
	if xmlns != "" {
		start.Attr = []xml.Attr{xml.NewNamespaceAttribute("", xmlns)}
	}
	root := xml.NewEncoder(&buf).RootElement(start)
	one := root.MemberElement(el("Error"))
	xstr(one, "Type", fault(e))
	xstr(one, "Code", e.code)
	xstr(one, "Message", e.message)
	one.Close()
	xstr(root, "RequestId", requestID)
	root.Close()
	return buf.Bytes()
}

func el(name string) xml.StartElement { return xml.StartElement{Name: xml.Name{Local: name}} }

// xstr writes <name>s</name>.
func xstr(v xml.Value, name, s string) { v.MemberElement(el(name)).String(s) }

// xopt writes <name>s</name> unless s is empty.
func xopt(v xml.Value, name, s string) {
	if s != "" {
		xstr(v, name, s)
	}
}

// fragment returns the encoded <item> of a list member, cached by resource
// ID until state.changed(id): a page of a large listing then costs little
// more than copying bytes. write encodes the item's members.
func (st *state) fragment(id string, write func(item xml.Value)) []byte {
	if b, ok := st.frags[id]; ok {
		return b
	}
	var buf bytes.Buffer
	item := xml.NewEncoder(&buf).RootElement(el("item"))
	write(item)
	item.Close()
	st.frags[id] = buf.Bytes()
	return buf.Bytes()
}

// listing is an EC2 listing answered from encoded items (state.fragment):
// DescribeVpcs and DescribeSubnets page through worlds of 100,000 subnets,
// and encoding the SDK structs again for every page would cost more than
// serving it. A model returns it instead of the SDK output.
type listing struct {
	set   string   // the list's element, such as subnetSet
	items [][]byte // encoded <item> elements
	next  string   // the next page's token, "" after the last
}

// xfragments writes an EC2 list, <name>…</name>, from encoded items.
func xfragments(v xml.Value, name string, items [][]byte) {
	all := getBuffer()
	defer putBuffer(all)
	for _, it := range items {
		all.Write(it)
	}
	v.MemberElement(el(name)).Write(all.Bytes(), false)
}

// Pages of a thousand subnets are hundreds of kilobytes; building each in a
// fresh buffer made the garbage collector, which scans the whole world's
// heap, the fake's main cost. Buffers are reused instead.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled keeps an unusually large buffer from being held forever.
const maxPooled = 8 << 20

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		buffers.Put(b)
	}
}

// Form decoding for the query protocols. Lists are 1-based: Name.1, Name.2, …;
// a struct member is Name.Member; a list of structs is Name.N.Member.

// str returns a form value, or "" when absent.
func (c *call) str(name string) string { return c.form.Get(name) }

// has reports whether the form holds name.
func (c *call) has(name string) bool { _, ok := c.form[name]; return ok }

// under returns the form keys that start with prefix, in sorted order. The
// keys are sorted once per call, so the codec's lookups cost a binary
// search rather than a scan of the whole form (a PutMetricData form has
// tens of thousands of keys).
func (c *call) under(prefix string) []string {
	if c.formKeys == nil {
		c.formKeys = slices.Sorted(maps.Keys(c.form))
	}
	i, _ := slices.BinarySearch(c.formKeys, prefix)
	j := i
	for j < len(c.formKeys) && strings.HasPrefix(c.formKeys[j], prefix) {
		j++
	}
	return c.formKeys[i:j]
}

// indices returns the list indices present under prefix ("prefix.N" or
// "prefix.N.…"), ascending.
func (c *call) indices(prefix string) []int {
	var idx []int
	p := prefix + "."
	for _, k := range c.under(p) {
		num, _, _ := strings.Cut(k[len(p):], ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		if !slices.Contains(idx, n) {
			idx = append(idx, n)
		}
	}
	slices.Sort(idx)
	return idx
}

// filter is one EC2 Filter: a name and the values any of which may match.
type filter struct {
	name   string
	values []string
}

// tag is one key and value.
type tag struct{ key, value string }
