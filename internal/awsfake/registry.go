package awsfake

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// protocol is a wire protocol of an AWS service.
type protocol int

const (
	protoEC2Query protocol = iota + 1
	protoAWSQuery
	protoJSON10
	protoJSON11
	protoRestJSON
	protoCBOR
	protoRestXML // S3
)

// service describes how one AWS service is named on the wire.
type service struct {
	name         string   // SigV4 signing name, e.g. "ec2"
	protocol     protocol // the protocol its current SDKs speak (CloudWatch speaks three)
	version      string   // query API version
	xmlns        string   // query response namespace
	targetPrefix string   // X-Amz-Target prefix and CBOR service name
	messageKey   string   // JSON member that holds an error message
}

// services lists every service the fake routes, by SigV4 signing name. It is
// built on first use: only a server needs it.
var services = sync.OnceValue(func() map[string]*service {
	return map[string]*service{
		"ec2":            {name: "ec2", protocol: protoEC2Query, version: "2016-11-15", xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/"},
		"sts":            {name: "sts", protocol: protoAWSQuery, version: "2011-06-15", xmlns: "https://sts.amazonaws.com/doc/2011-06-15/"},
		"sns":            {name: "sns", protocol: protoAWSQuery, version: "2010-03-31", xmlns: "http://sns.amazonaws.com/doc/2010-03-31/"},
		"monitoring":     {name: "monitoring", protocol: protoCBOR, version: "2010-08-01", xmlns: "http://monitoring.amazonaws.com/doc/2010-08-01/", targetPrefix: "GraniteServiceVersion20100801", messageKey: "message"},
		"organizations":  {name: "organizations", protocol: protoJSON11, targetPrefix: "AWSOrganizationsV20161128", messageKey: "Message"},
		"events":         {name: "events", protocol: protoJSON11, targetPrefix: "AWSEvents", messageKey: "message"},
		"ssm":            {name: "ssm", protocol: protoJSON11, targetPrefix: "AmazonSSM", messageKey: "message"},
		"secretsmanager": {name: "secretsmanager", protocol: protoJSON11, targetPrefix: "secretsmanager", messageKey: "message"},
		"ram":            {name: "ram", protocol: protoRestJSON, messageKey: "message"},
		"lambda":         {name: "lambda", protocol: protoRestJSON, messageKey: "message"},
		"s3":             {name: "s3", protocol: protoRestXML, messageKey: "Message"},
	}
})

// serviceByVersion finds a query service by its API version.
func serviceByVersion(v string) *service {
	for _, s := range services() {
		if s.version == v && s.version != "" {
			return s
		}
	}
	return nil
}

// serviceByTarget finds a JSON or CBOR service by its target prefix.
func serviceByTarget(prefix string) *service {
	for _, s := range services() {
		if s.targetPrefix == prefix && prefix != "" {
			return s
		}
	}
	return nil
}

// operation is one served AWS operation. Its handler decodes the request and
// returns what the protocol's encoder writes: an SDK output struct (for
// operations built by model), a listing, or hand-written xmlMembers,
// jsonMembers, cborMembers or rawResponse. The handler runs with the
// server's state locked.
type operation struct {
	service string
	name    string
	handle  func(*Server, *call) (any, error)
	in, out reflect.Type // the SDK's input and output structs, for operations built by model
}

// op builds an operation from a decoder of its typed input and a handler.
func op[In any](svc, name string, decode func(*call) (In, error), serve func(*Server, *call, In) (any, error)) operation {
	return operation{service: svc, name: name, handle: func(s *Server, c *call) (any, error) {
		in, err := decode(c)
		if err != nil {
			return nil, err
		}
		return serve(s, c, in)
	}}
}

// isRead reports whether an operation only reads, as IAM classifies
// actions: Describe*, Get* and List*.
func isRead(name string) bool {
	return strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
}

// opKey identifies an operation in the registry.
type opKey struct{ service, name string }

// operations is the registry of served operations, built on first use.
// Adding an operation means writing its operation value and listing it here.
var operations = sync.OnceValue(func() map[opKey]operation {
	return registryOf(
		// STS
		stsGetCallerIdentity, stsAssumeRole,
		// EC2: VPCs, subnets, regions
		ec2DescribeVpcs, ec2DescribeSubnets, ec2DescribeRegions,
		// EC2: IPAM reads
		ec2DescribeIpams, ec2DescribeIpamScopes, ec2DescribeIpamPools,
		ec2GetIpamPoolCidrs, ec2GetIpamPoolAllocations, ec2GetIpamResourceCidrs,
		ec2GetIpamDiscoveredAccounts, ec2GetIpamAddressHistory,
		// EC2: IPAM writes and tags
		ec2CreateIpamPool, ec2ModifyIpamPool, ec2DeleteIpamPool,
		ec2ProvisionIpamPoolCidr, ec2DeprovisionIpamPoolCidr, ec2CreateTags,
		// EC2: VPC and subnet writes
		ec2CreateVpc, ec2DeleteVpc, ec2CreateSubnet, ec2DeleteSubnet,
		// Organizations
		orgListAccounts, orgListAccountsForParent, orgDescribeAccount, orgListParents,
		orgListRoots, orgListOrganizationalUnitsForParent, orgDescribeOrganizationalUnit, orgMoveAccount,
		// CloudWatch
		cwPutMetricData, cwListMetrics, cwGetMetricData,
		// SNS
		snsPublish, snsPublishBatch, snsListTopics,
		// EventBridge
		ebPutEvents, ebListEventBuses,
		// Lambda
		lambdaInvoke,
		// SSM, Secrets Manager
		ssmGetParameter, smGetSecretValue,
		// RAM
		ramCreateResourceShare, ramGetResourceShares, ramGetResourceShareAssociations,
		ramAssociateResourceShare, ramDisassociateResourceShare, ramListResources, ramDeleteResourceShare,
		// S3: the object that keeps a monitor's state
		s3CreateBucket, s3PutObject, s3GetObject,
	)
})

func registryOf(ops ...operation) map[opKey]operation {
	m := make(map[opKey]operation, len(ops))
	for _, o := range ops {
		m[opKey{o.service, o.name}] = o
	}
	return m
}

// apiError is an AWS error as a service reports it. Its code and message go
// on the wire in the shape of the service's protocol.
type apiError struct {
	status    int
	code      string // the error shape's name, or the code of query protocols
	queryCode string // for awsQueryCompatible services: the legacy query code
	message   string
	extra     [][2]string // further string members of a JSON error body, e.g. Reason
}

// Error returns the code and message.
func (e *apiError) Error() string { return e.code + ": " + e.message }

// sender reports whether the error is the caller's fault (a 4xx status).
func (e *apiError) sender() bool { return e.status < 500 }

// newError returns an apiError with a formatted message.
func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// badRequest returns a 400 apiError with a formatted message.
func badRequest(code, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, code, format, args...)
}

// unsupportedOperation is the error each protocol answers for an operation the
// service does not have (or the fake does not serve yet).
func unsupportedOperation(svc *service, proto protocol, name string) *apiError {
	switch proto {
	case protoEC2Query:
		return badRequest("InvalidAction", "The action %s is not valid for this web service.", name)
	case protoAWSQuery:
		return badRequest("InvalidAction", "Could not find operation %s for version %s", name, svc.version)
	case protoRestJSON:
		return newError(http.StatusNotFound, "UnknownOperationException", "Unknown operation %s", name)
	default:
		return badRequest("UnknownOperationException", "Unknown operation %s", name)
	}
}

// missingAuthentication is the error each protocol answers for an unsigned request.
func missingAuthentication(proto protocol) *apiError {
	switch proto {
	case protoEC2Query:
		return newError(http.StatusUnauthorized, "MissingAuthenticationToken", "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.")
	case protoAWSQuery:
		return newError(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case protoRestJSON:
		return newError(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
	default:
		return badRequest("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
}

// invalidAccessKey is the error each protocol answers for an unknown access key.
func invalidAccessKey(proto protocol) *apiError {
	switch proto {
	case protoEC2Query:
		return newError(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case protoAWSQuery:
		return newError(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case protoRestJSON:
		return newError(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
	case protoRestXML:
		return newError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	default:
		return badRequest("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
}

// expiredToken is the error each protocol answers for expired temporary credentials.
func expiredToken(proto protocol) *apiError {
	switch proto {
	case protoEC2Query:
		return newError(http.StatusBadRequest, "RequestExpired", "Request has expired.")
	case protoAWSQuery:
		return newError(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
	default:
		return badRequest("ExpiredTokenException", "The security token included in the request is expired")
	}
}

// internalError is the error answered when a handler fails unexpectedly.
func internalError(proto protocol) *apiError {
	if proto == protoEC2Query {
		return newError(http.StatusInternalServerError, "InternalError", "An internal error has occurred")
	}
	return newError(http.StatusInternalServerError, "InternalFailure", "An internal error has occurred")
}
