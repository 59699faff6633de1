package share

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEventFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Event
	}{
		{"create-succeeded.json", Event{ID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", Name: EventCreateManagedAccount, AccountID: "111122223333", AccountName: "team-a-prod",
			OUID: "ou-ab12-cdef3456", OUName: "Workloads", State: StateSucceeded, Message: "AWS Control Tower successfully created a managed account.",
			Completed: time.Date(2026, 3, 2, 10, 15, 29, 0, time.UTC)}},
		{"update-succeeded.json", Event{ID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", Name: EventUpdateManagedAccount, AccountID: "111122223333", AccountName: "team-a-prod",
			OUID: "ou-ab12-9876zyxw", OUName: "Sandbox", State: StateSucceeded, Message: "AWS Control Tower successfully updated a managed account.",
			Completed: time.Date(2026, 3, 5, 8, 21, 40, 0, time.UTC)}},
		{"create-failed.json", Event{ID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", Name: EventCreateManagedAccount, AccountID: "111122223333", AccountName: "team-a-prod",
			OUID: "ou-ab12-cdef3456", OUName: "Workloads", State: StateFailed, Message: "AWS Control Tower failed to create a managed account.",
			Completed: time.Date(2026, 3, 2, 10, 15, 29, 0, time.UTC)}},
		{"create-leading-zero.json", Event{ID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", Name: EventCreateManagedAccount, AccountID: "012345678901", AccountName: "team-a-prod",
			OUID: "ou-ab12-cdef3456", OUName: "Workloads", State: StateSucceeded, Message: "AWS Control Tower successfully created a managed account.",
			Completed: time.Date(2026, 3, 2, 10, 15, 29, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata/events", tt.file))
			require.NoError(t, err)
			got, err := ParseEvent(b)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseEvent(%s)", tt.file)
			assert.Equal(t, tt.want.State == StateSucceeded, got.Succeeded())
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("testdata/events/create-succeeded.json")
	require.NoError(t, err)
	edit := func(old, repl string) string {
		require.Contains(t, string(good), old)
		return strings.Replace(string(good), old, repl, 1)
	}
	const status = "detail.serviceEventDetails.createManagedAccountStatus"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "malformed Control Tower event: not a JSON object: EOF"},
		{"not JSON", "{", "malformed Control Tower event: not a JSON object: unexpected EOF"},
		{"null", "null", "malformed Control Tower event: source: missing"},
		{"array", "[]", "malformed Control Tower event: not a JSON object: it is a JSON array"},
		{"other source", edit(`"source": "aws.controltower"`, `"source": "aws.ec2"`), `malformed Control Tower event: source: "aws.ec2" is not aws.controltower: route only Control Tower events here`},
		{"no detail", `{"source":"aws.controltower"}`, "malformed Control Tower event: detail: missing"},
		{"other event", edit(`"eventName": "CreateManagedAccount"`, `"eventName": "CreateAccount"`), `malformed Control Tower event: detail.eventName: "CreateAccount" is neither CreateManagedAccount nor UpdateManagedAccount`},
		{"wrong status key", edit(`"createManagedAccountStatus"`, `"updateManagedAccountStatus"`), "malformed Control Tower event: " + status + ": missing"},
		{"no account ID", edit(`"accountId": "111122223333"`, `"id": "111122223333"`), "malformed Control Tower event: " + status + ".account.accountId: missing"},
		{"account ID a number", edit(`"accountId": "111122223333"`, `"accountId": 111122223333`), "malformed Control Tower event: " + status + ".account.accountId: is a JSON number, want a string"},
		{"leading zero lost", edit(`"accountId": "111122223333"`, `"accountId": "12345678901"`), `malformed Control Tower event: ` + status + `.account.accountId: "12345678901" is not 12 digits`},
		{"no state", edit(`"state": "SUCCEEDED",`, ``), "malformed Control Tower event: " + status + ".state: missing"},
		{"odd state", edit(`"state": "SUCCEEDED"`, `"state": "IN_PROGRESS"`), `malformed Control Tower event: ` + status + `.state: "IN_PROGRESS" is neither SUCCEEDED nor FAILED`},
		{"no OU", edit(`"organizationalUnitId": "ou-ab12-cdef3456"`, `"id": "ou-ab12-cdef3456"`), "malformed Control Tower event: " + status + ".organizationalUnit.organizationalUnitId: missing"},
		{"bad time", edit(`"2026-03-02T10:15:29+0000"`, `"yesterday"`), `malformed Control Tower event: ` + status + `.completedTimestamp: "yesterday" is not a time like 2026-03-02T10:15:29+0000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEvent([]byte(tt.in))
			require.ErrorIs(t, err, ErrMalformedEvent)
			var ee *EventError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tt.want, err.Error())
			assert.True(t, IsTerminal(err), "a malformed event is never retried")
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	for _, name := range []string{"create-succeeded.json", "update-succeeded.json", "create-failed.json", "create-leading-zero.json"} {
		b, err := os.ReadFile(filepath.Join("testdata/events", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"source":"aws.controltower","detail":{"eventName":"UpdateManagedAccount","serviceEventDetails":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEvent(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedEvent) {
				t.Fatalf("ParseEvent: %v does not wrap ErrMalformedEvent", err)
			}
			return
		}
		if !accountIDPattern.MatchString(e.AccountID) {
			t.Fatalf("ParseEvent accepted account ID %q", e.AccountID)
		}
		if e.Name != EventCreateManagedAccount && e.Name != EventUpdateManagedAccount {
			t.Fatalf("ParseEvent accepted event %q", e.Name)
		}
		if e.Succeeded() && e.OUID == "" {
			t.Fatal("ParseEvent accepted a SUCCEEDED event without an OU")
		}
	})
}
