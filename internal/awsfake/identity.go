package awsfake

import (
	"net/http"
	"strings"
	"time"
)

// Default credentials: the access key that acts in the management account.
const (
	// DefaultAccountID is the management account of a world built without
	// naming one, and of the server's default world.
	DefaultAccountID = "123456789012"
	// DefaultAccessKeyID is an access key that always acts as the
	// administrator of the management account.
	DefaultAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	// DefaultSecretAccessKey goes with DefaultAccessKeyID. Signatures are
	// not verified, so any secret works; this one keeps clients happy.
	DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// principal is who a request acts as.
type principal struct {
	account      string
	arn          string
	userID       string
	sessionToken string    // set for temporary credentials
	expires      time.Time // zero for long-term keys
}

// credentialScope is what a SigV4 signature says about a request.
type credentialScope struct {
	accessKey, region, service string
}

// parseCredentialScope reads the credential scope
// "AKID/20260101/us-east-1/ec2/aws4_request" from the Authorization header or
// from a presigned X-Amz-Credential query parameter. The signature itself is
// not verified.
func parseCredentialScope(r *http.Request) credentialScope {
	cred := ""
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		for part := range strings.SplitSeq(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				cred = v
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	f := strings.Split(cred, "/")
	if len(f) != 5 || f[0] == "" || f[4] != "aws4_request" {
		return credentialScope{}
	}
	return credentialScope{accessKey: f[0], region: f[2], service: f[3]}
}

// authenticate finds the principal of an access key; temporary keys must
// come with their session token and not be expired.
func (st *state) authenticate(key, token string, proto protocol) (*principal, *apiError) {
	p := st.keys[key]
	if p == nil {
		return nil, invalidAccessKey(proto)
	}
	if p.sessionToken != "" {
		if token != p.sessionToken {
			return nil, invalidAccessKey(proto)
		}
		if !st.now().Before(p.expires) {
			return nil, expiredToken(proto)
		}
	}
	return p, nil
}

// addUserKey registers a long-term access key of an IAM user.
func (st *state) addUserKey(key, account, user string) {
	st.keys[key] = &principal{
		account: account,
		arn:     "arn:aws:iam::" + account + ":user/" + user,
		userID:  "AIDA" + strings.ToUpper(st.hexID("AIDA", 17)),
	}
}
