package awsfake

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// STS operations (awsQuery, version 2011-06-15).

var stsGetCallerIdentity = model("sts", "GetCallerIdentity", func(_ *state, c *call, _ *sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Arn: aws.String(c.who.arn), UserId: aws.String(c.who.userID), Account: aws.String(c.who.account)}, nil
})

var (
	roleARNPattern     = lazyPattern(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	sessionNamePattern = lazyPattern(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = lazyPattern(`^[\w+=,.@:/-]+$`)
)

func validationError(format string, args ...any) *apiError {
	return badRequest("ValidationError", "1 validation error detected: "+format, args...)
}

var stsAssumeRole = model("sts", "AssumeRole", func(st *state, c *call, in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
	roleARN, sessionName, externalID := aws.ToString(in.RoleArn), aws.ToString(in.RoleSessionName), aws.ToString(in.ExternalId)
	duration := aws.ToInt32(cmp.Or(in.DurationSeconds, aws.Int32(3600)))
	switch {
	case roleARN == "":
		return nil, validationError("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case sessionName == "":
		return nil, validationError("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	case len(roleARN) < 20 || len(roleARN) > 2048:
		return nil, validationError("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048", roleARN)
	case !sessionNamePattern.MatchString(sessionName):
		return nil, validationError("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	case in.ExternalId != nil && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDPattern.MatchString(externalID)):
		return nil, validationError("Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224", externalID)
	case duration < 900 || duration > 43200:
		return nil, validationError("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", duration)
	}
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, validationError("Value '%s' at 'roleArn' is not a valid ARN", roleARN)
	}
	r := st.roles["arn:aws:iam::"+m[1]+":role/"+m[2]]
	if r == nil || !slices.Contains(r.trusted, c.account()) || (r.externalID != "" && r.externalID != externalID) {
		return nil, newError(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.who.arn, roleARN)
	}
	if strings.HasPrefix(c.who.arn, "arn:aws:sts::") && duration > 3600 {
		return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	key := "ASIA" + strings.ToUpper(st.hexID("ASIA", 16))
	p := &principal{
		account:      r.account,
		arn:          "arn:aws:sts::" + r.account + ":assumed-role/" + r.name + "/" + sessionName,
		userID:       "AROA" + strings.ToUpper(st.hexID("AROA/"+r.arn, 17)) + ":" + sessionName,
		sessionToken: "FQoGZXIvYXdzE" + st.hexID("token", 64),
		expires:      st.now().Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second),
	}
	st.keys[key] = p
	return &sts.AssumeRoleOutput{
		Credentials: &types.Credentials{AccessKeyId: aws.String(key), SecretAccessKey: aws.String(st.hexID("secret", 40)),
			SessionToken: aws.String(p.sessionToken), Expiration: aws.Time(p.expires)},
		AssumedRoleUser: &types.AssumedRoleUser{AssumedRoleId: aws.String(p.userID), Arn: aws.String(p.arn)},
	}, nil
})
