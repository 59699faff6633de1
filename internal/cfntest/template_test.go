package cfntest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// node parses src into its top node, for tests of pieces of a template.
func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc), src)
	require.NotEmpty(t, doc.Content, src)
	return doc.Content[0]
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		wantErr   string
	}{
		{name: "template", src: "Resources:\n  R: {Type: AWS::SNS::Topic}\n"},
		{name: "list", src: "- Resources\n", wantErr: "not a mapping"},
		{name: "empty", src: "", wantErr: "not a mapping"},
		{name: "no resources", src: "Parameters: {}\n", wantErr: "no Resources"},
		{name: "not YAML", src: "Resources: [\n", wantErr: "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			top, err := Parse([]byte(tt.src))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr, "Parse(%q)", tt.src)
				return
			}
			require.NoError(t, err, "Parse(%q)", tt.src)
			assert.Equal(t, []string{"Resources"}, Keys(top))
		})
	}
}

func TestParseKeepsShortForms(t *testing.T) {
	t.Parallel()
	top, err := Parse([]byte("Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub '${AWS::StackName}-x'}\n"))
	require.NoError(t, err)
	n := Path(top, "Resources", "R", "Properties", "TopicName")
	require.NotNil(t, n)
	assert.Equal(t, []string{"!Sub", "${AWS::StackName}-x"}, []string{n.Tag, n.Value})
}

func TestPath(t *testing.T) {
	t.Parallel()
	m := node(t, "a: {b: {c: x}}\nl: [1]\n")
	assert.Equal(t, "x", Path(m, "a", "b", "c").Value)
	assert.Nil(t, Path(m, "a", "nope", "c"), "a missing key in the middle")
	assert.Nil(t, Path(m, "l", "x"), "a key of a list")
	assert.Nil(t, Get(nil, "a"))
	assert.Equal(t, []string{"a", "l"}, Keys(m))
	assert.Nil(t, Keys(Get(m, "l")), "the keys of a list")
}

func TestScalars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []string
	}{
		{name: "string", src: "ec2:DescribeVpcs", want: []string{"ec2:DescribeVpcs"}},
		{name: "list", src: "[ec2:DescribeVpcs, 'sts:GetCallerIdentity']", want: []string{"ec2:DescribeVpcs", "sts:GetCallerIdentity"}},
		{name: "explicit string", src: "!!str ec2:DescribeVpcs", want: []string{"ec2:DescribeVpcs"}},
		{name: "short form", src: "!Sub '${P}:Describe'", want: []string{"<computed !Sub>"}},
		{name: "short form in a list", src: "[ec2:DescribeVpcs, !Ref P]", want: []string{"ec2:DescribeVpcs", "<computed !Ref>"}},
		{name: "short form of a list", src: "!Split [',', 'a,b']", want: []string{"<computed !Split>"}},
		{name: "long form", src: "{'Fn::Sub': '${P}:Describe'}", want: []string{"<computed !!map>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Scalars(node(t, tt.src)), "Scalars(%s)", tt.src)
		})
	}
	assert.Nil(t, Scalars(nil))
}

func TestGetAttArn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      string // "" for an error
	}{
		{name: "short form", src: "!GetAtt Role.Arn", want: "Role"},
		{name: "short form list", src: "!GetAtt [Role, Arn]", want: "Role"},
		{name: "long form", src: "{'Fn::GetAtt': [Role, Arn]}", want: "Role"},
		{name: "other attribute", src: "!GetAtt Role.RoleId"},
		{name: "no attribute", src: "!GetAtt Role"},
		{name: "ref", src: "!Ref Role"},
		{name: "literal ARN", src: "arn:aws:iam::111111111111:role/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := getAttArn(node(t, tt.src))
			if tt.want == "" {
				assert.ErrorContains(t, err, "want !GetAtt ROLE.Arn", "getAttArn(%s)", tt.src)
				return
			}
			require.NoError(t, err, "getAttArn(%s)", tt.src)
			assert.Equal(t, tt.want, got, "getAttArn(%s)", tt.src)
		})
	}
}
