package monitorenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRefString(t *testing.T) {
	t.Parallel()
	r := Ref{Store: StoreSSM, Name: "/ipamkit/slack-url", Env: "IPAMKIT_SLACK_URL_PARAM"}
	assert.Equal(t, "IPAMKIT_SLACK_URL_PARAM=/ipamkit/slack-url", r.String())
	assert.False(t, r.IsZero())
	assert.True(t, Ref{}.IsZero())
}

func TestCheckWebhookURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://hooks.slack.com/services/T/B/x", true},
		{"http://127.0.0.1:8080/x", true},
		{"http://[::1]:8080/x", true},
		{"http://localhost/x", true},
		{"http://hooks.example.com/x", false},
		{"ftp://example.com/x", false},
		{"hooks.slack.com/services/T/B/x", false},
		{"", false},
	}
	for _, tt := range tests {
		err := CheckWebhookURL(tt.url)
		assert.Equal(t, tt.ok, err == nil, "CheckWebhookURL(%q) = %v", tt.url, err)
		if err != nil {
			assert.NotContains(t, err.Error(), "/x", "the error quotes the URL")
		}
	}
}
