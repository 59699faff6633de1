package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipamkit/ipamkit/usage"
)

// manifest is the manifest.json a Map state's ResultWriter writes: the
// result files of the child executions, by status.
type manifest struct {
	DestinationBucket string `json:"DestinationBucket"`
	MapRunARN         string `json:"MapRunArn"`
	ResultFiles       struct {
		SUCCEEDED []resultFile `json:"SUCCEEDED"`
		FAILED    []resultFile `json:"FAILED"`
		PENDING   []resultFile `json:"PENDING"`
	} `json:"ResultFiles"`
}

// resultFile is one file of a manifest.
type resultFile struct {
	Key  string `json:"Key"`
	Size int64  `json:"Size"`
}

// result is one child execution in a result file (SUCCEEDED_n.json,
// FAILED_n.json, PENDING_n.json): its input and output are JSON text in
// strings; Error and Cause are set when it failed.
type result struct {
	ExecutionARN string `json:"ExecutionArn"`
	Name         string `json:"Name"`
	Status       string `json:"Status"` // SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING
	Input        string `json:"Input"`
	Output       string `json:"Output"`
	stateError
}

// name names r in messages: its execution's name, or its ARN.
func (r result) name() string {
	if r.Name != "" {
		return "child execution " + r.Name
	}
	return "child execution " + r.ExecutionARN
}

// readItems reads the list step's items.
func (h *handler) readItems(ctx context.Context, bucket, key string) ([]usage.ScanItem, error) {
	if !strings.HasPrefix(key, targetsPrefix) {
		return nil, fmt.Errorf("merge: targets key %q: want the list step's key, under %s", key, targetsPrefix)
	}
	body, err := h.get(ctx, bucket, key)
	if err != nil {
		return nil, fmt.Errorf("merge: targets: %w", err)
	}
	defer body.Close()
	var items []usage.ScanItem
	if err := json.NewDecoder(body).Decode(&items); err != nil {
		return nil, fmt.Errorf("merge: targets %q in bucket %s: %w", key, bucket, err)
	}
	return items, nil
}

// readResults reads the manifest at key and calls fn with every child
// execution of its result files, in the manifest's order, a file at a
// time: memory holds one result, not the map's.
func (h *handler) readResults(ctx context.Context, bucket, key string, fn func(result) error) error {
	if !strings.HasPrefix(key, resultsPrefix) {
		return fmt.Errorf("merge: manifest key %q: want the ResultWriter's, under %s", key, resultsPrefix)
	}
	body, err := h.get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("merge: manifest: %w", err)
	}
	var m manifest
	err = json.NewDecoder(body).Decode(&m)
	body.Close()
	if err != nil {
		return fmt.Errorf("merge: manifest %q in bucket %s: %w", key, bucket, err)
	}
	files := append(append(append([]resultFile(nil), m.ResultFiles.SUCCEEDED...), m.ResultFiles.FAILED...), m.ResultFiles.PENDING...)
	for _, f := range files {
		if err := h.readResultFile(ctx, bucket, f.Key, fn); err != nil {
			return err
		}
	}
	return nil
}

// readResultFile streams the JSON array of results at key to fn.
func (h *handler) readResultFile(ctx context.Context, bucket, key string, fn func(result) error) error {
	if !strings.HasPrefix(key, resultsPrefix) {
		return fmt.Errorf("merge: result file %q: want a key under %s", key, resultsPrefix)
	}
	body, err := h.get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("merge: result file: %w", err)
	}
	defer body.Close()
	dec := json.NewDecoder(body)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("merge: result file %q in bucket %s: want a JSON array of child executions", key, bucket)
	}
	for dec.More() {
		var r result
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("merge: result file %q in bucket %s: %w", key, bucket, err)
		}
		if err := fn(r); err != nil {
			return fmt.Errorf("merge: result file %q in bucket %s: %w", key, bucket, err)
		}
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("merge: result file %q in bucket %s: %w", key, bucket, err)
	}
	return nil
}

// batchReport returns the report of a child execution that succeeded:
// inline in its output, or in the object its output names.
func (h *handler) batchReport(ctx context.Context, r result) (usage.Report, error) {
	var out batchOutput
	if err := json.Unmarshal([]byte(r.Output), &out); err != nil {
		return usage.Report{}, fmt.Errorf("output of %s: %w", r.name(), err)
	}
	switch {
	case out.Report != nil:
		return *out.Report, nil
	case out.ReportKey == "":
		return usage.Report{}, fmt.Errorf("output of %s: neither a report nor a report key", r.name())
	case !strings.HasPrefix(out.ReportKey, partialPrefix):
		return usage.Report{}, fmt.Errorf("output of %s: report key %q: want a key under %s", r.name(), out.ReportKey, partialPrefix)
	}
	body, err := h.get(ctx, h.cfg.Bucket, out.ReportKey)
	if err != nil {
		return usage.Report{}, fmt.Errorf("report of %s: %w", r.name(), err)
	}
	defer body.Close()
	var rep usage.Report
	if err := json.NewDecoder(body).Decode(&rep); err != nil {
		return usage.Report{}, fmt.Errorf("report of %s, %q in bucket %s: %w", r.name(), out.ReportKey, h.cfg.Bucket, err)
	}
	return rep, nil
}

// itemSet is a multiset of scan items: the items of a run that no batch
// has accounted for yet.
type itemSet struct {
	order []usage.ScanItem
	count map[string]int
}

func itemKey(it usage.ScanItem) string { return it.String() }

func newItemSet(items []usage.ScanItem) *itemSet {
	s := &itemSet{order: items, count: make(map[string]int, len(items))}
	for _, it := range items {
		s.count[itemKey(it)]++
	}
	return s
}

// remove accounts for items.
func (s *itemSet) remove(items []usage.ScanItem) {
	for _, it := range items {
		if k := itemKey(it); s.count[k] > 0 {
			s.count[k]--
		}
	}
}

// items returns the items not accounted for, in the list's order.
func (s *itemSet) items() []usage.ScanItem {
	var out []usage.ScanItem
	left := make(map[string]int, len(s.count))
	for k, n := range s.count {
		left[k] = n
	}
	for _, it := range s.order {
		if k := itemKey(it); left[k] > 0 {
			left[k]--
			out = append(out, it)
		}
	}
	return out
}
