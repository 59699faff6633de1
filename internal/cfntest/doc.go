// Package cfntest reads the CloudFormation templates of examples/deploy in
// tests and proves their IAM policies against the calls a Lambda really
// makes.
//
// # Reading templates
//
// [Parse] and [Load] keep the short forms of intrinsic functions (!Ref,
// !Sub, …) as the tags of generic yaml.Node values, so that a test sees the
// template as written. [Get], [Path], [Pairs], [Keys] and [Scalars] walk
// them; [ResourceOfType] and [FunctionRole] find resources.
//
// # Proving a policy
//
// A test runs a Lambda's handler against internal/awsfake, turns each call
// the fake served into an IAM action with [IAMAction], and reads what the
// role grants with [RoleActions], which refuses what would let a permission
// escape the comparison (managed policies, NotAction, wildcards, computed
// actions, Resource "*" on an action that can be scoped). [AssertGrants]
// then compares both ways: every call must be granted, and every grant
// must be called or be an exception with its reason.
//
// # Checking references
//
// [References] and [CheckReferences] check that every Ref, Fn::GetAtt,
// Fn::Sub variable and condition names something the template defines.
//
// The functions that take a testing.TB fail it; the others return what
// they find, so that this package's own tests can prove each check fails
// when it should.
package cfntest
