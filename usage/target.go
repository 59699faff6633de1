package usage

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ipamkit/ipamkit/internal/account"
)

// Target is one account and region to scan, with the role assumed there
// (empty: the caller's own credentials) and the external ID passed to
// AssumeRole, which is never written to a report or a log. Its String is
// "account/region".
type Target = account.Target

// Caller is the identity a scan runs as: its account and ARN.
type Caller = account.Caller

// TargetError is the failure of one target of a scan: access denied,
// throttled past retries, region not enabled. A scan records it and goes on
// with the other targets.
type TargetError struct {
	Target Target
	Err    error
}

// Error returns "account A region R: CAUSE".
func (e *TargetError) Error() string {
	return fmt.Sprintf("account %s region %s: %v", e.Target.AccountID, e.Target.Region, e.Err)
}

// Unwrap returns e.Err.
func (e *TargetError) Unwrap() error { return e.Err }

// Code returns the AWS error code behind e (AccessDenied, RequestLimitExceeded,
// …), or "" when there is none.
func (e *TargetError) Code() string {
	var coded interface{ ErrorCode() string }
	if errors.As(e.Err, &coded) {
		return coded.ErrorCode()
	}
	return ""
}

type targetErrorJSON struct {
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	RoleARN   string `json:"roleArn,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"error"`
}

// MarshalJSON encodes e as {"accountId", "region", "roleArn", "code",
// "error"}. The external ID is left out.
func (e *TargetError) MarshalJSON() ([]byte, error) {
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return json.Marshal(targetErrorJSON{e.Target.AccountID, e.Target.Region, e.Target.RoleARN, e.Code(), msg})
}

// UnmarshalJSON decodes what [TargetError.MarshalJSON] writes. Err becomes an
// error with the same message and, through ErrorCode, the same code.
func (e *TargetError) UnmarshalJSON(b []byte) error {
	var v targetErrorJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = TargetError{
		Target: Target{AccountID: v.AccountID, Region: v.Region, RoleARN: v.RoleARN},
		Err:    &decodedError{code: v.Code, msg: v.Message},
	}
	return nil
}

// decodedError is a target's error read back from JSON.
type decodedError struct{ code, msg string }

func (e *decodedError) Error() string     { return e.msg }
func (e *decodedError) ErrorCode() string { return e.code }

// compareTargets orders targets by account, then region.
func compareTargets(a, b Target) int { return account.Compare(a, b) }
