package share

import (
	"errors"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/smithy-go"
)

// TerminalError marks an error that retrying will not fix: access denied,
// a role that cannot be assumed, an unknown account, a malformed ARN or
// parameter, a bad configuration. Like controller-runtime's TerminalError,
// it tells the caller (the account Lambda) not to ask EventBridge for a
// retry; every other error of the package is worth retrying later
// (throttling that outlasted the SDK's retries, a service error, a
// cancelled context, a wait that timed out). Test with [IsTerminal].
type TerminalError struct {
	Err error
}

// Error returns the wrapped error's message.
func (e *TerminalError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *TerminalError) Unwrap() error { return e.Err }

// Terminal wraps err in a [*TerminalError]; nil stays nil.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	var te *TerminalError
	if errors.As(err, &te) {
		return err
	}
	return &TerminalError{Err: err}
}

// IsTerminal reports whether err, or an error it wraps, is a
// [*TerminalError] or a malformed event ([ErrMalformedEvent]): retrying it
// is pointless.
func IsTerminal(err error) bool {
	var te *TerminalError
	return errors.As(err, &te) || errors.Is(err, ErrMalformedEvent)
}

// classify wraps err in a [*TerminalError] when it is one that no retry
// fixes, matching RAM's and Organizations' modelled exceptions by type and
// STS's unmodelled AccessDenied by code. Anything else is returned as is.
func classify(err error) error {
	if err == nil || IsTerminal(err) {
		return err
	}
	var (
		orgDenied     *orgtypes.AccessDeniedException
		orgNotInUse   *orgtypes.AWSOrganizationsNotInUseException
		orgNoAccount  *orgtypes.AccountNotFoundException
		orgNoOU       *orgtypes.OrganizationalUnitNotFoundException
		orgNoChild    *orgtypes.ChildNotFoundException
		orgInput      *orgtypes.InvalidInputException
		ramArn        *ramtypes.MalformedArnException
		ramParam      *ramtypes.InvalidParameterException
		ramUnknown    *ramtypes.UnknownResourceException
		ramNotAllowed *ramtypes.OperationNotPermittedException
		ramMissing    *ramtypes.MissingRequiredParameterException
		ramLimit      *ramtypes.ResourceShareLimitExceededException
		ramToken      *ramtypes.InvalidClientTokenException
	)
	switch {
	case errors.As(err, &orgDenied), errors.As(err, &orgNotInUse), errors.As(err, &orgNoAccount),
		errors.As(err, &orgNoOU), errors.As(err, &orgNoChild), errors.As(err, &orgInput),
		errors.As(err, &ramArn), errors.As(err, &ramParam), errors.As(err, &ramUnknown),
		errors.As(err, &ramNotAllowed), errors.As(err, &ramMissing), errors.As(err, &ramLimit),
		errors.As(err, &ramToken):
		return Terminal(err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
			"InvalidClientTokenId", "ExpiredTokenException", "RegionDisabledException", "UnrecognizedClientException":
			return Terminal(err)
		}
	}
	return err
}
