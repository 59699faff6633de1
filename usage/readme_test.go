package usage_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEMonitor keeps the README's example of usage and notify
// identical to monitor, which ExampleScanOrganization_monitor runs against
// the demo organization: the code a reader copies is code that works.
func TestREADMEMonitor(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	example, err := os.ReadFile("example_monitor_test.go")
	require.NoError(t, err)

	_, section, ok := strings.Cut(string(readme), "\n## Using `usage` and `notify`\n")
	require.True(t, ok, "README.md has no section \"Using `usage` and `notify`\"")
	_, block, ok := strings.Cut(section, "\n```go\n")
	require.True(t, ok, "the section has no Go block")
	block, _, ok = strings.Cut(block, "\n```\n")
	require.True(t, ok, "the section's Go block does not end")

	i := strings.Index(string(example), "\nfunc monitor(")
	require.NotEqual(t, -1, i, "example_monitor_test.go has no func monitor")
	fn, _, ok := strings.Cut(string(example)[i+1:], "\n}\n")
	require.True(t, ok, "func monitor does not end")

	assert.Equal(t, fn+"\n}", block, "README.md's example and func monitor of example_monitor_test.go")
}
