package usage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
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

// The fan-out of a [Scanner] when [ScannerOptions] leaves it zero, sized by
// BenchmarkScanScale (5,000 account-regions at 50 ms a call, AWS's rate
// limits): 16 targets at once scan them in about a minute without a
// throttle, and a Lambda of 1 vCPU keeps up with the decoding.
const (
	DefaultConcurrency = 16
	DefaultPerAccount  = 4
)

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
	// Concurrency is how many targets are scanned at once, in all; zero
	// means DefaultConcurrency. Each target in flight has one call in
	// flight and holds the page being decoded: at 50 ms a call, 16
	// targets make about 300 calls a second, and a page of 1,000 subnets
	// costs about 7 MB while it is decoded.
	Concurrency int
	// PerAccount is how many targets of one account (its regions) are
	// scanned at once; zero means DefaultPerAccount. The regions of an
	// account share its role's credentials and whatever limits a service
	// keeps per account; EC2 keeps its request limits per account and
	// region, which one target never approaches (a call at a time).
	PerAccount int
	// PerRegion is how many targets of one region are scanned at once;
	// zero means no bound but Concurrency. It keeps the calls to one
	// regional endpoint below the connections the client keeps open
	// (sdkhttp.MaxIdleConnsPerHost in the examples).
	PerRegion int
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
		o.Concurrency = DefaultConcurrency
	}
	if o.PerAccount <= 0 {
		o.PerAccount = DefaultPerAccount
	}
	if o.PerRegion <= 0 {
		o.PerRegion = o.Concurrency
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
// At most Concurrency targets are in flight, at most PerAccount of one
// account and PerRegion of one region; a target held back by its account
// or region lets the next one start, so the bounds never idle a worker
// while other targets could run. No goroutine outlives the call. Each
// target's resources join the report when it finishes: memory is
// proportional to the resources kept, not to the pages fetched.
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
	var (
		mu        sync.Mutex // guards resources and errs
		resources []Resource
		errs      []*TargetError
	)
	keep := func(t Target, rs []Resource, problems []*TargetError, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, &TargetError{Target: t.Redacted(), Err: explainRegion(err)})
			return
		}
		resources = append(resources, rs...)
		errs = append(errs, problems...)
	}
	q := newTargetQueue(targets, s.opts.PerAccount, s.opts.PerRegion)
	var g errgroup.Group
	for range min(s.opts.Concurrency, len(targets)) {
		g.Go(func() error {
			for {
				i, ok := q.next()
				if !ok {
					return nil
				}
				t := targets[i]
				if err := s.startable(ctx); err != nil {
					keep(t, nil, nil, err)
				} else {
					// Each target's resources go into the report as it
					// finishes; no page and no target's slice is held past it.
					rs, problems, err := s.scanTargetByMargin(ctx, t)
					keep(t, rs, problems, err)
				}
				q.done(i)
			}
		})
	}
	_ = g.Wait() // workers report through keep

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
