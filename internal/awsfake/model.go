package awsfake

import (
	"net/http"
	"reflect"
)

// modelFunc is an operation's semantics: it reads and changes the state
// through the SDK's own input and output types, and knows nothing of the
// wire. It runs with the server's state locked.
type modelFunc[In, Out any] func(st *state, c *call, in *In) (*Out, error)

// model builds an operation from its semantics. The request is decoded into
// a new In by the codec of the call's protocol (codec.go), and the *Out it
// returns is encoded by the same codec. An EC2 input with DryRun set
// answers DryRunOperation before the model runs.
func model[In, Out any](svc, name string, serve modelFunc[In, Out]) operation {
	return operation{service: svc, name: name, in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](), handle: func(s *Server, c *call) (any, error) {
		in := new(In)
		if err := decodeInput(c, reflect.ValueOf(in).Elem()); err != nil {
			return nil, err
		}
		if c.proto == protoEC2Query {
			if d := reflect.ValueOf(in).Elem().FieldByName("DryRun"); d.IsValid() && !d.IsNil() && d.Elem().Bool() {
				return nil, newError(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
			}
		}
		out, err := serve(s.st, c, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}}
}

// required answers the protocol's missing-parameter error when a required
// member is absent. The SDKs check required members before sending, so only
// hand-built requests reach it.
func required(c *call, name string, present bool) error {
	if present {
		return nil
	}
	switch c.proto {
	case protoEC2Query:
		return badRequest("MissingParameter", "The request must contain the parameter %s", name)
	case protoAWSQuery:
		return badRequest("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	case protoRestJSON:
		return badRequest("MissingRequiredParameterException", "The %s parameter is required.", name)
	}
	return badRequest("InvalidInputException", "You must specify %s.", name)
}
