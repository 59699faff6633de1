package awsfake

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/xml"
)

// STS operations (awsQuery, version 2011-06-15).

var stsGetCallerIdentity = op("sts", "GetCallerIdentity",
	func(*call) (struct{}, error) { return struct{}{}, nil },
	func(_ *Server, c *call, _ struct{}) (any, error) {
		return xmlMembers(func(v xml.Value) {
			xstr(v, "Arn", c.who.arn)
			xstr(v, "UserId", c.who.userID)
			xstr(v, "Account", c.who.account)
		}), nil
	})

var (
	roleARNPattern     = lazyPattern(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	sessionNamePattern = lazyPattern(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = lazyPattern(`^[\w+=,.@:/-]+$`)
)

// assumeRoleInput is the input of AssumeRole.
type assumeRoleInput struct {
	roleARN, sessionName, externalID string
	hasExternalID                    bool
	duration                         int // seconds
}

func validationError(format string, args ...any) *apiError {
	return badRequest("ValidationError", "1 validation error detected: "+format, args...)
}

var stsAssumeRole = op("sts", "AssumeRole",
	func(c *call) (assumeRoleInput, error) {
		in := assumeRoleInput{roleARN: c.str("RoleArn"), sessionName: c.str("RoleSessionName"),
			externalID: c.str("ExternalId"), hasExternalID: c.has("ExternalId"), duration: 3600}
		switch {
		case in.roleARN == "":
			return in, validationError("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
		case in.sessionName == "":
			return in, validationError("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
		case len(in.roleARN) < 20 || len(in.roleARN) > 2048:
			return in, validationError("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048", in.roleARN)
		case !sessionNamePattern.MatchString(in.sessionName):
			return in, validationError("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", in.sessionName)
		case in.hasExternalID && (len(in.externalID) < 2 || len(in.externalID) > 1224 || !externalIDPattern.MatchString(in.externalID)):
			return in, validationError("Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224", in.externalID)
		}
		d, err := c.optInt("DurationSeconds")
		if err != nil {
			return in, err
		}
		if d != nil {
			if *d < 900 || *d > 43200 {
				return in, validationError("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", *d)
			}
			in.duration = *d
		}
		return in, nil
	},
	func(s *Server, c *call, in assumeRoleInput) (any, error) {
		st := s.st
		denied := newError(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.who.arn, in.roleARN)
		m := roleARNPattern.FindStringSubmatch(in.roleARN)
		if m == nil {
			return nil, validationError("Value '%s' at 'roleArn' is not a valid ARN", in.roleARN)
		}
		r := st.roles["arn:aws:iam::"+m[1]+":role/"+m[2]]
		if r == nil || !slices.Contains(r.trusted, c.account()) || (r.externalID != "" && r.externalID != in.externalID) {
			return nil, denied
		}
		if strings.HasPrefix(c.who.arn, "arn:aws:sts::") && in.duration > 3600 {
			return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		key := "ASIA" + strings.ToUpper(st.hexID("ASIA", 16))
		p := &principal{
			account:      r.account,
			arn:          "arn:aws:sts::" + r.account + ":assumed-role/" + r.name + "/" + in.sessionName,
			userID:       "AROA" + strings.ToUpper(st.hexID("AROA/"+r.arn, 17)) + ":" + in.sessionName,
			sessionToken: "FQoGZXIvYXdzE" + st.hexID("token", 64),
			expires:      st.now().Add(time.Duration(in.duration) * time.Second).UTC().Truncate(time.Second),
		}
		st.keys[key] = p
		secret := st.hexID("secret", 40)
		return xmlMembers(func(v xml.Value) {
			xstruct(v, "Credentials", func(cr xml.Value) {
				xstr(cr, "AccessKeyId", key)
				xstr(cr, "SecretAccessKey", secret)
				xstr(cr, "SessionToken", p.sessionToken)
				xstr(cr, "Expiration", p.expires.Format(time.RFC3339))
			})
			xstruct(v, "AssumedRoleUser", func(u xml.Value) {
				xstr(u, "AssumedRoleId", p.userID)
				xstr(u, "Arn", p.arn)
			})
		}), nil
	})
