package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits of CloudWatch metric data, shared by [EMF] and [CloudWatch].
const (
	maxDimensions     = 30   // per metric
	maxNameLen        = 255  // metric and dimension names, namespace
	maxDimensionValue = 1024 // dimension values
	emfMaxMetrics     = 100  // metric definitions per directive
	emfMaxValues      = 100  // values per metric per event
	emfMaxEventBytes  = 1 << 20
)

// ErrInvalidMetric is wrapped by the errors of [EMF] and [CloudWatch] for a
// metric that CloudWatch would refuse: an empty or over-long name, a NaN or
// infinite value, more than 30 dimensions, or an empty or over-long
// dimension. Nothing is sent when any metric is invalid.
var ErrInvalidMetric = errors.New("invalid metric")

// EMFOptions configures an [EMF]. The zero value writes to the namespace
// [DefaultNamespace] and stamps metrics without a time with time.Now.
type EMFOptions struct {
	// Namespace is the CloudWatch namespace; empty means DefaultNamespace.
	Namespace string
	// Dimensions are added to every metric, after its own, such as the
	// account and Region of the caller.
	Dimensions []Dimension

	// now stamps metrics whose Time is zero; nil means time.Now.
	// This package's tests pin it.
	now func() time.Time
}

// EMF is a [MetricSink] that writes CloudWatch Embedded Metric Format:
// one JSON object per line on an [io.Writer]. In AWS Lambda, os.Stdout is
// enough: CloudWatch Logs extracts the metrics, with no API call and no
// PutMetricData cost.
//
// Metrics with the same dimensions (names and values, in order) and the same
// timestamp in milliseconds share an event; a metric name repeated there
// becomes an array of values. An event holds at most 100 metric
// definitions and 100 values per metric, within the 1 MB event limit;
// more values start more events. Events come in the order their first metric
// came. An EMF is safe for concurrent use; calls are serialized.
type EMF struct {
	mu   sync.Mutex
	w    io.Writer
	opts EMFOptions
}

// NewEMF returns an EMF that writes to w.
func NewEMF(w io.Writer, optFns ...func(*EMFOptions)) *EMF {
	var o EMFOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.Dimensions = slices.Clone(o.Dimensions)
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.now == nil {
		o.now = time.Now
	}
	return &EMF{w: w, opts: o}
}

// String names the EMF sink in the errors of [Multi].
func (e *EMF) String() string { return "emf" }

// PutMetrics writes ms as EMF events, all in one Write. It returns an error
// wrapping [ErrInvalidMetric], and writes nothing, if any metric is invalid;
// the error lists every invalid metric by index.
func (e *EMF) PutMetrics(_ context.Context, ms []Metric) error {
	if len(ms) == 0 {
		return nil
	}
	groups, err := e.group(ms)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, g := range groups {
		for len(g.series) > 0 {
			n := out.Len()
			g.series = e.writeEvent(&out, g)
			if out.Len()-n > emfMaxEventBytes {
				return fmt.Errorf("emf: event of %d bytes is over the 1 MB limit", out.Len()-n) // unreachable within the validated lengths
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("emf: write: %w", err)
	}
	return nil
}

type emfSeries struct {
	name   string
	unit   Unit
	values []float64
}

type emfGroup struct {
	ms     int64 // timestamp
	dims   []Dimension
	series []*emfSeries
}

// group validates ms and groups them by timestamp and dimensions.
func (e *EMF) group(ms []Metric) ([]*emfGroup, error) {
	var errs []error
	var groups []*emfGroup
	type groupKey struct {
		ms   int64
		dims int // index in dimIDs
	}
	byKey := map[groupKey]*emfGroup{}
	dimIDs := map[string]int{}
	// Metrics often share one Dimensions slice (ResourceMetrics does), so
	// the dimension part of the key is built once per slice.
	var (
		prevOwn  []Dimension
		prevDims []Dimension
		dimID    int
		dimErr   error
		key      strings.Builder
	)
	for i, m := range ms {
		if len(m.Dimensions) == 0 || len(prevOwn) != len(m.Dimensions) || &prevOwn[0] != &m.Dimensions[0] {
			prevOwn, prevDims = m.Dimensions, withDimensions(m.Dimensions, e.opts.Dimensions)
			key.Reset()
			for _, d := range prevDims {
				key.WriteString("\x00" + d.Name + "\x00" + d.Value)
			}
			id, ok := dimIDs[key.String()]
			if !ok {
				id = len(dimIDs)
				dimIDs[key.String()] = id
			}
			dimID = id
			dimErr = validDimensions(prevDims)
		}
		dims := prevDims
		if err := validMetric(m, dims, dimErr); err != nil {
			errs = append(errs, fmt.Errorf("metric %d: %w", i, err))
			continue
		}
		t := m.Time
		if t.IsZero() {
			t = e.opts.now()
		}
		k := groupKey{t.UnixMilli(), dimID}
		g := byKey[k]
		if g == nil {
			g = &emfGroup{ms: k.ms, dims: dims}
			byKey[k] = g
			groups = append(groups, g)
		}
		if err := g.add(m); err != nil {
			errs = append(errs, fmt.Errorf("metric %d: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("emf: %w", errors.Join(errs...))
	}
	return groups, nil
}

func (g *emfGroup) add(m Metric) error {
	for _, d := range g.dims {
		if d.Name == m.Name {
			return fmt.Errorf("%w: metric name %q is also a dimension name", ErrInvalidMetric, m.Name)
		}
	}
	for _, s := range g.series {
		if s.name == m.Name {
			if s.unit != m.Unit {
				return fmt.Errorf("%w: metric %q has units %q and %q in one dimension set", ErrInvalidMetric, m.Name, s.unit, m.Unit)
			}
			s.values = append(s.values, m.Value)
			return nil
		}
	}
	g.series = append(g.series, &emfSeries{name: m.Name, unit: m.Unit, values: []float64{m.Value}})
	return nil
}

// writeEvent writes one event of up to emfMaxMetrics series with up to
// emfMaxValues values each, and returns the series with values left.
func (e *EMF) writeEvent(b *bytes.Buffer, g *emfGroup) []*emfSeries {
	take := g.series[:min(len(g.series), emfMaxMetrics)]
	b.WriteString(`{"_aws":{"Timestamp":`)
	b.WriteString(strconv.FormatInt(g.ms, 10))
	b.WriteString(`,"CloudWatchMetrics":[{"Namespace":`)
	writeJSONString(b, e.opts.Namespace)
	b.WriteString(`,"Dimensions":[[`)
	for i, d := range g.dims {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, d.Name)
	}
	b.WriteString(`]],"Metrics":[`)
	for i, s := range take {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Name":`)
		writeJSONString(b, s.name)
		if s.unit != "" {
			b.WriteString(`,"Unit":`)
			writeJSONString(b, string(s.unit))
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}]}`)
	for _, d := range g.dims {
		b.WriteByte(',')
		writeJSONString(b, d.Name)
		b.WriteByte(':')
		writeJSONString(b, d.Value)
	}
	var rest []*emfSeries
	for _, s := range take {
		b.WriteByte(',')
		writeJSONString(b, s.name)
		b.WriteByte(':')
		n := min(len(s.values), emfMaxValues)
		if n == 1 {
			b.WriteString(strconv.FormatFloat(s.values[0], 'g', -1, 64))
		} else {
			b.WriteByte('[')
			for i, v := range s.values[:n] {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
			b.WriteByte(']')
		}
		if s.values = s.values[n:]; len(s.values) > 0 {
			rest = append(rest, s)
		}
	}
	b.WriteString("}\n")
	return append(rest, g.series[len(take):]...)
}

func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

// withDimensions returns own followed by extra, without aliasing own.
func withDimensions(own, extra []Dimension) []Dimension {
	if len(extra) == 0 {
		return own
	}
	return append(append(make([]Dimension, 0, len(own)+len(extra)), own...), extra...)
}

// validMetric checks m, with its final dimensions, against the limits
// CloudWatch enforces; dimErr is what validDimensions said of dims.
func validMetric(m Metric, dims []Dimension, dimErr error) error {
	switch {
	case m.Name == "" || len(m.Name) > maxNameLen:
		return fmt.Errorf("%w: name %q must be 1 to %d bytes", ErrInvalidMetric, m.Name, maxNameLen)
	case m.Name == "_aws":
		return fmt.Errorf("%w: name %q is reserved", ErrInvalidMetric, m.Name)
	case math.IsNaN(m.Value) || math.IsInf(m.Value, 0):
		return fmt.Errorf("%w: %q has value %v", ErrInvalidMetric, m.Name, m.Value)
	case len(dims) > maxDimensions:
		return fmt.Errorf("%w: %q has %d dimensions, more than %d", ErrInvalidMetric, m.Name, len(dims), maxDimensions)
	case dimErr != nil:
		return fmt.Errorf("%w: %q: %w", ErrInvalidMetric, m.Name, dimErr)
	}
	return nil
}

// validDimensions checks names and values and that no name repeats.
func validDimensions(dims []Dimension) error {
	for i, d := range dims {
		if d.Name == "" || len(d.Name) > maxNameLen || d.Name == "_aws" {
			return fmt.Errorf("dimension name %q must be 1 to %d bytes", d.Name, maxNameLen)
		}
		if d.Value == "" || len(d.Value) > maxDimensionValue {
			return fmt.Errorf("dimension %q must have a value of 1 to %d bytes", d.Name, maxDimensionValue)
		}
		for _, e := range dims[:i] {
			if e.Name == d.Name {
				return fmt.Errorf("dimension %q appears twice", d.Name)
			}
		}
	}
	return nil
}
