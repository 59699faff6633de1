package share

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// Result is what [Reconciler.Apply] did: the plan it applied and the
// changes it made, in order. Ignored is set instead when
// [Reconciler.HandleEvent] ignored an event.
type Result struct {
	Plan    Plan     `json:"plan"`
	Applied []Change `json:"applied"`
	// Ignored says why an event changed nothing; zero when it was acted on.
	Ignored Ignored `json:"ignored,omitzero"`
}

// ClientToken returns the clientToken that creates the share name: derived
// from the name alone, so a retried or repeated creation of the same share
// is the same request to RAM and never makes a second share.
func ClientToken(name string) string {
	sum := sha256.Sum256([]byte("ipamkit/share/" + name))
	return "ipamkit-" + hex.EncodeToString(sum[:16])
}

// Apply makes the changes of p, share by share: a creation carries the
// principal and the first 100 pools (with allowExternalPrincipals=false,
// the share tag and [ClientToken]), further pools and a missing principal
// are associated 100 at a time, and pools are disassociated only when p
// was planned with Prune. Then it waits until the associations leave
// associating ([Reconciler.WaitAssociations]). It stops at the first
// error and returns what it did; errors that no retry fixes are
// [*TerminalError]s. Applying the same plan again is harmless: plan again
// instead, since the plan was made from what was then.
func (r *Reconciler) Apply(ctx context.Context, p Plan) (Result, error) {
	res := Result{Plan: p, Applied: []Change{}}
	var touched []string
	for i := 0; i < len(p.Changes); {
		j := i
		for j < len(p.Changes) && p.Changes[j].Share == p.Changes[i].Share {
			j++
		}
		arn, done, err := r.applyShare(ctx, p.Changes[i:j])
		res.Applied = append(res.Applied, done...)
		if err != nil {
			return res, err
		}
		if arn != "" && len(done) > 0 {
			touched = append(touched, arn)
		}
		i = j
	}
	if err := r.WaitAssociations(ctx, touched, r.o.MaxWait); err != nil {
		return res, err
	}
	r.o.Logger.LogAttrs(ctx, slog.LevelInfo, "shares reconciled", slog.Int("changes", len(res.Applied)), slog.Int("shares", len(touched)))
	return res, nil
}

// applyShare applies the changes of one share and returns its ARN and the
// changes made.
func (r *Reconciler) applyShare(ctx context.Context, cs []Change) (string, []Change, error) {
	var (
		create    *Change
		principal *Change
		add, drop []Change
		done      []Change
	)
	name, arn := cs[0].Share, cs[0].ShareARN
	for i := range cs {
		switch c := &cs[i]; c.Kind {
		case KindCreateShare:
			create = c
		case KindAssociatePrincipal:
			principal = c
		case KindAssociatePool:
			add = append(add, *c)
		case KindDisassociatePool:
			if !c.Kept {
				drop = append(drop, *c)
			}
		}
	}
	log := r.o.Logger.With("share", name)
	if create != nil {
		first := add[:min(maxBatch, len(add))]
		in := &ram.CreateResourceShareInput{
			Name: aws.String(name), Principals: []string{create.Principal}, ResourceArns: arns(first),
			AllowExternalPrincipals: aws.Bool(false), ClientToken: aws.String(ClientToken(name)),
			Tags: []ramtypes.Tag{{Key: aws.String(r.o.ShareTagKey), Value: aws.String(tagOf(create.Principal))}},
		}
		out, err := r.ram.CreateResourceShare(ctx, in)
		var mismatch *ramtypes.IdempotentParameterMismatchException
		switch {
		case errors.As(err, &mismatch):
			// A share was made with this token and other pools: it exists,
			// so find it and associate the rest.
			found, ferr := r.findShare(ctx, name)
			if ferr != nil {
				return "", done, ferr
			}
			if found == "" {
				return "", done, Terminal(fmt.Errorf("create share %s: %w: no share of that name is listed; delete the share with client token %s or rename it", name, err, ClientToken(name)))
			}
			arn = found
			principal = &Change{Kind: KindAssociatePrincipal, Share: name, Principal: create.Principal}
		case err != nil:
			return "", done, classify(fmt.Errorf("create share %s: %w", name, err))
		case out.ResourceShare == nil:
			return "", done, fmt.Errorf("create share %s: RAM returned no share: reconcile again", name)
		default:
			arn = aws.ToString(out.ResourceShare.ResourceShareArn)
			add = add[len(first):]
			c := *create
			c.ShareARN = arn
			done = append(done, c)
			for _, a := range first {
				a.ShareARN = arn
				done = append(done, a)
			}
		}
		log.LogAttrs(ctx, slog.LevelInfo, "share created", slog.String("share_arn", arn), slog.Int("pools", len(first)))
	}
	for len(add) > 0 || principal != nil {
		batch := add[:min(maxBatch, len(add))]
		in := &ram.AssociateResourceShareInput{ResourceShareArn: aws.String(arn), ResourceArns: arns(batch)}
		if principal != nil {
			in.Principals = []string{principal.Principal}
		}
		if _, err := r.ram.AssociateResourceShare(ctx, in); err != nil {
			return arn, done, classify(fmt.Errorf("associate %d pools with share %s (%s): %w", len(batch), name, arn, err))
		}
		if principal != nil {
			c := *principal
			c.ShareARN = arn
			done = append(done, c)
			principal = nil
		}
		for _, a := range batch {
			a.ShareARN = arn
			done = append(done, a)
		}
		add = add[len(batch):]
	}
	for len(drop) > 0 {
		batch := drop[:min(maxBatch, len(drop))]
		if _, err := r.ram.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: aws.String(arn), ResourceArns: arns(batch)}); err != nil {
			return arn, done, classify(fmt.Errorf("disassociate %d pools from share %s (%s): %w", len(batch), name, arn, err))
		}
		done = append(done, batch...)
		drop = drop[len(batch):]
	}
	return arn, done, nil
}

// findShare returns the ARN of the caller's active share named name, or "".
func (r *Reconciler) findShare(ctx context.Context, name string) (string, error) {
	p := ram.NewGetResourceSharesPaginator(r.ram, &ram.GetResourceSharesInput{
		ResourceOwner: ramtypes.ResourceOwnerSelf, Name: aws.String(name), ResourceShareStatus: ramtypes.ResourceShareStatusActive, MaxResults: aws.Int32(ramPage),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", classify(fmt.Errorf("list the resource shares named %s: %w", name, err))
		}
		for _, s := range page.ResourceShares {
			if aws.ToString(s.Name) == name {
				return aws.ToString(s.ResourceShareArn), nil
			}
		}
	}
	return "", nil
}

// tagOf is the share tag's value for a principal: account/<id> or ou/<OU id>.
func tagOf(principal string) string {
	if accountIDPattern.MatchString(principal) {
		return "account/" + principal
	}
	for i := len(principal) - 1; i >= 0; i-- {
		if principal[i] == '/' {
			return "ou/" + principal[i+1:]
		}
	}
	return principal
}

func arns(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.PoolARN
	}
	return out
}

// ReconcileAccount plans and applies the shares of one account.
func (r *Reconciler) ReconcileAccount(ctx context.Context, accountID string) (Result, error) {
	p, err := r.PlanAccount(ctx, accountID)
	if err != nil {
		return Result{Plan: p}, err
	}
	return r.Apply(ctx, p)
}

// ReconcileAll plans and applies the shares of every account.
func (r *Reconciler) ReconcileAll(ctx context.Context) (Result, error) {
	p, err := r.PlanAll(ctx)
	if err != nil {
		return Result{Plan: p}, err
	}
	return r.Apply(ctx, p)
}
