package usage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// ClientFactory hands out the EC2 client of a target: in its account
// (usually by assuming its role) and its region. [NewAWSClients] is the
// implementation over an aws.Config; tests supply their own. A factory that
// also has a method APICalls() int64, as [AWSClients] does, gives the
// scan's [ScanInfo.APICalls].
type ClientFactory interface {
	EC2(ctx context.Context, t Target) (EC2API, error)
}

// ClientFactoryFunc adapts a function to a [ClientFactory].
type ClientFactoryFunc func(ctx context.Context, t Target) (EC2API, error)

// EC2 calls f.
func (f ClientFactoryFunc) EC2(ctx context.Context, t Target) (EC2API, error) { return f(ctx, t) }

// ErrNotScanned is wrapped by the error of every target a scan did not get
// to or did not finish: its context was done first, or the deadline margin
// was reached before it started or while it ran.
var ErrNotScanned = errors.New("not scanned")

// ScannerOptions configures a [Scanner]. The zero value is ready to use.
type ScannerOptions struct {
	// Sources are what each target is measured from; empty means
	// SourceEC2 only. SourceIPAM and SourcePools read the IPAM, so give
	// them the IPAM account and region as their target.
	Sources []Source
	// IPAM selects the scopes and resource types for SourceIPAM; its
	// ScopeType also selects the pools for SourcePools.
	IPAM IPAMOptions
	// Policy evaluates the resources into findings.
	Policy Policy
	// Concurrency is how many targets are scanned at once; zero means 8.
	Concurrency int
	// TargetTimeout bounds the scan of one target; zero means 2 minutes.
	TargetTimeout time.Duration
	// DeadlineMargin is kept free before the context's deadline: no target
	// starts this close to it, and a target still running when it is
	// reached is stopped and reported as not finished (wrapping
	// ErrNotScanned). A Lambda thus always has this much time left to send
	// its alert, however slow a target is. Zero means 10 seconds; it
	// matters only when the context has a deadline.
	DeadlineMargin time.Duration
	// Logger receives one record per target; nil discards them.
	Logger *slog.Logger
}

// Scanner measures many targets at once. It is safe for concurrent use:
// each Scan is independent.
type Scanner struct {
	clients ClientFactory
	opts    ScannerOptions
	now     func() time.Time // time.Now; tests pin it
}

// NewScanner returns a Scanner that gets its clients from clients.
func NewScanner(clients ClientFactory, optFns ...func(*ScannerOptions)) *Scanner {
	var o ScannerOptions
	for _, f := range optFns {
		f(&o)
	}
	if len(o.Sources) == 0 {
		o.Sources = []Source{SourceEC2}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.TargetTimeout <= 0 {
		o.TargetTimeout = 2 * time.Minute
	}
	if o.DeadlineMargin <= 0 {
		o.DeadlineMargin = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scanner{clients: clients, opts: o, now: time.Now}
}

// Scan measures every target from every configured source and returns the
// report. It never aborts part way: a target that fails (access denied,
// throttled past the SDK's retries, region not enabled) becomes a
// [TargetError] in the report and the others go on; a target not reached
// before ctx is done, or before its deadline margin, becomes one wrapping
// [ErrNotScanned]. With SourceIPAM, every account and region IPAM failed to
// discover is reported too, as a TargetError wrapping a [DiscoveryError]:
// its resources are missing from IPAM's figures. A target where
// SourceIPAM or SourcePools finds no IPAM, or no scope of the requested
// type, fails with a [*NoIPAMError]. The error is non-nil only for an invalid policy
// ([ErrBadPolicy]), checked before any call.
//
// At most Concurrency targets are in flight; each goroutine writes only its
// own slot, and none outlives the call. Memory is proportional to the
// resources kept, not to the pages fetched.
func (s *Scanner) Scan(ctx context.Context, targets []Target) (Report, error) {
	if err := s.opts.Policy.Validate(); err != nil {
		return Report{}, err
	}
	started := s.now()
	counter, counts := s.clients.(interface{ APICalls() int64 })
	var callsBefore int64
	if counts {
		callsBefore = counter.APICalls()
	}
	type result struct {
		resources []Resource
		problems  []*TargetError // accounts IPAM could not discover
		err       error
	}
	results := make([]result, len(targets))
	var g errgroup.Group
	g.SetLimit(s.opts.Concurrency)
	for i, t := range targets {
		if err := s.startable(ctx); err != nil {
			results[i].err = err
			continue
		}
		g.Go(func() error {
			// The slot may have waited for a free goroutine: look again.
			if err := s.startable(ctx); err != nil {
				results[i].err = err
				return nil
			}
			results[i].resources, results[i].problems, results[i].err = s.scanTargetByMargin(ctx, t)
			return nil
		})
	}
	_ = g.Wait() // goroutines report through their slots

	var resources []Resource
	var errs []*TargetError
	for i, r := range results {
		if r.err != nil {
			errs = append(errs, &TargetError{Target: targets[i].Redacted(), Err: r.err})
			continue
		}
		resources = append(resources, r.resources...)
		errs = append(errs, r.problems...)
	}
	info := ScanInfo{Started: started, Finished: s.now(), Targets: len(targets)}
	if counts {
		info.APICalls = int(counter.APICalls() - callsBefore)
	}
	return NewReport(resources, errs, info, s.opts.Policy)
}

// startable returns nil if a new target may start now.
func (s *Scanner) startable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotScanned, context.Cause(ctx))
	}
	if d, ok := ctx.Deadline(); ok && d.Sub(s.now()) < s.opts.DeadlineMargin {
		return fmt.Errorf("%w: within %v of the deadline", ErrNotScanned, s.opts.DeadlineMargin)
	}
	return nil
}

// scanTargetByMargin scans t, stopping it when ctx's deadline is within
// the margin: the error then wraps ErrNotScanned and says so.
func (s *Scanner) scanTargetByMargin(ctx context.Context, t Target) ([]Resource, []*TargetError, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return s.scanTarget(ctx, t)
	}
	margin := fmt.Errorf("%w: not finished %v before the deadline", ErrNotScanned, s.opts.DeadlineMargin)
	ctx, cancel := context.WithDeadlineCause(ctx, d.Add(-s.opts.DeadlineMargin), margin)
	defer cancel()
	rs, problems, err := s.scanTarget(ctx, t)
	if err != nil && errors.Is(context.Cause(ctx), margin) {
		return nil, nil, fmt.Errorf("%w: %w", margin, err)
	}
	return rs, problems, err
}

func (s *Scanner) scanTarget(ctx context.Context, t Target) ([]Resource, []*TargetError, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.TargetTimeout)
	defer cancel()
	log := s.opts.Logger.With("account_id", t.AccountID, "region", t.Region)
	start := s.now()
	client, err := s.clients.EC2(ctx, t)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "target failed", slog.String("error", err.Error()))
		return nil, nil, fmt.Errorf("client: %w", err)
	}
	var out []Resource
	var problems []*TargetError
	for _, src := range s.opts.Sources {
		var rs []Resource
		switch src {
		case SourceEC2:
			rs, err = CollectEC2(ctx, client, t.Region)
		case SourceIPAM:
			rs, err = CollectIPAM(ctx, client, s.opts.IPAM)
			if err == nil {
				problems, err = CollectDiscoveryFailures(ctx, client)
			}
		case SourcePools:
			rs, err = CollectPools(ctx, client, s.opts.IPAM.ScopeType)
			if err == nil && len(rs) == 0 {
				// No pool: is there an IPAM here at all?
				_, err = ipamScopes(ctx, client, s.opts.IPAM.ScopeType.orPrivate())
			}
		default:
			err = fmt.Errorf("unknown source %q (want ec2, ipam or pools)", src)
		}
		if err != nil {
			log.LogAttrs(ctx, slog.LevelWarn, "target failed", slog.String("source", string(src)), slog.String("error", err.Error()))
			return nil, nil, err
		}
		out = append(out, rs...)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "target scanned", slog.Int("resources", len(out)), slog.Duration("took", s.now().Sub(start)))
	return slices.Clip(out), problems, nil
}
