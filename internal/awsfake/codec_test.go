package awsfake

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
}

// TestWireNamesMatchSDK checks every wire name the codecs give a member of
// a served operation against the SDK's generated serializers (inputs) and
// deserializers (outputs), read from the module cache: the names are the
// SDK's, not guessed. It skips when the go command or the module sources
// are not available.
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
		dir := moduleDir(t, mod.module)
		ser, de := readSource(t, filepath.Join(dir, "serializers.go")), readSource(t, filepath.Join(dir, "deserializers.go"))
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
			checked += checkNames(t, ser, mod.prefix+"_serializeOpDocument", mod.prefix+"_serializeDocument", in, o.in, map[reflect.Type]bool{}, serializedAs)
			checked += checkNames(t, de, mod.prefix+"_deserializeOpDocument", mod.prefix+"_deserializeDocument", out, o.out, map[reflect.Type]bool{}, deserializedAs(mod.prefix))
		})
	}
	t.Logf("%d member names checked", checked)
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

// checkNames checks the names of t's members, and of the structs they hold,
// in the bodies of the generated functions for each type; it returns how
// many it checked.
func checkNames(tb *testing.T, src, opPrefix, docPrefix string, n naming, t reflect.Type, seen map[reflect.Type]bool, forms func(string) []string) int {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType || seen[t] {
		return 0
	}
	seen[t] = true
	body := funcBody(src, opPrefix+t.Name())
	if body == "" {
		body = funcBody(src, docPrefix+t.Name())
	}
	fields := planOf(n, t)
	if len(fields) == 0 {
		return 0
	}
	if !assert.NotEmpty(tb, body, "no generated function for %s", t) {
		return 0
	}
	checked := 0
	for _, f := range fields {
		found := false
		for _, form := range forms(f.name) {
			found = found || strings.Contains(body, form)
		}
		assert.True(tb, found, "%s.%s: the SDK does not name it %q", t.Name(), t.Field(f.index).Name, f.name)
		checked++
		checked += checkNames(tb, src, opPrefix, docPrefix, n, t.Field(f.index).Type, seen, forms)
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
