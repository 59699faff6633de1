package cfntest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReferencesFindsProblems checks that the reference checker is not
// vacuous: each kind of dangling reference is caught, in the template's
// order.
func TestReferencesFindsProblems(t *testing.T) {
	t.Parallel()
	const src = `
Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
  D: !Not [!Condition Nope]
Resources:
  R:
    Type: AWS::SNS::Topic
    Condition: Missing
    Properties:
      TopicName: !Sub "${P}-${AWS::Region}-${R.TopicName}-${!Literal}-${Bad}"
      DisplayName: !If [C, !Ref Unknown, {"Fn::GetAtt": [Gone, Arn]}]
      Tags:
        - {Key: a, Value: {Ref: AWS::Nothing}}
        - {Key: b, Value: !GetAtt P.Arn}
        - {Key: c, Value: !Sub ["${X}-${Y}", {X: !Ref P}]}
        - {Key: d, Value: !If [NoSuchCondition, a, b]}
`
	problems, checked := References(node(t, src))
	want := []string{"Nope", "Missing", "Bad", "Unknown", "Gone", "AWS::Nothing", "P.Arn", "Y", "NoSuchCondition"}
	require.Len(t, problems, len(want), "%s", strings.Join(problems, "\n"))
	for i, w := range want {
		assert.Contains(t, problems[i], w)
	}
	assert.Positive(t, checked, "references checked")
}

func TestReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []string
	}{{
		name: "defined in long and short forms",
		src: `
Parameters: {P: {Type: String}}
Conditions: {C: !Equals [!Ref P, x], D: {"Fn::Not": [{Condition: C}]}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: C
    Properties:
      Role: {"Fn::GetAtt": [Role, Arn]}
      Events: {Nightly: {Type: Schedule}}
  Role: {Type: AWS::IAM::Role}
  Perm:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      SourceArn: !GetAtt [FnNightly, Arn]
      Principal: {"Fn::Sub": ["${P}.${AWS::URLSuffix}-${V}", {V: {"Fn::If": [D, a, {Ref: AWS::NoValue}]}}]}
Outputs:
  O: {Condition: C, Value: !Sub "${Role.Arn}"}`,
	}, {
		name: "the rule of a function's other events is not made up",
		src: `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Events: {Api: {Type: Api}}}
  Perm: {Type: AWS::Lambda::Permission, Properties: {SourceArn: !GetAtt FnApi.Arn}}`,
		want: []string{"Resources.Perm.Properties.SourceArn: GetAtt FnApi.Arn: no such resource"},
	}, {
		name: "a malformed Fn::Sub",
		src:  `Resources: {R: {Type: AWS::SNS::Topic, Properties: {TopicName: {"Fn::Sub": [a, b, c]}}}}`,
		want: []string{"Resources.R.Properties.TopicName.Fn::Sub: Fn::Sub: want a string or [string, variables]"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			problems, checked := References(node(t, tt.src))
			assert.Equal(t, tt.want, problems, "References(%s)", tt.src)
			if tt.want == nil {
				assert.Positive(t, checked, "References(%s)", tt.src)
			}
		})
	}
}
