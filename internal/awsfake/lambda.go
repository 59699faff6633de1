package awsfake

import (
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Lambda Invoke (restJson1). Functions belong to the world
// ([Builder.Function]) and run a Go handler; invocations are kept for tests
// ([Server.Invocations]).

// LambdaHandler is the code of a fake Lambda function: it gets the
// invocation's payload and returns the response payload, or an error that
// the caller sees as an unhandled function error. It runs while the server
// is locked, so it must not call the server.
type LambdaHandler func(payload []byte) ([]byte, error)

// Invocation is one Lambda invocation the server accepted.
type Invocation struct {
	Account, Region string // the caller's account and region
	FunctionARN     string
	Qualifier       string // "" when not given ($LATEST)
	InvocationType  string // RequestResponse, Event or DryRun
	Payload         []byte
}

// Invocations returns a copy of the invocations the server accepted, in order.
func (s *Server) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.invocations)
}

// function is a fake Lambda function.
type function struct {
	arn, account, region, name string
	handler                    LambdaHandler
}

// Invoke payload limits (aws-facts §5.5).
const (
	maxSyncPayload  = 6 << 20
	maxAsyncPayload = 1 << 20
)

var functionNamePattern = lazyPattern(`^[A-Za-z0-9_-]{1,64}$`)

// Function adds a Lambda function to an account in a region and returns its
// ARN. A nil handler answers null.
func (b *Builder) Function(accountID, region, name string, handler LambdaHandler) string {
	return b.applyID(fmt.Sprintf("function %q in %s/%s", name, accountID, region), func(st *state) (string, error) {
		if st.accounts[accountID] == nil {
			return "", fmt.Errorf("no account %q", accountID)
		}
		if !st.regionEnabled(region) {
			return "", fmt.Errorf("region %q is not enabled", region)
		}
		if !functionNamePattern.MatchString(name) {
			return "", fmt.Errorf("function name %q is not valid", name)
		}
		arn := "arn:aws:lambda:" + region + ":" + accountID + ":function:" + name
		if st.functions[arn] != nil {
			return "", fmt.Errorf("function %q already exists", arn)
		}
		st.functions[arn] = &function{arn: arn, account: accountID, region: region, name: name, handler: handler}
		return arn, nil
	})
}

// rawResponse is an answer whose status, headers and body an operation
// sets itself, as Lambda Invoke returns the function's payload as is.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// invokeInput is the input of Invoke.
type invokeInput struct {
	function, qualifier, invocationType, logType string
	payload                                      []byte
}

func lambdaError(status int, code, format string, args ...any) *apiError {
	return newError(status, code, format, args...)
}

var lambdaInvoke = op("lambda", "Invoke",
	func(c *call) (invokeInput, error) {
		in := invokeInput{qualifier: c.query.Get("Qualifier"), invocationType: c.header.Get("X-Amz-Invocation-Type"),
			logType: c.header.Get("X-Amz-Log-Type"), payload: c.body}
		rest := c.path[strings.Index(c.path, "/functions/")+len("/functions/"):]
		in.function = strings.TrimSuffix(rest, "/invocations")
		if in.invocationType == "" {
			in.invocationType = "RequestResponse"
		}
		switch in.invocationType {
		case "RequestResponse", "Event", "DryRun":
		default:
			return in, lambdaError(http.StatusBadRequest, "InvalidParameterValueException", "Unsupported invocation type %s", in.invocationType)
		}
		return in, nil
	},
	func(s *Server, c *call, in invokeInput) (any, error) {
		fn := s.st.findFunction(c, in.function)
		if fn == nil {
			return nil, lambdaError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:%s:%s:function:%s", c.region, c.account(), in.function)
		}
		if in.qualifier != "" && in.qualifier != "$LATEST" {
			return nil, lambdaError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s:%s", fn.arn, in.qualifier)
		}
		limit := maxSyncPayload
		if in.invocationType == "Event" {
			limit = maxAsyncPayload
		}
		if len(in.payload) > limit {
			return nil, lambdaError(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the %s operation", limit, "Invoke")
		}
		if len(in.payload) > 0 && !stdjson.Valid(in.payload) {
			return nil, lambdaError(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json")
		}
		s.st.invocations = append(s.st.invocations, Invocation{Account: c.account(), Region: c.region, FunctionARN: fn.arn,
			Qualifier: in.qualifier, InvocationType: in.invocationType, Payload: slices.Clone(in.payload)})
		h := http.Header{}
		switch in.invocationType {
		case "DryRun":
			return rawResponse{status: http.StatusNoContent, header: h}, nil
		case "Event":
			return rawResponse{status: http.StatusAccepted, header: h}, nil
		}
		out := []byte("null")
		if fn.handler != nil {
			got, err := fn.handler(slices.Clone(in.payload))
			if err != nil {
				h.Set("X-Amz-Function-Error", "Unhandled")
				out, _ = stdjson.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			} else {
				out = got
			}
		}
		h.Set("X-Amz-Executed-Version", "$LATEST")
		if in.logType == "Tail" {
			log := fmt.Sprintf("START RequestId: %s Version: $LATEST\nEND RequestId: %s\n", c.requestID, c.requestID)
			h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(log)))
		}
		return rawResponse{status: http.StatusOK, header: h, body: out}, nil
	})

// findFunction finds a function of the caller's account and region by name,
// full ARN or partial ARN ("123456789012:function:name").
func (st *state) findFunction(c *call, ref string) *function {
	arn := ref
	switch {
	case strings.HasPrefix(ref, "arn:"):
	case strings.Contains(ref, ":function:"):
		arn = "arn:aws:lambda:" + c.region + ":" + ref
	default:
		arn = "arn:aws:lambda:" + c.region + ":" + c.account() + ":function:" + ref
	}
	arn = strings.TrimSuffix(arn, ":$LATEST")
	fn := st.functions[arn]
	if fn == nil || fn.account != c.account() || fn.region != c.region {
		return nil
	}
	return fn
}
