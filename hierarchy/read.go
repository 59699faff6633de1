package hierarchy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ipamkit/ipamkit/ipam"
	"golang.org/x/sync/errgroup"
)

// ReadOptions configures [Read] and [DefaultScope]. The zero value is ready
// to use.
type ReadOptions struct {
	// Concurrency is how many pools have their CIDRs and allocations read
	// at once; zero means 8.
	Concurrency int
	// Region is the client's region, for error messages only; "" means the
	// client's own when it is an *ec2.Client, else unknown.
	Region string
	// Logger receives a Debug record per page read; nil discards them.
	Logger *slog.Logger
}

func (o ReadOptions) withDefaults(client any) ReadOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Region == "" {
		if c, ok := client.(interface{ Options() ec2.Options }); ok {
			o.Region = c.Options().Region
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// ErrScopeNotFound is matched ([errors.Is]) by the [*ScopeNotFoundError]
// of [Read] and [DefaultScope] when the scope does not exist or the caller
// has no IPAM in the client's region.
var ErrScopeNotFound = errors.New("IPAM scope not found")

// ScopeNotFoundError reports a scope that the caller cannot see: it does
// not exist, or it belongs to another account or to an IPAM whose home is
// another region (IPAM answers only in its home region, to its owner). It
// names the scopes the caller does have there, to pass instead. From
// [DefaultScope], ScopeID is "": the caller has no IPAM in the region.
//
// Its message is one line that says what is wrong and what to do, without
// the API error; errors.Is(err, [ErrScopeNotFound]) holds, and the API
// error, when there is one, is what it unwraps to.
type ScopeNotFoundError struct {
	ScopeID   string
	AccountID string      // the caller's account, when its IPAM says so
	Region    string      // the client's region, when known
	Scopes    []LiveScope // the caller's default scopes in that region
	Err       error       // the API error, if any
	// ListErr is why listing the caller's IPAMs, to name their scopes,
	// failed too; nil when it did not.
	ListErr error
}

// Error says which scope is missing, where, and what to pass instead.
func (e *ScopeNotFoundError) Error() string {
	var b strings.Builder
	where := strings.TrimSpace(e.AccountID + " " + e.Region)
	if e.ScopeID == "" {
		b.WriteString("the caller has no IPAM")
		if where != "" {
			b.WriteString(" in " + where)
		}
		b.WriteString(": call from the account and home region of your IPAM (its delegated administrator)")
		return b.String()
	}
	fmt.Fprintf(&b, "scope %s not found", e.ScopeID)
	if where != "" {
		b.WriteString(" in " + where)
	}
	switch {
	case e.ListErr != nil:
		what := cmp.Or(errorCode(e.ListErr), "an error")
		fmt.Fprintf(&b, ": check the scope ID, and call from the account and home region of your IPAM (its delegated administrator); listing your IPAMs to name their scopes failed too (%s)", what)
	case len(e.Scopes) == 0:
		b.WriteString(": the caller has no IPAM here; call from the account and home region of your IPAM (its delegated administrator)")
	default:
		var ss []string
		for _, s := range e.Scopes {
			ss = append(ss, s.ID+" ("+string(s.Type)+")")
		}
		fmt.Fprintf(&b, ": pass a scope of your IPAM: %s", strings.Join(ss, ", "))
	}
	return b.String()
}

// Is reports whether target is [ErrScopeNotFound].
func (e *ScopeNotFoundError) Is(target error) bool { return target == ErrScopeNotFound }

// Unwrap returns the API error, or nil.
func (e *ScopeNotFoundError) Unwrap() error { return e.Err }

// Read reads the live pool tree of an IPAM scope: the scope and its IPAM's
// operating regions (DescribeIpamScopes, DescribeIpams), the scope's pools
// (DescribeIpamPools filtered to it), and each pool's CIDRs and
// allocations (GetIpamPoolCidrs, GetIpamPoolAllocations). It reads every
// page at the largest page size, pools' CIDRs and allocations
// [ReadOptions.Concurrency] at a time. Call it with a client in the IPAM's
// account and home region.
//
// Pools are in the order IPAM lists them, each pool's CIDRs in ascending
// address order; AWS's locale "None" becomes "", and a maximum netmask rule
// as long as the family allows (/32, /128: no rule) becomes 0. Pools being
// deleted are listed without their CIDRs and allocations. Pass
// [Live.PlanOptions] to [Plan] with the result.
//
// When the scope does not exist or the caller cannot see it, Read returns a
// [*ScopeNotFoundError] ([ErrScopeNotFound]); other errors wrap the SDK's.
func Read(ctx context.Context, client ReadAPI, scopeID string, optFns ...func(*ReadOptions)) (Live, error) {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o = o.withDefaults(client)
	scope, err := readScope(ctx, client, scopeID, o)
	if err != nil {
		return Live{}, err
	}
	live := Live{Scope: scope, Pools: []LivePool{}}
	p := ec2.NewDescribeIpamPoolsPaginator(client, &ec2.DescribeIpamPoolsInput{
		MaxResults: aws.Int32(maxPage),
		Filters:    []types.Filter{{Name: aws.String("ipam-scope-id"), Values: []string{scopeID}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Live{}, fmt.Errorf("list the pools of scope %s: %w", scopeID, err)
		}
		o.Logger.LogAttrs(ctx, slog.LevelDebug, "read pools page", slog.String("scope_id", scopeID), slog.Int("pools", len(page.IpamPools)))
		for _, ap := range page.IpamPools {
			live.Pools = append(live.Pools, livePool(ap))
		}
	}
	// The first failure fails the read: the others stop.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for i := range live.Pools {
		lp := &live.Pools[i]
		if strings.HasPrefix(lp.State, "delete-") {
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return readPool(gctx, client, lp)
		})
	}
	if err := g.Wait(); err != nil {
		return Live{}, err
	}
	return live, nil
}

// readScope finds the scope and its IPAM.
func readScope(ctx context.Context, client ReadAPI, scopeID string, o ReadOptions) (LiveScope, error) {
	out, err := client.DescribeIpamScopes(ctx, &ec2.DescribeIpamScopesInput{IpamScopeIds: []string{scopeID}})
	switch code := errorCode(err); {
	case code == codeScopeNotFound || code == codeScopeMalformed:
		return LiveScope{}, notFound(ctx, client, scopeID, o, err)
	case err != nil:
		return LiveScope{}, fmt.Errorf("describe IPAM scope %s: %w", scopeID, err)
	case len(out.IpamScopes) == 0:
		return LiveScope{}, notFound(ctx, client, scopeID, o, nil)
	}
	sc := out.IpamScopes[0]
	s := LiveScope{ID: scopeID, Type: Scope(sc.IpamScopeType), AccountID: aws.ToString(sc.OwnerId), Region: aws.ToString(sc.IpamRegion)}
	// The scope's IPAM ARN ends in "ipam/ipam-…".
	arn := aws.ToString(sc.IpamArn)
	s.IPAMID = arn[strings.LastIndexByte(arn, '/')+1:]
	if s.IPAMID == "" {
		return s, nil
	}
	ipams, err := client.DescribeIpams(ctx, &ec2.DescribeIpamsInput{IpamIds: []string{s.IPAMID}})
	if err != nil {
		return LiveScope{}, fmt.Errorf("describe IPAM %s of scope %s: %w", s.IPAMID, scopeID, err)
	}
	for _, i := range ipams.Ipams {
		for _, r := range i.OperatingRegions {
			s.Regions = append(s.Regions, aws.ToString(r.RegionName))
		}
	}
	slices.Sort(s.Regions)
	return s, nil
}

// notFound builds the ScopeNotFoundError, with the scopes the caller has.
func notFound(ctx context.Context, client ReadAPI, scopeID string, o ReadOptions, apiErr error) error {
	e := &ScopeNotFoundError{ScopeID: scopeID, Region: o.Region, Err: apiErr}
	scopes, err := ipamScopes(ctx, client)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.ListErr = err
		return e
	}
	if len(scopes) > 0 {
		e.AccountID = scopes[0].AccountID
		e.Region = cmp.Or(e.Region, scopes[0].Region)
	}
	e.Scopes = scopes
	return e
}

// ipamScopes lists the default scopes of the caller's IPAMs in the
// client's region, private first.
func ipamScopes(ctx context.Context, client ReadAPI) ([]LiveScope, error) {
	var out []LiveScope
	p := ec2.NewDescribeIpamsPaginator(client, &ec2.DescribeIpamsInput{MaxResults: aws.Int32(maxPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe IPAMs: %w", err)
		}
		for _, i := range page.Ipams {
			var regions []string
			for _, r := range i.OperatingRegions {
				regions = append(regions, aws.ToString(r.RegionName))
			}
			slices.Sort(regions)
			base := LiveScope{IPAMID: aws.ToString(i.IpamId), AccountID: aws.ToString(i.OwnerId), Region: aws.ToString(i.IpamRegion), Regions: regions}
			for _, s := range []struct {
				id  *string
				typ Scope
			}{{i.PrivateDefaultScopeId, Private}, {i.PublicDefaultScopeId, Public}} {
				if aws.ToString(s.id) != "" {
					sc := base
					sc.ID, sc.Type, sc.Regions = aws.ToString(s.id), s.typ, slices.Clone(regions)
					out = append(out, sc)
				}
			}
		}
	}
	return out, nil
}

// DefaultScope returns the ID of the default scope of type scope ([Private]
// when "") of the caller's IPAM in the client's region. It fails with a
// [*ScopeNotFoundError] ([ErrScopeNotFound]) when the caller has no IPAM
// there, and when it has more than one (name the scope then).
func DefaultScope(ctx context.Context, client ReadAPI, scope Scope, optFns ...func(*ReadOptions)) (string, error) {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o = o.withDefaults(client)
	scope = cmp.Or(scope, Private)
	scopes, err := ipamScopes(ctx, client)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, s := range scopes {
		if s.Type == scope {
			ids = append(ids, s.ID)
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", &ScopeNotFoundError{Region: o.Region}
	}
	return "", fmt.Errorf("the caller has %d IPAMs here, with default %s scopes %s: name the scope to use", len(ids), scope, strings.Join(ids, ", "))
}

// livePool converts a pool as DescribeIpamPools lists it.
func livePool(ap types.IpamPool) LivePool {
	lp := LivePool{
		ID:                   aws.ToString(ap.IpamPoolId),
		ParentID:             aws.ToString(ap.SourceIpamPoolId),
		Family:               Family(ap.AddressFamily),
		Locale:               aws.ToString(ap.Locale),
		Description:          aws.ToString(ap.Description),
		AutoImport:           aws.ToBool(ap.AutoImport),
		PublicIPSource:       string(ap.PublicIpSource),
		PubliclyAdvertisable: aws.ToBool(ap.PubliclyAdvertisable),
		State:                string(ap.State),
		Allocation: Allocation{
			MinNetmask:     int(aws.ToInt32(ap.AllocationMinNetmaskLength)),
			MaxNetmask:     int(aws.ToInt32(ap.AllocationMaxNetmaskLength)),
			DefaultNetmask: int(aws.ToInt32(ap.AllocationDefaultNetmaskLength)),
		},
	}
	if lp.Locale == "None" {
		lp.Locale = ""
	}
	if lp.Allocation.MaxNetmask == lp.Family.Bits() {
		lp.Allocation.MaxNetmask = 0 // the widest rule is no rule; see modifyInput
	}
	for _, t := range ap.Tags {
		if lp.Tags == nil {
			lp.Tags = map[string]string{}
		}
		lp.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	for _, t := range ap.AllocationResourceTags {
		if lp.Allocation.Tags == nil {
			lp.Allocation.Tags = map[string]string{}
		}
		lp.Allocation.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return lp
}

// readPool fills a pool's CIDRs and allocations, every page.
func readPool(ctx context.Context, client ReadAPI, lp *LivePool) error {
	cidrs, err := poolCIDRs(ctx, client, lp.ID)
	if err != nil {
		return err
	}
	lp.CIDRs = cidrs
	lp.Allocations, err = allocationsOf(ctx, client, lp.ID)
	return err
}

// poolCIDRs reads every CIDR of a pool, in ascending address order. CIDRs
// whose address AWS has not chosen yet are left out.
func poolCIDRs(ctx context.Context, client ec2.GetIpamPoolCidrsAPIClient, poolID string) ([]LiveCIDR, error) {
	var out []LiveCIDR
	p := ec2.NewGetIpamPoolCidrsPaginator(client, &ec2.GetIpamPoolCidrsInput{IpamPoolId: aws.String(poolID), MaxResults: aws.Int32(maxPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get the CIDRs of IPAM pool %s: %w", poolID, err)
		}
		for _, c := range page.IpamPoolCidrs {
			lc, ok, err := liveCIDR(c, poolID)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, lc)
			}
		}
	}
	slices.SortFunc(out, func(a, b LiveCIDR) int { return ipam.ComparePrefix(a.CIDR, b.CIDR) })
	return out, nil
}

func liveCIDR(c types.IpamPoolCidr, poolID string) (LiveCIDR, bool, error) {
	lc := LiveCIDR{State: string(c.State), ID: aws.ToString(c.IpamPoolCidrId)}
	if c.FailureReason != nil {
		lc.FailureReason = cmp.Or(aws.ToString(c.FailureReason.Message), string(c.FailureReason.Code))
	}
	if aws.ToString(c.Cidr) == "" {
		return lc, false, nil
	}
	var err error
	lc.CIDR, err = parseAWSCIDR(aws.ToString(c.Cidr), poolID)
	return lc, err == nil, err
}

func parseAWSCIDR(s, poolID string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("IPAM pool %s: AWS answered CIDR %q: %w", poolID, s, err)
	}
	return p.Masked(), nil
}
