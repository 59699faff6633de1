package hierarchy

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every [Problem] wraps one of them, so callers branch with
// [errors.Is] on a [*ValidationError] (which unwraps to all of its problems)
// as well as on a single Problem.
var (
	// ErrSyntax reports YAML that does not parse, a key the spec does not
	// know, or a value of the wrong type.
	ErrSyntax = errors.New("spec syntax")
	// ErrInvalid reports a field whose value is not allowed on its own: an
	// empty name, a CIDR with host bits set, an unknown family or scope.
	ErrInvalid = errors.New("invalid value")
	// ErrDuplicateName reports two sibling pools with the same name.
	ErrDuplicateName = errors.New("duplicate pool name")
	// ErrTooDeep reports a pool deeper than IPAM's limit of 10 levels.
	ErrTooDeep = errors.New("pool too deep")
	// ErrNoFit reports children that do not fit in their parent.
	ErrNoFit = errors.New("not enough space")
	// ErrOverlap reports a CIDR that overlaps a sibling's, another CIDR of
	// the same pool, space the spec disallows, or an allocation in the parent.
	ErrOverlap = errors.New("overlapping CIDRs")
	// ErrOutsideParent reports an explicit CIDR that is not inside its
	// parent's CIDRs.
	ErrOutsideParent = errors.New("CIDR outside its parent")
	// ErrNetmask reports a netmask length out of range for its family, or
	// one that contradicts an allocation rule.
	ErrNetmask = errors.New("netmask length out of range")
	// ErrLocale reports a locale that is not an operating region of the
	// IPAM, or that differs from the parent pool's locale.
	ErrLocale = errors.New("bad locale")
	// ErrPublicScope reports a rule AWS enforces on public-scope and IPv6
	// pools (public IP source, advertisability, Amazon-provided space).
	ErrPublicScope = errors.New("public scope rule")
	// ErrQuota reports more pools than the scope's quota allows.
	ErrQuota = errors.New("pools per scope quota exceeded")
	// ErrConflict reports live state the plan cannot reconcile by itself:
	// two pools claiming one path, or a managed pool whose locale, family
	// or parent differs from the spec (IPAM cannot change those).
	ErrConflict = errors.New("live state conflicts with the spec")
)

// Problem is one thing wrong with a spec, or with a spec against the live
// tree: where it is, what is wrong and what to do about it. Path is the
// pool's path ("/top/us-east-1/prod"), or "" for the spec as a whole; Line is
// the 1-based line in the YAML document when known, else 0. Err is one of
// the package's sentinels.
type Problem struct {
	Path string `json:"path,omitempty"`
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
	Err  error  `json:"-"`
}

// Error returns "line L: PATH: MSG", leaving out what is unknown.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Unwrap returns p.Err.
func (p Problem) Unwrap() error { return p.Err }

// ValidationError holds every problem found in a spec, in a stable order:
// document order for syntax, then tree order (parents before children,
// siblings in spec order). [ParseSpec], [Spec.Validate] and [Plan] return
// it. It unwraps to its problems, so errors.Is(err, ErrNoFit) tells whether
// any problem is a missing-space one.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line, after a count.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("1 problem in the hierarchy spec:")
	} else {
		fmt.Fprintf(&b, "%d problems in the hierarchy spec:", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems as errors.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// problems collects Problems while a spec is checked.
type problems []Problem

func (ps *problems) add(path string, err error, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...), Err: err})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}
