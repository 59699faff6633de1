package awsfake

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkModules are the SDK modules of the services whose operations the
// codecs serve, and each one's generated-code prefix.
var sdkModules = map[string]struct{ module, prefix string }{
	"ec2":            {"github.com/aws/aws-sdk-go-v2/service/ec2", "awsEc2query"},
	"sts":            {"github.com/aws/aws-sdk-go-v2/service/sts", "awsAwsquery"},
	"sns":            {"github.com/aws/aws-sdk-go-v2/service/sns", "awsAwsquery"},
	"organizations":  {"github.com/aws/aws-sdk-go-v2/service/organizations", "awsAwsjson11"},
	"events":         {"github.com/aws/aws-sdk-go-v2/service/eventbridge", "awsAwsjson11"},
	"ssm":            {"github.com/aws/aws-sdk-go-v2/service/ssm", "awsAwsjson11"},
	"secretsmanager": {"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "awsAwsjson11"},
	"ram":            {"github.com/aws/aws-sdk-go-v2/service/ram", "awsRestjson1"},
	"monitoring":     {"github.com/aws/aws-sdk-go-v2/service/cloudwatch", "rpcv2cbor"},
}

// TestWireNamesMatchSDK checks every wire name the codecs give a member of
// a served operation against the SDK's generated code, read from the module
// cache: the serializers (inputs) and deserializers (outputs) of the older
// generated clients, or the Smithy schemas of the newer ones (RAM, the JSON
// services). The names are the SDK's, not guessed. It skips when the go
// command or the module sources are not available.
func TestWireNamesMatchSDK(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to find the SDK sources")
	}
	checked := 0
	for key, o := range operations() {
		if o.in == nil {
			continue // still hand-written
		}
		mod, ok := sdkModules[o.service]
		require.True(t, ok, "no SDK module listed for %s", o.service)
		var in, out naming
		switch {
		case o.service == "ec2":
			in, out = ec2In, ec2Out
		case mod.prefix == "awsAwsquery":
			in, out = queryNames, queryNames
		case o.service == "ram":
			in, out = camelJSON, camelJSON
		default:
			in, out = jsonNames, jsonNames
		}
		t.Run(key.service+"."+key.name, func(t *testing.T) {
			dir := moduleDir(t, mod.module)
			var inNames, outNames sdkNames
			if schema, err := os.ReadFile(filepath.Join(dir, "schemas", "schemas.go")); err == nil {
				inNames = schemaNames{src: string(schema), suffixes: []string{"Request", "Input"}}
				outNames = schemaNames{src: string(schema), suffixes: []string{"Response", "Output", "Result"}}
			} else {
				ser, de := readSource(t, filepath.Join(dir, "serializers.go")), readSource(t, filepath.Join(dir, "deserializers.go"))
				inNames = codeNames{src: ser, opPrefix: mod.prefix + "_serializeOpDocument", docPrefix: mod.prefix + "_serializeDocument", forms: serializedAs}
				outNames = codeNames{src: de, opPrefix: mod.prefix + "_deserializeOpDocument", docPrefix: mod.prefix + "_deserializeDocument", forms: deserializedAs(mod.prefix)}
			}
			checked += checkNames(t, inNames, in, o.in, map[reflect.Type]bool{})
			checked += checkNames(t, outNames, out, o.out, map[reflect.Type]bool{})
		})
	}
	t.Logf("%d member names checked", checked)
}

// sdkNames answers whether the SDK names a member of a struct type so.
type sdkNames interface {
	// members returns a test of member names for the type, or nil when the
	// SDK's code has no shape for it.
	members(t reflect.Type) func(name string) bool
}

// codeNames finds names in generated serializer or deserializer functions.
type codeNames struct {
	src, opPrefix, docPrefix string
	forms                    func(string) []string
}

func (c codeNames) members(t reflect.Type) func(string) bool {
	body := funcBody(c.src, c.opPrefix+t.Name())
	if body == "" {
		body = funcBody(c.src, c.docPrefix+t.Name())
	}
	if body == "" {
		return nil
	}
	return func(name string) bool {
		for _, form := range c.forms(name) {
			if strings.Contains(body, form) {
				return true
			}
		}
		return false
	}
}

// schemaNames finds names in a service's Smithy schemas, where the shape
// of an operation's input is named …Request or …Input rather than the Go
// type's …Input.
type schemaNames struct {
	src      string
	suffixes []string
}

func (s schemaNames) members(t reflect.Type) func(string) bool {
	shapes := []string{t.Name()}
	for _, suffix := range s.suffixes {
		for _, goSuffix := range []string{"Input", "Output"} {
			if base, ok := strings.CutSuffix(t.Name(), goSuffix); ok {
				shapes = append(shapes, base+suffix)
			}
		}
	}
	for _, shape := range shapes {
		if strings.Contains(s.src, "\nvar "+shape+" = smithy.NewSchema(") {
			return func(name string) bool { return strings.Contains(s.src, shape+`.AddMember("`+name+`"`) }
		}
	}
	return nil
}

// serializedAs is how a serializer names a member.
func serializedAs(name string) []string {
	return []string{`Key("` + name + `")`, `FlatKey("` + name + `")`}
}

// deserializedAs is how a deserializer of the protocol matches a member.
func deserializedAs(prefix string) func(string) []string {
	return func(name string) []string {
		if prefix == "awsEc2query" || prefix == "awsAwsquery" {
			return []string{`strings.EqualFold("` + name + `", t.Name.Local)`}
		}
		return []string{`case "` + name + `":`}
	}
}

// checkNames checks the names of t's members, and of the structs they hold;
// it returns how many it checked.
func checkNames(tb *testing.T, names sdkNames, n naming, t reflect.Type, seen map[reflect.Type]bool) int {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType || seen[t] {
		return 0
	}
	seen[t] = true
	fields := planOf(n, t)
	if len(fields) == 0 {
		return 0
	}
	has := names.members(t)
	if !assert.NotNil(tb, has, "the SDK has no shape for %s", t) {
		return 0
	}
	checked := 0
	for _, f := range fields {
		assert.True(tb, has(f.name), "%s.%s: the SDK does not name it %q", t.Name(), t.Field(f.index).Name, f.name)
		checked++
		checked += checkNames(tb, names, n, t.Field(f.index).Type, seen)
	}
	return checked
}

// funcBody returns the source of the function named name, or "".
func funcBody(src, name string) string {
	i := strings.Index(src, "\nfunc "+name+"(")
	if i < 0 {
		return ""
	}
	end := strings.Index(src[i+1:], "\nfunc ")
	if end < 0 {
		return src[i:]
	}
	return src[i : i+1+end]
}

var sources = map[string]string{}

func readSource(t *testing.T, path string) string {
	if s, ok := sources[path]; ok {
		return s
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("SDK source not available: %v", err)
	}
	sources[path] = string(b)
	return sources[path]
}

var moduleDirs = map[string]string{}

func moduleDir(t *testing.T, module string) string {
	if d, ok := moduleDirs[module]; ok {
		return d
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		t.Skipf("cannot find %s: %v", module, err)
	}
	moduleDirs[module] = strings.TrimSpace(string(out))
	return moduleDirs[module]
}

// TestDecodeInput decodes requests of each protocol into SDK inputs and
// compares the whole result.
func TestDecodeInput(t *testing.T) {
	t.Parallel()
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	ec2Svc, snsSvc, ramSvc := &service{name: "ec2"}, &service{name: "sns"}, &service{name: "ram"}
	tests := []struct {
		name     string
		c        *call
		into     any
		want     any
		wantCode string
	}{
		{"EC2 lists in index order, not text order",
			&call{proto: protoEC2Query, svc: ec2Svc, form: form("Filter.2.Name", "b", "Filter.1.Name", "a", "Filter.1.Value.10", "z",
				"Filter.1.Value.1", "x", "Filter.1.Value.2", "y", "MaxResults", "5", "DryRun", "false")},
			&ec2.DescribeIpamPoolsInput{},
			&ec2.DescribeIpamPoolsInput{Filters: []ec2types.Filter{{Name: aws.String("a"), Values: []string{"x", "y", "z"}}, {Name: aws.String("b")}},
				MaxResults: aws.Int32(5), DryRun: aws.Bool(false)}, ""},
		{"EC2 flattened names and nested structs",
			&call{proto: protoEC2Query, svc: ec2Svc, form: form("ResourceId.1", "vpc-1", "Tag.1.Key", "k", "Tag.1.Value", "")},
			&ec2.CreateTagsInput{},
			&ec2.CreateTagsInput{Resources: []string{"vpc-1"}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("")}}}, ""},
		{"EC2 bad integer", &call{proto: protoEC2Query, svc: ec2Svc, form: form("MaxResults", "many")},
			&ec2.DescribeIpamPoolsInput{}, nil, "InvalidParameterValue"},
		{"awsQuery members and map entries",
			&call{proto: protoAWSQuery, svc: snsSvc, form: form("TopicArn", "arn", "Message", "m", "MessageAttributes.entry.1.Name", "n",
				"MessageAttributes.entry.1.Value.DataType", "Binary", "MessageAttributes.entry.1.Value.BinaryValue", "AQI=")},
			&sns.PublishInput{},
			&sns.PublishInput{TopicArn: aws.String("arn"), Message: aws.String("m"),
				MessageAttributes: map[string]snstypes.MessageAttributeValue{"n": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}}}}, ""},
		{"awsQuery bad integer", &call{proto: protoAWSQuery, svc: snsSvc, form: form("DurationSeconds", "x")},
			&sts.AssumeRoleInput{}, nil, "ValidationError"},
		{"restJson1 lowerCamel body and query members",
			&call{proto: protoRestJSON, svc: ramSvc, body: []byte(`{"resourceShareArns":["a"],"maxResults":3}`), query: form("resourceOwner", "SELF")},
			&ram.GetResourceSharesInput{},
			&ram.GetResourceSharesInput{ResourceShareArns: []string{"a"}, MaxResults: aws.Int32(3), ResourceOwner: ramtypes.ResourceOwnerSelf}, ""},
		{"JSON number where a string belongs", &call{proto: protoJSON11, svc: &service{name: "ssm"}, body: []byte(`{"Name":1}`)},
			&ssm.GetParameterInput{}, nil, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := decodeInput(tt.c, reflect.ValueOf(tt.into).Elem())
			if tt.wantCode != "" {
				var ae *apiError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.wantCode, ae.code, "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, tt.into)
		})
	}
}
