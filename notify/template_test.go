package notify

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultTextTemplate checks that the templates render the golden files
// DefaultText and DefaultSubject render: callers may start from them.
func TestDefaultTextTemplate(t *testing.T) {
	t.Parallel()
	for _, tt := range textTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MustParseTemplate(DefaultTextTemplate).Render(tt.alert())
			require.NoError(t, err)
			golden(t, "text-"+tt.name+".golden", []byte(got))
			subject, err := MustParseTemplate(DefaultSubjectTemplate).Render(tt.alert())
			require.NoError(t, err)
			assert.Equal(t, DefaultSubject(tt.alert()), subject)
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	_, err := ParseTemplate("{{.Title")
	require.Error(t, err)
	tmpl := MustParseTemplate("{{.Nope}}")
	_, err = tmpl.Render(Alert{})
	require.Error(t, err)
	got, err := MustParseTemplate(`{{range first 1 .Worst}}{{.ID}}{{end}} +{{more 1 .Resources}}`).Render(testAlert())
	require.NoError(t, err)
	assert.Equal(t, "vpc-0bbb +2", got)
}
