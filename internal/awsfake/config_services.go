package awsfake

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
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

var ssmGetParameter = model("ssm", "GetParameter", func(st *state, c *call, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
	full := aws.ToString(in.Name)
	if full == "" || len(full) > 2048 {
		return nil, validationException("Value '%s' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048", full)
	}
	name, selector, _ := strings.Cut(full, ":")
	p := st.parameters[ownerKey(c.account(), c.region)+"/"+strings.TrimPrefix(name, "/")]
	if p == nil || (selector != "" && selector != "1") {
		return nil, badRequest("ParameterNotFound", "")
	}
	value := p.value
	if p.typ == "SecureString" && !aws.ToBool(in.WithDecryption) {
		// Without decryption SSM returns the ciphertext; any opaque base64 will do.
		value = base64.StdEncoding.EncodeToString([]byte("encrypted:" + p.value))
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Name: aws.String(p.name), Type: ssmtypes.ParameterType(p.typ),
		Value: aws.String(value), Version: 1, LastModifiedDate: aws.Time(worldEpoch), DataType: aws.String("text"),
		ARN: aws.String("arn:aws:ssm:" + p.region + ":" + p.account + ":parameter/" + strings.TrimPrefix(p.name, "/"))}}, nil
})

var smGetSecretValue = model("secretsmanager", "GetSecretValue", func(st *state, c *call, in *secretsmanager.GetSecretValueInput) (*secretsmanager.GetSecretValueOutput, error) {
	id, versionID, stage := aws.ToString(in.SecretId), aws.ToString(in.VersionId), aws.ToString(in.VersionStage)
	if id == "" || len(id) > 2048 {
		return nil, badRequest("InvalidParameterException", "SecretId must be 1 to 2048 characters.")
	}
	var found *secret
	for _, sec := range st.secrets {
		// A secret is named by its name, its full ARN, or its ARN without the random suffix.
		if sec.account == c.account() && sec.region == c.region && (sec.name == id || sec.arn == id || sec.arn[:len(sec.arn)-7] == id) {
			found = sec
		}
	}
	if found == nil || (versionID != "" && versionID != found.versionID) || (stage != "" && stage != "AWSCURRENT") {
		return nil, badRequest("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	return &secretsmanager.GetSecretValueOutput{ARN: aws.String(found.arn), Name: aws.String(found.name), VersionId: aws.String(found.versionID),
		SecretString: aws.String(found.value), VersionStages: []string{"AWSCURRENT"}, CreatedDate: aws.Time(worldEpoch)}, nil
})
