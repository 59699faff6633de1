package usage

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
)

// Target is one account and region to scan.
type Target struct {
	AccountID string // 12 digits, leading zeros kept
	Region    string
	// RoleARN is the role assumed to scan the target; empty means the
	// caller's own credentials.
	RoleARN string
	// ExternalID is passed to AssumeRole. It is never written to a report.
	ExternalID string
}

// String returns "account/region", for messages.
func (t Target) String() string { return t.AccountID + "/" + t.Region }

func compareTargets(a, b Target) int {
	return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region))
}

// TargetError is the failure of one target of a scan: access denied,
// throttled past retries, region not enabled. A scan records it and goes on
// with the other targets.
type TargetError struct {
	Target Target
	Err    error
}

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
