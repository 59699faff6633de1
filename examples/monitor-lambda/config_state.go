package main

import (
	"fmt"
	"time"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/notify"
)

// The variables of alerts on change: where the previous run's findings
// are kept, how often to remind, and what each notifier hears.
const (
	envStateBucket   = "IPAMKIT_STATE_BUCKET"
	envStateKey      = "IPAMKIT_STATE_KEY"
	envRemind        = "IPAMKIT_REMIND"
	envSNSFilter     = "IPAMKIT_SNS_FILTER"
	envSlackFilter   = "IPAMKIT_SLACK_FILTER"
	envTeamsFilter   = "IPAMKIT_TEAMS_FILTER"
	envWebhookFilter = "IPAMKIT_WEBHOOK_FILTER"
)

// defaultStateKey is the object of IPAMKIT_STATE_BUCKET when
// IPAMKIT_STATE_KEY is not set.
const defaultStateKey = "ipamkit/monitor-state.json"

// stateConfig configures alerts on change. The zero stateConfig alerts on
// every run, as the monitor sample did.
type stateConfig struct {
	// Bucket and Key name the S3 object that keeps the previous run's
	// findings; an empty Bucket alerts on every run.
	Bucket, Key string
	// Remind is how long a critical finding stays unchanged before a
	// reminder; zero means usage.DefaultRemindEvery, negative never.
	Remind time.Duration
	// Filters say what each notifier hears of an alert on change.
	Filters map[notify.SpecKind]notify.Filter
}

// read reads the variables of alerts on change.
func (s *stateConfig) read(getenv func(string) string, p *envconfig.Problems) {
	var remind string
	envconfig.Read(getenv, p,
		envconfig.Var{Name: envStateBucket, Set: envconfig.String(&s.Bucket, validBucket, envconfig.Quoted,
			"want an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens")},
		envconfig.Var{Name: envStateKey, Set: envconfig.String(&s.Key, func(v string) bool { return len(v) <= 1024 }, envconfig.Quoted,
			"want an S3 object key of at most 1024 bytes")},
		envconfig.Var{Name: envRemind, Set: envconfig.String(&remind, func(v string) bool {
			d, err := time.ParseDuration(v)
			return err == nil && d >= 0
		}, envconfig.Quoted, "want a duration such as 24h, or 0 for no reminder")},
	)
	if remind != "" {
		s.Remind, _ = time.ParseDuration(remind)
		if s.Remind == 0 {
			s.Remind = -1
		}
	}
	if s.Bucket == "" && s.Key != "" {
		*p = append(*p, fmt.Errorf("%s needs %s", envStateKey, envStateBucket))
	}
	if s.Bucket != "" && s.Key == "" {
		s.Key = defaultStateKey
	}
	for _, v := range []struct {
		kind notify.SpecKind
		name string
	}{{notify.SpecSNS, envSNSFilter}, {notify.SpecSlack, envSlackFilter}, {notify.SpecTeams, envTeamsFilter}, {notify.SpecWebhook, envWebhookFilter}} {
		kind, name := v.kind, v.name
		var f notify.Filter
		envconfig.Read(getenv, p, envconfig.Var{Name: name, Set: envconfig.Enum(&f, "want all, changes or new-critical",
			notify.Filter("all"), notify.FilterChanges, notify.FilterNewCritical)})
		if f == "all" {
			f = notify.FilterAll
		}
		if f != notify.FilterAll {
			if s.Filters == nil {
				s.Filters = map[notify.SpecKind]notify.Filter{}
			}
			s.Filters[kind] = f
		}
	}
}
