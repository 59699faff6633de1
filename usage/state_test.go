package usage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleSnapshot() Snapshot {
	return Snapshot{Saved: run2, Findings: []SnapshotFinding{{
		Source: SourceEC2, AccountID: "012345678901", Region: "us-east-1", Type: TypeSubnet, ID: "subnet-0abc",
		CIDR: ipam.MustParseCIDR("10.0.1.0/24"), Name: "app", Severity: notify.Critical, Threshold: 80, Percent: 95.6,
		Since: run1, Reminded: run2,
	}}}
}

func TestSnapshotJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(sampleSnapshot())
	require.NoError(t, err)
	assert.JSONEq(t, `{"formatVersion":1,"saved":"2026-11-30T09:00:00Z","findings":[{"src":"ec2","acct":"012345678901","region":"us-east-1","type":"subnet","id":"subnet-0abc","cidr":"10.0.1.0/24","name":"app","sev":"critical","thr":80,"pct":95.6,"since":"2026-11-30T08:00:00Z","reminded":"2026-11-30T09:00:00Z"}]}`, string(b))
	got, err := ParseSnapshot(b)
	require.NoError(t, err)
	assert.Equal(t, sampleSnapshot(), *got)

	for _, bad := range []string{
		`{"formatVersion":2,"findings":[]}`,
		`{"findings":[{"sev":"critical"}]}`,
		`{"findings":[{"id":"x","sev":"info"}]}`,
		`[]`,
		``,
	} {
		_, err := ParseSnapshot([]byte(bad))
		require.ErrorIs(t, err, ErrStateUnreadable, "ParseSnapshot(%q)", bad)
	}
}

func FuzzParseSnapshot(f *testing.F) {
	b, _ := json.Marshal(sampleSnapshot())
	f.Add(b)
	f.Add([]byte(`{"findings":[]}`))
	f.Add([]byte(`{"formatVersion":1,"findings":[{"id":"x","sev":"warning","cidr":"::/0"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSnapshot(b)
		if err != nil {
			require.ErrorIs(t, err, ErrStateUnreadable)
			return
		}
		// What parses round-trips.
		again, err := json.Marshal(*s)
		require.NoError(t, err)
		s2, err := ParseSnapshot(again)
		require.NoError(t, err)
		require.Equal(t, len(s.Findings), len(s2.Findings))
		for i := range s.Findings {
			require.Equal(t, s.Findings[i].Key(), s2.Findings[i].Key())
			require.Equal(t, s.Findings[i].Severity, s2.Findings[i].Severity)
		}
	})
}

func TestFileState(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "state.json")
	st := NewFileState(path)

	s, v, err := st.Load(ctx)
	require.NoError(t, err)
	assert.Nil(t, s, "nothing saved yet")
	assert.Empty(t, v)

	v1, err := st.Save(ctx, sampleSnapshot(), "")
	require.NoError(t, err)
	_, err = st.Save(ctx, Snapshot{}, "")
	require.ErrorIs(t, err, ErrStateConflict, "a second first save")

	s, v, err = st.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, v1, v)
	assert.Equal(t, sampleSnapshot(), *s)

	v2, err := st.Save(ctx, Snapshot{Saved: run2}, v1)
	require.NoError(t, err)
	assert.NotEqual(t, v1, v2)
	_, err = st.Save(ctx, Snapshot{}, v1)
	require.ErrorIs(t, err, ErrStateConflict, "a save over a stale version")

	// Another process holds the lock: reported by name, not a conflict.
	require.NoError(t, os.WriteFile(path+".lock", nil, 0o600))
	_, err = st.Save(ctx, Snapshot{}, v2)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrStateConflict)
	assert.ErrorContains(t, err, path+".lock")
	require.NoError(t, os.Remove(path+".lock"))

	// A damaged file: its version comes back, so a run can save over it.
	require.NoError(t, os.WriteFile(path, []byte("{damaged"), 0o600))
	_, v, err = st.Load(ctx)
	require.ErrorIs(t, err, ErrStateUnreadable)
	assert.ErrorContains(t, err, path)
	_, err = st.Save(ctx, sampleSnapshot(), v)
	require.NoError(t, err)

	// Removed since loaded.
	require.NoError(t, os.Remove(path))
	_, err = st.Save(ctx, sampleSnapshot(), v)
	require.ErrorIs(t, err, ErrStateConflict)

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Empty(t, entries, "no temporary or lock file left behind")
}

func TestFileStateNoDirectory(t *testing.T) {
	t.Parallel()
	st := NewFileState(filepath.Join(t.TempDir(), "missing", "state.json"))
	_, err := st.Save(t.Context(), Snapshot{}, "")
	require.Error(t, err)
	assert.ErrorContains(t, err, "missing")
}

func TestFileStateConcurrentSaves(t *testing.T) {
	t.Parallel()
	st := NewFileState(filepath.Join(t.TempDir(), "state.json"))
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := st.Save(context.WithoutCancel(t.Context()), sampleSnapshot(), "")
			errs <- err
		}()
	}
	won := 0
	for range n {
		if err := <-errs; err == nil {
			won++
		} else {
			require.ErrorIs(t, err, ErrStateConflict)
		}
	}
	assert.Equal(t, 1, won, "exactly one first save wins")
}
