package usage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ipamkit/ipamkit/internal/jsonversion"
	"github.com/ipamkit/ipamkit/notify"
)

// StateVersion identifies one saved version of a [State]'s snapshot, as
// [State.Load] returns it: an S3 ETag, a hash of a file's content. The
// zero StateVersion means "nothing saved yet".
type StateVersion string

// ErrStateConflict is returned by [State.Save] when the snapshot changed
// since the version given: another run saved first. That run has alerted
// on its changes; the caller sends nothing, or loads again and compares
// afresh.
var ErrStateConflict = errors.New("state changed since it was loaded: another run saved first")

// ErrStateUnreadable is wrapped by the error of [State.Load] when the
// saved snapshot exists but cannot be decoded. Load then returns its
// version too, so that a run can start afresh (every finding new) and
// Save over it.
var ErrStateUnreadable = errors.New("state unreadable")

// State keeps the [Snapshot] of the previous run between runs, with a
// compare-and-swap, so that two overlapping runs cannot both alert on the
// same change or overwrite each other's state.
//
// Implementations: [FileState] here, and S3 in package
// github.com/ipamkit/ipamkit/usage/s3state.
type State interface {
	// Load returns the saved snapshot and its version; a nil snapshot and
	// the zero version when nothing was saved yet. A snapshot that cannot
	// be decoded gives its version and an error wrapping
	// ErrStateUnreadable.
	Load(ctx context.Context) (*Snapshot, StateVersion, error)
	// Save stores s if the saved version is still v (the zero version:
	// if nothing is saved yet), and returns the new version. Otherwise it
	// stores nothing and returns an error wrapping ErrStateConflict.
	Save(ctx context.Context, s Snapshot, v StateVersion) (StateVersion, error)
}

// SnapshotFormatVersion is the version of the JSON form of a [Snapshot],
// written as its "formatVersion" member; it changes only when a member is
// removed or changes meaning.
const SnapshotFormatVersion = 1

// snapshotJSON is the compact form of a Snapshot: short keys, and only
// what a comparison needs.
type snapshotJSON struct {
	Saved    time.Time             `json:"saved,omitzero"`
	Findings []snapshotFindingJSON `json:"findings"`
}

type snapshotFindingJSON struct {
	Source         Source          `json:"src"`
	AccountID      string          `json:"acct"`
	Region         string          `json:"region"`
	Type           ResourceType    `json:"type"`
	ID             string          `json:"id"`
	CIDR           netip.Prefix    `json:"cidr,omitzero"`
	Name           string          `json:"name,omitempty"`
	Severity       notify.Severity `json:"sev"`
	Threshold      float64         `json:"thr"`
	Percent        float64         `json:"pct"`
	ExhaustsWithin int             `json:"days,omitempty"`
	Since          time.Time       `json:"since,omitzero"`
	Reminded       time.Time       `json:"reminded,omitzero"`
}

// MarshalJSON encodes s compactly, after a "formatVersion" member holding
// [SnapshotFormatVersion]: {"saved", "findings": [{"src", "acct",
// "region", "type", "id", "cidr", "name", "sev", "thr", "pct", "days",
// "since", "reminded"}]}, the findings in their order; "days" (the
// exhaustion step reached) only when there is one.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	v := snapshotJSON{Saved: s.Saved, Findings: make([]snapshotFindingJSON, len(s.Findings))}
	for i, f := range s.Findings {
		v.Findings[i] = snapshotFindingJSON(f)
	}
	return jsonversion.Marshal(SnapshotFormatVersion, v)
}

// UnmarshalJSON decodes what [Snapshot.MarshalJSON] writes. It refuses a
// formatVersion newer than [SnapshotFormatVersion], and a finding without
// an ID or with a severity other than warning or critical.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	if err := jsonversion.Check("state", b, SnapshotFormatVersion); err != nil {
		return err
	}
	var v snapshotJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	out := Snapshot{Saved: v.Saved, Findings: make([]SnapshotFinding, len(v.Findings))}
	for i, f := range v.Findings {
		if f.ID == "" {
			return fmt.Errorf("state finding %d: no resource ID", i+1)
		}
		if f.Severity != notify.Warning && f.Severity != notify.Critical {
			return fmt.Errorf("state finding %d (%q): severity %s: want warning or critical", i+1, f.ID, f.Severity)
		}
		out.Findings[i] = SnapshotFinding(f)
	}
	*s = out
	return nil
}

// ParseSnapshot decodes a snapshot that [Snapshot.MarshalJSON] wrote. Its
// error wraps ErrStateUnreadable.
func ParseSnapshot(b []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: %w (the next run starts afresh and reports every finding as new)", ErrStateUnreadable, err)
	}
	return &s, nil
}

// FileState is a [State] kept in a local file, as `ipamctl usage --state
// FILE` uses it. Its version is the SHA-256 of the file's content; Save
// writes a temporary file beside it and renames it over the old one,
// holding a lock file (FILE.lock, created exclusively) while it compares
// and renames, so that two processes on one machine cannot both save
// over the same version. A lock held by another process, or left by a
// crashed one, is reported by name in Save's error, which then does not
// wrap ErrStateConflict: the run alerts rather than falls silent.
//
// A FileState is safe for concurrent use.
type FileState struct {
	path string
	mu   sync.Mutex // within one process; the lock file across processes
}

// NewFileState returns the state kept in the file at path. The file need
// not exist; its directory must, when Save is called.
func NewFileState(path string) *FileState { return &FileState{path: path} }

// Load reads the file. A missing file is nothing saved yet.
func (f *FileState) Load(ctx context.Context) (*Snapshot, StateVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	s, err := ParseSnapshot(b)
	if err != nil {
		return nil, contentVersion(b), fmt.Errorf("state file %q: %w", f.path, err)
	}
	return s, contentVersion(b), nil
}

// Save writes s if the file still holds version v (or, for the zero
// version, does not exist), and returns the new version. Otherwise it
// returns an error wrapping ErrStateConflict.
func (f *FileState) Save(ctx context.Context, s Snapshot, v StateVersion) (StateVersion, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	lock := f.path + ".lock"
	lf, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("state file %q: locked by another run: %q exists (remove it if no run is going on)", f.path, lock)
	}
	if err != nil {
		return "", fmt.Errorf("state file %q: lock: %w", f.path, err)
	}
	_ = lf.Close()
	defer os.Remove(lock)

	cur, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if v != "" {
			return "", fmt.Errorf("state file %q was removed since it was loaded: %w", f.path, ErrStateConflict)
		}
	case err != nil:
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	case contentVersion(cur) != v:
		return "", fmt.Errorf("state file %q: %w", f.path, ErrStateConflict)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, nothing is there
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return "", fmt.Errorf("state file %q: %w", f.path, err)
	}
	return contentVersion(b), nil
}

// contentVersion is the version of a file's content: its SHA-256.
func contentVersion(b []byte) StateVersion {
	sum := sha256.Sum256(b)
	return StateVersion(hex.EncodeToString(sum[:]))
}

// MemoryState is a [State] kept in memory, for tests and for programs
// that run many scans in one process. The zero value holds nothing; it is
// safe for concurrent use.
type MemoryState struct {
	mu  sync.Mutex
	b   []byte
	seq int
}

// Load returns a copy of the saved snapshot.
func (m *MemoryState) Load(ctx context.Context) (*Snapshot, StateVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.b == nil {
		return nil, "", ctx.Err()
	}
	s, err := ParseSnapshot(m.b)
	if err != nil {
		return nil, StateVersion(fmt.Sprint(m.seq)), err
	}
	return s, StateVersion(fmt.Sprint(m.seq)), ctx.Err()
}

// Save stores a copy of s if v is still the saved version.
func (m *MemoryState) Save(ctx context.Context, s Snapshot, v StateVersion) (StateVersion, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := StateVersion("")
	if m.b != nil {
		cur = StateVersion(fmt.Sprint(m.seq))
	}
	if cur != v {
		return "", ErrStateConflict
	}
	m.seq++
	m.b = slices.Clone(b)
	return StateVersion(fmt.Sprint(m.seq)), nil
}
