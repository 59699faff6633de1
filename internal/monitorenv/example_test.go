package monitorenv_test

import (
	"fmt"
	"time"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
)

func ExampleSettings_Read() {
	env := map[string]string{
		"IpamUsageThreshold":      "85",
		"IPAMKIT_ACCOUNTS":        "organization",
		"IPAMKIT_SLACK_URL_PARAM": "/ipamkit/slack-url",
		"IPAMKIT_CONCURRENCY":     "0",
	}
	s := monitorenv.Defaults(30 * time.Second)
	var p envconfig.Problems
	s.Read(func(k string) string { return env[k] }, &p)
	fmt.Println(s.Critical, s.Organization, s.Slack)
	fmt.Println(p.Err())
	// Output:
	// 85 true IPAMKIT_SLACK_URL_PARAM=/ipamkit/slack-url
	// invalid configuration (1 problem): IPAMKIT_CONCURRENCY "0": want a whole number from 1 to 256
}
