package awsfake

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/smithy-go/encoding/json"
)

// SSM GetParameter and Secrets Manager GetSecretValue (awsJson1_1), for the
// configuration the examples read. Parameters and secrets belong to the
// world ([Builder.Parameter], [Builder.Secret]) and are read by their
// account in their region.

// parameter is an SSM parameter.
type parameter struct{ name, account, region, typ, value string }

// secret is a Secrets Manager secret.
type secret struct{ arn, name, account, region, value, versionID string }

// Parameter adds an SSM parameter of a type (String, StringList or
// SecureString) to an account in a region.
func (b *Builder) Parameter(accountID, region, name, parameterType, value string) {
	b.apply(fmt.Sprintf("parameter %q in %s/%s", name, accountID, region), func(st *state) error {
		if st.accounts[accountID] == nil || !st.regionEnabled(region) {
			return fmt.Errorf("no account %q or region %q", accountID, region)
		}
		switch parameterType {
		case "String", "StringList", "SecureString":
		default:
			return fmt.Errorf("parameter type %q is not String, StringList or SecureString", parameterType)
		}
		if name == "" || len(name) > 2048 {
			return fmt.Errorf("parameter name %q must be 1 to 2048 characters", name)
		}
		key := ownerKey(accountID, region) + "/" + strings.TrimPrefix(name, "/")
		if st.parameters[key] != nil {
			return fmt.Errorf("parameter %q already exists", name)
		}
		st.parameters[key] = &parameter{name: name, account: accountID, region: region, typ: parameterType, value: value}
		return nil
	})
}

// Secret adds a Secrets Manager secret with a string value to an account in
// a region and returns its ARN.
func (b *Builder) Secret(accountID, region, name, value string) string {
	return b.applyID(fmt.Sprintf("secret %q in %s/%s", name, accountID, region), func(st *state) (string, error) {
		if st.accounts[accountID] == nil || !st.regionEnabled(region) {
			return "", fmt.Errorf("no account %q or region %q", accountID, region)
		}
		if name == "" || len(name) > 512 {
			return "", fmt.Errorf("secret name %q must be 1 to 512 characters", name)
		}
		for _, s := range st.secrets {
			if s.account == accountID && s.region == region && s.name == name {
				return "", fmt.Errorf("secret %q already exists", name)
			}
		}
		s := &secret{name: name, account: accountID, region: region, value: value}
		s.arn = "arn:aws:secretsmanager:" + region + ":" + accountID + ":secret:" + name + "-" + st.hexID("secret-suffix", 6)
		h := st.hexID("secret-version", 32)
		s.versionID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		st.secrets[s.arn] = s
		return s.arn, nil
	})
}

// getParameterInput is the input of GetParameter.
type getParameterInput struct {
	Name           string `json:"Name"`
	WithDecryption *bool  `json:"WithDecryption"`
}

var ssmGetParameter = op("ssm", "GetParameter", decodeJSON[getParameterInput], func(s *Server, c *call, in getParameterInput) (any, error) {
	if in.Name == "" || len(in.Name) > 2048 {
		return nil, validationException("Value '%s' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048", in.Name)
	}
	name, selector, _ := strings.Cut(in.Name, ":")
	p := s.st.parameters[ownerKey(c.account(), c.region)+"/"+strings.TrimPrefix(name, "/")]
	if p == nil || (selector != "" && selector != "1") {
		return nil, badRequest("ParameterNotFound", "")
	}
	value := p.value
	if p.typ == "SecureString" && (in.WithDecryption == nil || !*in.WithDecryption) {
		// Without decryption SSM returns the ciphertext; any opaque base64 will do.
		value = base64.StdEncoding.EncodeToString([]byte("encrypted:" + p.value))
	}
	arn := "arn:aws:ssm:" + p.region + ":" + p.account + ":parameter/" + strings.TrimPrefix(p.name, "/")
	return jsonMembers(func(o *json.Object) {
		jstruct(o, "Parameter", func(m *json.Object) {
			jstr(m, "Name", p.name)
			jstr(m, "Type", p.typ)
			jstr(m, "Value", value)
			m.Key("Version").Long(1)
			jtime(m, "LastModifiedDate", worldEpoch)
			jstr(m, "ARN", arn)
			jstr(m, "DataType", "text")
		})
	}), nil
})

// getSecretValueInput is the input of GetSecretValue.
type getSecretValueInput struct {
	SecretID     string `json:"SecretId"`
	VersionID    string `json:"VersionId"`
	VersionStage string `json:"VersionStage"`
}

var smGetSecretValue = op("secretsmanager", "GetSecretValue", decodeJSON[getSecretValueInput], func(s *Server, c *call, in getSecretValueInput) (any, error) {
	if in.SecretID == "" || len(in.SecretID) > 2048 {
		return nil, badRequest("InvalidParameterException", "SecretId must be 1 to 2048 characters.")
	}
	var found *secret
	for _, sec := range s.st.secrets {
		if sec.account != c.account() || sec.region != c.region {
			continue
		}
		// A secret is named by its name, its full ARN, or its ARN without the random suffix.
		if sec.name == in.SecretID || sec.arn == in.SecretID || strings.TrimSuffix(sec.arn, sec.arn[len(sec.arn)-7:]) == in.SecretID {
			found = sec
		}
	}
	if found == nil || (in.VersionID != "" && in.VersionID != found.versionID) || (in.VersionStage != "" && in.VersionStage != "AWSCURRENT") {
		return nil, badRequest("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	return jsonMembers(func(o *json.Object) {
		jstr(o, "ARN", found.arn)
		jstr(o, "Name", found.name)
		jstr(o, "VersionId", found.versionID)
		jstr(o, "SecretString", found.value)
		jstrings(o, "VersionStages", []string{"AWSCURRENT"})
		jtime(o, "CreatedDate", worldEpoch)
	}), nil
})
