package ctxsleep

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Sleep(t.Context(), time.Nanosecond), "a short wait ends")
	assert.NoError(t, Sleep(t.Context(), 0), "no wait")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled, "a done context ends an hour's wait at once")
	assert.ErrorIs(t, Sleep(ctx, 0), context.Canceled)
}
