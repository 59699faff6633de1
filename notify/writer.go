package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Format selects what a [Writer] writes.
type Format uint8

const (
	// FormatText is human text: alerts through a [Renderer], one line per
	// metric. It is the zero value.
	FormatText Format = iota
	// FormatJSON is JSON lines: one object per alert or metric, in the shape
	// of [Alert] and [Metric].
	FormatJSON
)

// WriterOptions configures a [Writer]. The zero value writes text with
// [DefaultText].
type WriterOptions struct {
	// Format is text (the zero value) or JSON lines.
	Format Format
	// Text renders alerts in FormatText; nil means [DefaultText]. A
	// newline is added when the text does not end with one.
	Text Renderer
}

// Writer is a [Notifier] and a [MetricSink] that writes to an [io.Writer],
// such as os.Stdout or a log file. Each call renders its whole output first
// and hands it to the io.Writer in one Write, so a failed render writes
// nothing. A Writer is safe for concurrent use; calls are serialized.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	opts WriterOptions
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer, optFns ...func(*WriterOptions)) *Writer {
	var o WriterOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Text == nil {
		o.Text = RendererFunc(renderText)
	}
	return &Writer{w: w, opts: o}
}

// String names the Writer in the errors of [Multi].
func (w *Writer) String() string { return "writer" }

// Notify writes a: text ends with a newline, JSON is one line.
func (w *Writer) Notify(_ context.Context, a Alert) error {
	var b bytes.Buffer
	switch w.opts.Format {
	case FormatJSON:
		if err := json.NewEncoder(&b).Encode(a); err != nil {
			return fmt.Errorf("encode alert: %w", err)
		}
	default:
		text, err := w.opts.Text.Render(a)
		if err != nil {
			return err
		}
		b.WriteString(text)
		if b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return w.write(b.Bytes())
}

// PutMetrics writes one line per metric, in order. The text form is
// "Name{Dim=Value,…} value unit time", where the time is RFC 3339 UTC and
// left out when zero.
func (w *Writer) PutMetrics(_ context.Context, ms []Metric) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, m := range ms {
		if w.opts.Format == FormatJSON {
			if err := enc.Encode(m); err != nil {
				return fmt.Errorf("encode metric %q: %w", m.Name, err)
			}
			continue
		}
		b.WriteString(m.Name)
		b.WriteByte('{')
		for i, d := range m.Dimensions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.Name + "=" + d.Value)
		}
		b.WriteString("} ")
		b.WriteString(strconv.FormatFloat(m.Value, 'g', -1, 64))
		if m.Unit != "" {
			b.WriteString(" " + string(m.Unit))
		}
		if !m.Time.IsZero() {
			b.WriteString(" " + m.Time.UTC().Format(time.RFC3339))
		}
		b.WriteByte('\n')
	}
	return w.write(b.Bytes())
}

func (w *Writer) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.w.Write(p); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
