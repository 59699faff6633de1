package awsfake

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetParameterAndSecret(t *testing.T) {
	b := NewBuilder(mgmtAccount)
	b.Parameter(mgmtAccount, "eu-west-1", "/ipamkit/threshold", "String", "80")
	b.Parameter(mgmtAccount, "eu-west-1", "/ipamkit/slack", "SecureString", "https://hooks.slack.com/services/T/B/X")
	arn := b.Secret(mgmtAccount, "eu-west-1", "ipamkit/teams", "https://example.webhook.office.com/abc")
	w, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, w)
	ctx := t.Context()
	cfg := clientConfig(srv, DefaultAccessKeyID, "eu-west-1")

	params := ssm.NewFromConfig(cfg)
	p, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ipamkit/threshold")})
	require.NoError(t, err)
	assert.Equal(t, "80", aws.ToString(p.Parameter.Value))
	assert.Equal(t, ssmtypes.ParameterTypeString, p.Parameter.Type)
	assert.Equal(t, "arn:aws:ssm:eu-west-1:"+mgmtAccount+":parameter/ipamkit/threshold", aws.ToString(p.Parameter.ARN))

	secure, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ipamkit/slack"), WithDecryption: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, "https://hooks.slack.com/services/T/B/X", aws.ToString(secure.Parameter.Value))
	cipher, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ipamkit/slack")})
	require.NoError(t, err)
	assert.NotContains(t, aws.ToString(cipher.Parameter.Value), "hooks.slack.com", "SecureString without decryption")

	_, err = params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/nope")})
	var notFound *ssmtypes.ParameterNotFound
	assert.ErrorAs(t, err, &notFound)

	secrets := secretsmanager.NewFromConfig(cfg)
	for _, id := range []string{"ipamkit/teams", arn, strings.TrimSuffix(arn, arn[len(arn)-7:])} {
		out, err := secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		require.NoError(t, err, "SecretId %s", id)
		assert.Equal(t, "https://example.webhook.office.com/abc", aws.ToString(out.SecretString))
		assert.Equal(t, arn, aws.ToString(out.ARN))
		assert.Equal(t, []string{"AWSCURRENT"}, out.VersionStages)
	}
	_, err = secretsmanager.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1")).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("ipamkit/teams")})
	var missing *smtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &missing, "a secret of another region")
}
