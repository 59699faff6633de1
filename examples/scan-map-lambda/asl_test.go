package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/ipamkit/ipamkit/internal/cfntest"
)

// This file is a local runner of the state machine of
// examples/deploy/scan-map.yaml: it reads the Amazon States Language from
// the template, as written there, and runs it against the functions'
// handlers in-process, with the subset of the language the definition
// uses: Task states that invoke a Lambda function (lambda:invoke, with
// Parameters, ResultPath, OutputPath and Catch), and a distributed Map
// state with an S3 JSON ItemReader, an ItemBatcher (MaxItemsPerBatch,
// MaxInputBytesPerBatch, BatchInput), MaxConcurrency,
// ToleratedFailurePercentage and a ResultWriter that writes AWS's layout
// (manifest.json, SUCCEEDED_0.json, FAILED_0.json). Retries are not
// run: a failure here is final, as after the last retry.

// aslMachine is a state machine definition, or a Map state's processor.
type aslMachine struct {
	StartAt string              `json:"StartAt"`
	States  map[string]aslState `json:"States"`
}

// aslState is one state, with the fields the runner reads.
type aslState struct {
	Type       string         `json:"Type"`
	Resource   string         `json:"Resource"`
	Parameters map[string]any `json:"Parameters"`
	ResultPath *string        `json:"ResultPath"`
	OutputPath *string        `json:"OutputPath"`
	Next       string         `json:"Next"`
	End        bool           `json:"End"`
	Catch      []struct {
		ErrorEquals []string `json:"ErrorEquals"`
		ResultPath  *string  `json:"ResultPath"`
		Next        string   `json:"Next"`
	} `json:"Catch"`

	ItemReader *struct {
		Resource     string                     `json:"Resource"`
		ReaderConfig struct{ InputType string } `json:"ReaderConfig"`
		Parameters   map[string]any             `json:"Parameters"`
	} `json:"ItemReader"`
	ItemBatcher *struct {
		MaxItemsPerBatch      int            `json:"MaxItemsPerBatch"`
		MaxInputBytesPerBatch int            `json:"MaxInputBytesPerBatch"`
		BatchInput            map[string]any `json:"BatchInput"`
	} `json:"ItemBatcher"`
	MaxConcurrency             int     `json:"MaxConcurrency"`
	ToleratedFailurePercentage float64 `json:"ToleratedFailurePercentage"`
	ItemProcessor              *struct {
		ProcessorConfig struct{ Mode, ExecutionType string } `json:"ProcessorConfig"`
		aslMachine
	} `json:"ItemProcessor"`
	ResultWriter *struct {
		Resource   string         `json:"Resource"`
		Parameters map[string]any `json:"Parameters"`
	} `json:"ResultWriter"`
}

// subVar is a variable of Fn::Sub.
var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// loadDefinition reads the state machine's DefinitionString from the
// template and substitutes its Fn::Sub variables with vars, failing t on
// a variable vars does not name.
func loadDefinition(t *testing.T, file string, vars map[string]string) aslMachine {
	t.Helper()
	def := cfntest.Path(cfntest.Load(t, file), "Resources", "StateMachine", "Properties", "DefinitionString")
	require.NotNil(t, def, "the state machine has a DefinitionString")
	require.Equal(t, "!Sub", def.Tag, "the DefinitionString is a !Sub")
	var missing []string
	text := subVar.ReplaceAllStringFunc(def.Value, func(m string) string {
		name := subVar.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	require.Empty(t, missing, "variables of the definition the test does not give")
	var m aslMachine
	require.NoError(t, json.Unmarshal([]byte(text), &m), "the definition is JSON")
	return m
}

// lambdaFunc is a function the runner invokes: its handler, with the
// event and result as JSON.
type lambdaFunc func(ctx context.Context, event json.RawMessage) (json.RawMessage, error)

// typed adapts a typed handler, as lambda.Start takes it, to a lambdaFunc.
func typed[In, Out any](h func(context.Context, In) (Out, error)) lambdaFunc {
	return func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		var in In
		if err := json.Unmarshal(event, &in); err != nil {
			return nil, err
		}
		out, err := h(ctx, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
}

// runner runs a definition. Its fields are set before run and read after.
type runner struct {
	def       aslMachine
	functions map[string]lambdaFunc // by FunctionName
	s3        *memS3Client          // the state machine's own S3 calls
	// failChild makes the child execution of the batch at index fail, as
	// a Lambda that crashed past its retries does.
	failChild func(index int) bool

	mu       sync.Mutex
	actions  map[string]bool              // IAM actions of the state machine's role
	events   map[string][]json.RawMessage // events each function got
	inFlight atomic.Int32
	maxSeen  atomic.Int32 // the most child executions at once
	batches  [][]json.RawMessage
}

// taskError is the error of a state: its name and cause, as a Catch
// records them.
type taskError struct{ name, cause string }

func (e *taskError) Error() string { return e.name + ": " + e.cause }

func (r *runner) record(action string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.actions == nil {
		r.actions = map[string]bool{}
	}
	r.actions[action] = true
}

// run runs the definition as the execution name, with input, and returns
// its output.
func (r *runner) run(ctx context.Context, name string, input any) (json.RawMessage, error) {
	in, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	return r.runMachine(ctx, r.def, name, in)
}

func (r *runner) runMachine(ctx context.Context, m aslMachine, execution string, input json.RawMessage) (json.RawMessage, error) {
	doc := input
	for name := m.StartAt; ; {
		st, ok := m.States[name]
		if !ok {
			return nil, fmt.Errorf("no state %q", name)
		}
		var result json.RawMessage
		var err error
		switch st.Type {
		case "Task":
			result, err = r.task(ctx, st, execution, doc)
		case "Map":
			result, err = r.mapState(ctx, st, execution, doc)
		default:
			return nil, fmt.Errorf("state %s: the runner does not know type %s", name, st.Type)
		}
		if err != nil {
			var te *taskError
			if !errors.As(err, &te) {
				return nil, err
			}
			next, path, caught := catch(st, te.name)
			if !caught {
				return nil, err
			}
			cause, _ := json.Marshal(map[string]string{"Error": te.name, "Cause": te.cause})
			if doc, err = setPath(doc, path, cause); err != nil {
				return nil, fmt.Errorf("state %s: %w", name, err)
			}
			name = next
			continue
		}
		if doc, err = setPath(doc, st.ResultPath, result); err != nil {
			return nil, fmt.Errorf("state %s: %w", name, err)
		}
		if st.OutputPath != nil {
			if doc, err = getPath(doc, *st.OutputPath); err != nil {
				return nil, fmt.Errorf("state %s: %w", name, err)
			}
		}
		if st.End {
			return doc, nil
		}
		name = st.Next
	}
}

// catch returns the Catch of st that takes the error named name.
func catch(st aslState, name string) (next string, resultPath *string, ok bool) {
	for _, c := range st.Catch {
		if slices.Contains(c.ErrorEquals, "States.ALL") || slices.Contains(c.ErrorEquals, name) {
			return c.Next, c.ResultPath, true
		}
	}
	return "", nil, false
}

// task invokes the Lambda function of a lambda:invoke Task and returns
// the integration's result, {"Payload": ..., "StatusCode": 200}.
func (r *runner) task(ctx context.Context, st aslState, execution string, doc json.RawMessage) (json.RawMessage, error) {
	if !strings.HasSuffix(st.Resource, ":states:::lambda:invoke") {
		return nil, fmt.Errorf("resource %s: the runner invokes Lambda functions only", st.Resource)
	}
	params, err := resolve(st.Parameters, doc, execution)
	if err != nil {
		return nil, err
	}
	p := params.(map[string]any)
	name, _ := p["FunctionName"].(string)
	fn, ok := r.functions[name]
	if !ok {
		return nil, fmt.Errorf("no function %q", name)
	}
	event, err := json.Marshal(p["Payload"])
	if err != nil {
		return nil, err
	}
	r.record("lambda:InvokeFunction")
	r.mu.Lock()
	if r.events == nil {
		r.events = map[string][]json.RawMessage{}
	}
	r.events[name] = append(r.events[name], event)
	r.mu.Unlock()
	out, err := fn(ctx, event)
	if err != nil {
		// As Lambda reports a function's error: its type and message.
		return nil, &taskError{name: "Error", cause: err.Error()}
	}
	return json.Marshal(map[string]any{"Payload": json.RawMessage(out), "StatusCode": 200})
}

// childResult is one child execution in a ResultWriter's file.
type childResult struct {
	ExecutionArn string `json:"ExecutionArn"`
	Name         string `json:"Name"`
	Status       string `json:"Status"`
	Input        string `json:"Input"`
	Output       string `json:"Output,omitempty"`
	Error        string `json:"Error,omitempty"`
	Cause        string `json:"Cause,omitempty"`
}

// mapState runs a distributed Map state.
func (r *runner) mapState(ctx context.Context, st aslState, execution string, doc json.RawMessage) (json.RawMessage, error) {
	if st.ItemReader == nil || st.ItemBatcher == nil || st.ItemProcessor == nil || st.ResultWriter == nil {
		return nil, errors.New("the runner runs a distributed map with an ItemReader, ItemBatcher, ItemProcessor and ResultWriter")
	}
	if st.ItemProcessor.ProcessorConfig.Mode != "DISTRIBUTED" || st.ItemReader.ReaderConfig.InputType != "JSON" {
		return nil, errors.New("the runner runs a DISTRIBUTED map over a JSON array")
	}
	// The ItemReader.
	rp, err := resolve(st.ItemReader.Parameters, doc, execution)
	if err != nil {
		return nil, err
	}
	loc := rp.(map[string]any)
	bucket, key := loc["Bucket"].(string), loc["Key"].(string)
	out, err := r.s3.GetObject(ctx, s3Get(bucket, key))
	if err != nil {
		return nil, &taskError{name: "States.ItemReaderFailed", cause: err.Error()}
	}
	var items []json.RawMessage
	if err := json.NewDecoder(out.Body).Decode(&items); err != nil {
		return nil, &taskError{name: "States.ItemReaderFailed", cause: err.Error()}
	}
	// The ItemBatcher.
	bi, err := resolve(st.ItemBatcher.BatchInput, doc, execution)
	if err != nil {
		return nil, err
	}
	var batches [][]json.RawMessage
	size := 0
	for _, it := range items {
		n := len(batches)
		if n == 0 || len(batches[n-1]) == st.ItemBatcher.MaxItemsPerBatch ||
			(st.ItemBatcher.MaxInputBytesPerBatch > 0 && size+len(it)+1 > st.ItemBatcher.MaxInputBytesPerBatch) {
			batches, size = append(batches, nil), 2 // "[]"
			n++
		}
		batches[n-1] = append(batches[n-1], it)
		size += len(it) + 1
	}
	r.batches = batches
	// The children, at most MaxConcurrency at once.
	results := make([]childResult, len(batches))
	var g errgroup.Group
	if st.MaxConcurrency > 0 {
		g.SetLimit(st.MaxConcurrency)
	}
	for i, batch := range batches {
		g.Go(func() error {
			n := r.inFlight.Add(1)
			defer r.inFlight.Add(-1)
			for {
				m := r.maxSeen.Load()
				if n <= m || r.maxSeen.CompareAndSwap(m, n) {
					break
				}
			}
			r.record("states:StartExecution")
			child := fmt.Sprintf("%s-%d", execution, i)
			input, err := json.Marshal(map[string]any{"Items": batch, "BatchInput": bi})
			if err != nil {
				return err
			}
			res := childResult{ExecutionArn: "arn:aws:states:us-east-1:222222222222:express:scan-map/ScanBatches:" + child, Name: child, Input: string(input)}
			if r.failChild != nil && r.failChild(i) {
				res.Status, res.Error, res.Cause = "FAILED", "Runtime.ExitError", "RequestId: 0: Error: Runtime exited with error: signal: killed"
				results[i] = res
				return nil
			}
			output, err := r.runMachine(ctx, st.ItemProcessor.aslMachine, child, input)
			var te *taskError
			switch {
			case errors.As(err, &te):
				res.Status, res.Error, res.Cause = "FAILED", te.name, te.cause
			case err != nil:
				return err
			default:
				res.Status, res.Output = "SUCCEEDED", string(output)
			}
			results[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// The ResultWriter.
	wp, err := resolve(st.ResultWriter.Parameters, doc, execution)
	if err != nil {
		return nil, err
	}
	w := wp.(map[string]any)
	rb, prefix := w["Bucket"].(string), w["Prefix"].(string)
	run := prefix + "/" + execution + "-maprun"
	files := map[string][]resultFile{"SUCCEEDED": {}, "FAILED": {}, "PENDING": {}}
	failed := 0
	for _, status := range []string{"SUCCEEDED", "FAILED"} {
		var of []childResult
		for _, res := range results {
			if res.Status == status {
				of = append(of, res)
			}
		}
		if status == "FAILED" {
			failed = len(of)
		}
		if len(of) == 0 {
			continue
		}
		body, err := json.Marshal(of)
		if err != nil {
			return nil, err
		}
		key := run + "/" + status + "_0.json"
		if _, err := r.s3.PutObject(ctx, s3Put(rb, key, body)); err != nil {
			return nil, err
		}
		files[status] = append(files[status], resultFile{Key: key, Size: int64(len(body))})
	}
	mapRun := "arn:aws:states:us-east-1:222222222222:mapRun:scan-map/ScanBatches:" + execution
	manifest, err := json.Marshal(map[string]any{"DestinationBucket": rb, "MapRunArn": mapRun, "ResultFiles": files})
	if err != nil {
		return nil, err
	}
	if _, err := r.s3.PutObject(ctx, s3Put(rb, run+"/manifest.json", manifest)); err != nil {
		return nil, err
	}
	if len(batches) > 0 && float64(failed)*100/float64(len(batches)) > st.ToleratedFailurePercentage {
		return nil, &taskError{name: "States.ExceedToleratedFailureThreshold", cause: fmt.Sprintf("%d of %d child executions failed", failed, len(batches))}
	}
	return json.Marshal(map[string]any{"MapRunArn": mapRun, "ResultWriterDetails": map[string]string{"Bucket": rb, "Key": run + "/manifest.json"}})
}

// resolve returns the payload template v with every "KEY.$" member
// replaced by "KEY" holding the value at its path in doc ("$…") or in
// the context object ("$$.Execution.Name").
func resolve(v any, doc json.RawMessage, execution string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			name, isPath := strings.CutSuffix(k, ".$")
			if !isPath {
				r, err := resolve(val, doc, execution)
				if err != nil {
					return nil, err
				}
				out[k] = r
				continue
			}
			path, _ := val.(string)
			var raw json.RawMessage
			var err error
			switch {
			case path == "$$.Execution.Name":
				raw, err = json.Marshal(execution)
			case strings.HasPrefix(path, "$$"):
				err = fmt.Errorf("context path %s: the runner knows $$.Execution.Name only", path)
			default:
				raw, err = getPath(doc, path)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			var val any
			if err := json.Unmarshal(raw, &val); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[name] = val
		}
		return out, nil
	default:
		return v, nil
	}
}

// splitPath splits a reference path "$.a.b" into its names.
func splitPath(path string) ([]string, error) {
	if path == "$" {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(path, "$.")
	if !ok || rest == "" {
		return nil, fmt.Errorf("path %q: the runner knows $ and $.a.b only", path)
	}
	return strings.Split(rest, "."), nil
}

// getPath returns the value at path in doc.
func getPath(doc json.RawMessage, path string) (json.RawMessage, error) {
	names, err := splitPath(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, n := range names {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(cur, &m); err != nil {
			return nil, fmt.Errorf("path %s: %w", path, err)
		}
		v, ok := m[n]
		if !ok {
			return nil, &taskError{name: "States.Runtime", cause: fmt.Sprintf("path %s: no member %q", path, n)}
		}
		cur = v
	}
	return cur, nil
}

// setPath returns doc with value at path; a nil path (ResultPath not set)
// or "$" replaces doc.
func setPath(doc json.RawMessage, path *string, value json.RawMessage) (json.RawMessage, error) {
	if path == nil {
		return value, nil
	}
	names, err := splitPath(*path)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return value, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, fmt.Errorf("result path %s: %w", *path, err)
	}
	if len(names) == 1 {
		m[names[0]] = value
		return json.Marshal(m)
	}
	inner := m[names[0]]
	if inner == nil {
		inner = json.RawMessage(`{}`)
	}
	rest := "$." + strings.Join(names[1:], ".")
	if m[names[0]], err = setPath(inner, &rest, value); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}
