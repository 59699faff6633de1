package cfntest

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIAMAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, operation, want string
	}{
		{"ec2", "DescribeSubnets", "ec2:DescribeSubnets"},
		{"monitoring", "PutMetricData", "cloudwatch:PutMetricData"},
		{"sts", "AssumeRole", "sts:AssumeRole"},
		{"ram", "GetResourceShares", "ram:GetResourceShares"},
		{"nosuchservice", "Do", ""},
	}
	for _, tt := range tests {
		got, ok := IAMAction(tt.service, tt.operation)
		assert.Equal(t, tt.want != "", ok, "IAMAction(%q, %q)", tt.service, tt.operation)
		assert.Equal(t, tt.want, got, "IAMAction(%q, %q)", tt.service, tt.operation)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	star := []string{"ec2:DescribeVpcs", "sts:GetCallerIdentity"}
	tests := []struct {
		name         string
		role         string // the role resource
		wantActions  []string
		wantProblems []string
	}{{
		name: "Action as a string",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: ec2:DescribeVpcs, Resource: "*"}`,
		wantActions: []string{"ec2:DescribeVpcs"},
	}, {
		name: "Action as a list",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [ec2:DescribeVpcs, sts:GetCallerIdentity]
            Resource: ["*"]
          - Effect: Allow
            Action: [sns:Publish]
            Resource: !Ref Topic`,
		wantActions: []string{"ec2:DescribeVpcs", "sns:Publish", "sts:GetCallerIdentity"},
	}, {
		name: "both branches of Fn::If, without AWS::NoValue",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - !If [C, {Effect: Allow, Action: sns:Publish, Resource: !Ref T}, !Ref AWS::NoValue]
          - {"Fn::If": [D, {Effect: Allow, Action: ssm:GetParameter, Resource: x}, {Effect: Allow, Action: kms:Decrypt, Resource: y}]}
    - !If [E, {PolicyName: q, PolicyDocument: {Statement: [{Effect: Allow, Action: lambda:InvokeFunction, Resource: z}]}}, {Ref: AWS::NoValue}]`,
		wantActions: []string{"kms:Decrypt", "lambda:InvokeFunction", "sns:Publish", "ssm:GetParameter"},
	}, {
		name: "NotAction and NotResource",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - {Sid: Everything, Effect: Allow, NotAction: iam:*, Resource: x}
          - {Effect: Allow, Action: sns:Publish, NotResource: x}`,
		wantActions: []string{"sns:Publish"},
		wantProblems: []string{
			"p: Everything: NotAction would escape the check",
			"p: Everything: no Action",
			"p: statement 2: NotResource would escape the check",
		},
	}, {
		name: "wildcards and computed actions",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - Sid: Wild
            Effect: Allow
            Action:
              - ec2:Describe*
              - "*"
              - ec2:Get?pam
              - !Sub "${Service}:Get"
              - {"Fn::Join": [":", [ec2, X]]}
            Resource: x`,
		wantActions: []string{"*", "<computed !!map>", "<computed !Sub>", "ec2:Describe*", "ec2:Get?pam"},
		wantProblems: []string{
			`p: Wild: "ec2:Describe*": want an action name in full, no wildcard`,
			`p: Wild: "*": want an action name in full, no wildcard`,
			`p: Wild: "ec2:Get?pam": want an action name in full, no wildcard`,
			`p: Wild: "<computed !Sub>": want an action name in full, no wildcard`,
			`p: Wild: "<computed !!map>": want an action name in full, no wildcard`,
		},
	}, {
		name: "Resource star only for the actions that need it",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - {Sid: Read, Effect: Allow, Action: [ec2:DescribeVpcs, sns:Publish], Resource: [x, "*"]}`,
		wantActions:  []string{"ec2:DescribeVpcs", "sns:Publish"},
		wantProblems: []string{`p: Read: sns:Publish on Resource "*": scope it`},
	}, {
		name: "Deny and no Effect",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument:
        Statement:
          - {Effect: Deny, Action: sns:Publish, Resource: x}
          - {Action: sns:Publish, Resource: x}`,
		wantActions:  []string{"sns:Publish"},
		wantProblems: []string{"p: statement 1: Effect: want Allow", "p: statement 2: Effect: want Allow"},
	}, {
		name: "managed policy and boundary",
		role: `
Properties:
  ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  PermissionsBoundary: arn:aws:iam::111111111111:policy/b
  Policies:
    - PolicyName: p
      PolicyDocument: {Statement: [{Effect: Allow, Action: sns:Publish, Resource: x}]}`,
		wantActions: []string{"sns:Publish"},
		wantProblems: []string{
			"the role's ManagedPolicyArns would escape the check",
			"the role's PermissionsBoundary would escape the check",
		},
	}, {
		name:         "no inline policy",
		role:         "Properties: {ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]}",
		wantProblems: []string{"the role's ManagedPolicyArns would escape the check", "the role has no inline policy"},
	}, {
		name: "a policy with no statement",
		role: `
Properties:
  Policies:
    - PolicyName: p
      PolicyDocument: {Statement: []}
    - PolicyDocument: {Statement: {Effect: Allow, Action: sns:Publish, Resource: x}}`,
		wantActions:  []string{"sns:Publish"},
		wantProblems: []string{"p: no statement"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			actions, problems := Actions(node(t, tt.role), star)
			assert.Equal(t, tt.wantActions, slices.Sorted(maps.Keys(actions)), "actions of %s", tt.role)
			assert.Equal(t, tt.wantProblems, problems, "problems of %s", tt.role)
		})
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	set := func(actions ...string) map[string]bool {
		m := map[string]bool{}
		for _, a := range actions {
			m[a] = true
		}
		return m
	}
	logs := map[string]string{"logs:PutLogEvents": "Lambda writes the logs"}
	tests := []struct {
		name            string
		granted, served map[string]bool
		exceptions      map[string]string
		want            Mismatch
	}{
		{name: "exact", granted: set("a:X", "b:Y"), served: set("b:Y", "a:X")},
		{name: "exact with an exception", granted: set("a:X", "logs:PutLogEvents"), served: set("a:X"), exceptions: logs},
		{name: "called, not granted", granted: set("a:X"), served: set("a:X", "c:Z", "b:Y"), want: Mismatch{Ungranted: []string{"b:Y", "c:Z"}}},
		{name: "granted, not called", granted: set("a:X", "b:Y", "logs:PutLogEvents"), served: set("a:X"), exceptions: logs,
			want: Mismatch{Uncalled: []string{"b:Y"}}},
		{name: "an exception not granted", granted: set("a:X"), served: set("a:X"), exceptions: logs,
			want: Mismatch{UngrantedExceptions: []string{"logs:PutLogEvents"}}},
		{name: "an exception called", granted: set("a:X", "logs:PutLogEvents"), served: set("a:X", "logs:PutLogEvents"), exceptions: logs,
			want: Mismatch{CalledExceptions: []string{"logs:PutLogEvents"}}},
		{name: "nothing served", granted: set("a:X"), served: set(), want: Mismatch{Uncalled: []string{"a:X"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Compare(tt.granted, tt.served, tt.exceptions), "Compare(%v, %v, %v)", tt.granted, tt.served, tt.exceptions)
		})
	}
}
