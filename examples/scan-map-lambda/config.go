package main

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
)

// The function's own environment variables. The others are the settings it
// shares with monitor-lambda (monitorenv), with the monitor's names, values
// and defaults, so that a deployment moves from one to the other with its
// settings. The package documentation describes each.
const (
	envStep        = "IPAMKIT_SCAN_MAP_STEP"
	envBucket      = "IPAMKIT_SCAN_MAP_BUCKET"
	envIPAMAccount = "IPAMKIT_IPAM_ACCOUNT"
)

// organizationKeyword is the value of IPAMKIT_ACCOUNTS that scans the
// whole organization.
const organizationKeyword = monitorenv.OrganizationKeyword

// step is the part of the state machine a function runs.
type step string

const (
	stepList  step = "list"  // list the targets into the bucket, for the map's ItemReader
	stepScan  step = "scan"  // scan one batch of targets: a child of the map
	stepMerge step = "merge" // merge the map's results, evaluate once, notify once
)

// defaultDeadlineMargin is IPAMKIT_DEADLINE_MARGIN when it is not set.
const defaultDeadlineMargin = 20 * time.Second

// Config is the function's configuration, read once at cold start by
// configFromEnv. The three functions of a deployment share every variable
// but IPAMKIT_SCAN_MAP_STEP, IPAMKIT_DEADLINE_MARGIN and the credentials'
// names: they must scan the same world. It holds no credential: the merge
// step's webhook URLs and key are named here and fetched when its handler
// is built.
type Config struct {
	// Step is what this function does.
	Step step
	// Bucket holds the targets of each run, the partial reports too large
	// to return inline and the map's results.
	Bucket string
	// IPAMAccount holds the IPAM; empty means the function's own account.
	IPAMAccount string

	// Settings are those shared with monitor-lambda. Concurrency is how
	// many targets of a batch are scanned at once; DeadlineMargin how close
	// to the invocation's deadline a batch stops starting targets.
	monitorenv.Settings
}

// S3's rules for a general purpose bucket's name.
var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// configFromEnv reads the configuration through getenv, as os.Getenv, and
// reports every problem at once, in one envconfig.Error; no message quotes
// the external ID or a credential.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Settings: monitorenv.Defaults(defaultDeadlineMargin)}
	var p envconfig.Problems
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envStep, Set: envconfig.Enum(&c.Step, "want list, scan or merge", stepList, stepScan, stepMerge)},
		envconfig.Var{Name: envBucket, Set: envconfig.String(&c.Bucket, bucketPattern.MatchString, envconfig.Quoted, "want the name of an S3 bucket")},
	)
	if c.Step == "" {
		p = append(p, fmt.Errorf("%s is not set: want list, scan or merge", envStep))
	}
	if c.Bucket == "" && c.Step != "" {
		p = append(p, fmt.Errorf("%s is not set: want the bucket of the state machine's targets and results", envBucket))
	}
	c.Settings.Read(getenv, &p) // the settings shared with monitor-lambda
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envIPAMAccount, Set: envconfig.String(&c.IPAMAccount, monitorenv.ValidAccountID, envconfig.Quoted, "want a 12-digit account ID")},
	)
	if err := p.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// errNoRegion is returned by newHandler when neither IPAMKIT_REGIONS nor
// the AWS configuration names a region.
var errNoRegion = monitorenv.ErrNoRegion
