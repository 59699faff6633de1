package share

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/smithy-go/waiter"
)

// ErrWaitTimeout is wrapped by the error of a wait that gave up while
// associations were still associating or disassociating. Nothing failed:
// reconciling again later finishes the job, so the error is not terminal.
var ErrWaitTimeout = errors.New("exceeded the maximum wait time")

// AssociationError reports an association that RAM put in the FAILED
// state, with RAM's message.
type AssociationError struct {
	ShareARN string
	Entity   string // the principal or resource
	Status   string
	Message  string
}

// Error returns "association of ENTITY with SHARE is STATUS: MESSAGE".
func (e *AssociationError) Error() string {
	s := fmt.Sprintf("association of %s with %s is %s", e.Entity, e.ShareARN, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// WaitAssociations waits, in the shape of the SDK's waiters, until no
// association of the shares is ASSOCIATING or DISASSOCIATING: it reads
// them at once (every page of GetResourceShareAssociations, for principals
// and resources), then again after delays growing from Options.MinDelay to
// Options.MaxDelay with jitter (smithy-go's waiter.ComputeDelay), for at
// most maxWaitDur ([ErrWaitTimeout]) or until ctx is done. A FAILED
// association is an [*AssociationError], which is terminal.
func (r *Reconciler) WaitAssociations(ctx context.Context, shareARNs []string, maxWaitDur time.Duration) error {
	if len(shareARNs) == 0 {
		return nil
	}
	if maxWaitDur <= 0 {
		return errors.New("wait for associations: maximum wait duration must be greater than zero")
	}
	start := time.Now()
	remaining := maxWaitDur
	for attempt := int64(1); ; attempt++ {
		pending, err := r.pending(ctx, shareARNs)
		if err != nil || pending == "" {
			return err
		}
		remaining = maxWaitDur - time.Since(start)
		if remaining < r.o.MinDelay {
			return fmt.Errorf("wait for the associations of %d shares (%s still pending): %w: reconcile again later", len(shareARNs), pending, ErrWaitTimeout)
		}
		d, err := waiter.ComputeDelay(attempt, r.o.MinDelay, r.o.MaxDelay, remaining)
		if err != nil {
			return fmt.Errorf("wait for the associations: %w", err)
		}
		if err := r.o.sleep(ctx, d); err != nil {
			return fmt.Errorf("wait for the associations (%s still pending): %w", pending, err)
		}
	}
}

// pending reads the associations of the shares and returns one that is
// still changing, or "" when none is.
func (r *Reconciler) pending(ctx context.Context, shareARNs []string) (string, error) {
	var pending string
	var failed error
	// Up to 100 shares are read by ARN; more, and one listing of every
	// share's associations (500 a page) takes fewer calls.
	chunks := slices.Collect(slices.Chunk(shareARNs, maxBatch))
	var keep map[string]bool
	if len(chunks) > 1 {
		chunks, keep = [][]string{nil}, map[string]bool{}
		for _, arn := range shareARNs {
			keep[arn] = true
		}
	}
	for _, kind := range []ramtypes.ResourceShareAssociationType{ramtypes.ResourceShareAssociationTypePrincipal, ramtypes.ResourceShareAssociationTypeResource} {
		for _, chunk := range chunks {
			err := r.associations(ctx, kind, chunk, func(a ramtypes.ResourceShareAssociation) {
				if keep != nil && !keep[aws.ToString(a.ResourceShareArn)] {
					return
				}
				switch a.Status {
				case ramtypes.ResourceShareAssociationStatusAssociating, ramtypes.ResourceShareAssociationStatusDisassociating:
					if pending == "" {
						pending = aws.ToString(a.AssociatedEntity) + " " + string(a.Status)
					}
				case ramtypes.ResourceShareAssociationStatusFailed:
					if failed == nil {
						failed = Terminal(&AssociationError{ShareARN: aws.ToString(a.ResourceShareArn), Entity: aws.ToString(a.AssociatedEntity),
							Status: string(a.Status), Message: aws.ToString(a.StatusMessage)})
					}
				}
			})
			if err != nil {
				return "", err
			}
		}
	}
	return pending, failed
}
