package account

import (
	"cmp"
	"fmt"
	"log/slog"
	"strings"
)

// Target is one account and region, with the role assumed to work there.
// The zero Target is not valid: it names no account.
type Target struct {
	AccountID string // 12 digits, leading zeros kept
	Region    string
	// RoleARN is the role assumed in the account; empty means the
	// caller's own credentials.
	RoleARN string
	// ExternalID is passed to AssumeRole. It is never written to a
	// report or a log: String, LogValue and Redacted leave it out.
	ExternalID string
}

// String returns "account/region", for messages.
func (t Target) String() string { return t.AccountID + "/" + t.Region }

// LogValue logs t as its account, region and role, without the external
// ID.
func (t Target) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("account_id", t.AccountID), slog.String("region", t.Region)}
	if t.RoleARN != "" {
		attrs = append(attrs, slog.String("role_arn", t.RoleARN))
	}
	return slog.GroupValue(attrs...)
}

// GoString is like String with the role: %#v never prints the external
// ID.
func (t Target) GoString() string {
	return fmt.Sprintf("account.Target{AccountID:%q, Region:%q, RoleARN:%q}", t.AccountID, t.Region, t.RoleARN)
}

// Redacted returns t without its external ID, as reports carry it.
func (t Target) Redacted() Target {
	t.ExternalID = ""
	return t
}

// Compare orders targets by account, then region.
func Compare(a, b Target) int {
	return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region))
}

// RoleARN returns the ARN of the role name (a path is allowed) in account,
// in the partition of arn: the caller's or the account's own ARN, so that
// aws-cn and aws-us-gov organizations get their own role ARNs. An arn that is
// not an ARN means the partition "aws".
func RoleARN(arn, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", Partition(arn), account, strings.TrimPrefix(name, "/"))
}

// Partition returns the partition of an ARN ("aws", "aws-cn",
// "aws-us-gov"), or "aws" when arn is not an ARN.
func Partition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// AccountTargets returns a target for every account in every region, in the
// order given, each with the role roleName of its account in the partition
// of callerARN ([RoleARN]) and externalID. An empty roleName gives targets
// read with the caller's own credentials, without an external ID.
func AccountTargets(callerARN string, accounts, regions []string, roleName, externalID string) []Target {
	out := make([]Target, 0, len(accounts)*len(regions))
	for _, a := range accounts {
		t := Target{AccountID: a}
		if roleName != "" {
			t.RoleARN, t.ExternalID = RoleARN(callerARN, a, roleName), externalID
		}
		for _, r := range regions {
			t.Region = r
			out = append(out, t)
		}
	}
	return out
}

// WithoutRoleFor clears the role and external ID of the targets in account,
// in place, and returns targets. Call it with the caller's own account: it
// is read with the caller's credentials, since an account's roles do not
// usually trust the account itself, and the management account of an
// organization has no OrganizationAccountAccessRole.
func WithoutRoleFor(targets []Target, account string) []Target {
	for i := range targets {
		if targets[i].AccountID == account {
			targets[i].RoleARN, targets[i].ExternalID = "", ""
		}
	}
	return targets
}
