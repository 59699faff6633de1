package main

import (
	"encoding/json"
	"testing"

	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/usage"
)

// FuzzMergeResults feeds the merge step any manifest, result file and
// partial report, and checks that it never panics and that what it
// merges is a report that encodes, every failed target with its error.
func FuzzMergeResults(f *testing.F) {
	f.Add([]byte(`{"ResultFiles":{"SUCCEEDED":[{"Key":"results/m/SUCCEEDED_0.json"}]}}`),
		[]byte(`[{"Name":"c1","Status":"SUCCEEDED","Input":"{\"Items\":[{\"accountId\":\"333333333333\",\"region\":\"us-east-1\",\"sources\":[\"ec2\"]}]}","Output":"{\"reportKey\":\"partial/r/1.json\"}"}]`),
		[]byte(`{"formatVersion":1,"resources":[],"findings":[],"errors":[],"scan":{"targets":1}}`))
	f.Add([]byte(`{"ResultFiles":{"FAILED":[{"Key":"results/m/SUCCEEDED_0.json"}]}}`),
		[]byte(`[{"Name":"c1","Status":"FAILED","Error":"States.Timeout","Input":"{\"Items\":[{\"accountId\":\"333333333333\",\"region\":\"us-east-1\",\"sources\":[\"ec2\"]}]}"}]`),
		[]byte(`{}`))
	f.Add([]byte(`{"ResultFiles":{}}`), []byte(`[`), []byte(`{"formatVersion":2}`))
	items := []usage.ScanItem{{AccountID: "333333333333", Region: "us-east-1", Sources: []usage.Source{usage.SourceEC2}}}
	targets, err := json.Marshal(items)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, manifest, results, partial []byte) {
		s3 := newMemS3()
		s3.put("test", bucket, "targets/r.json", targets)
		s3.put("test", bucket, "results/m/manifest.json", manifest)
		s3.put("test", bucket, "results/m/SUCCEEDED_0.json", results)
		s3.put("test", bucket, "partial/r/1.json", partial)
		h := &handler{cfg: Config{Step: stepMerge, Bucket: bucket, Settings: monitorenv.Settings{Critical: 80}}, s3: s3.as("merge")}
		in := mergeInput{listOutput: listOutput{Bucket: bucket, Key: "targets/r.json"}, Map: &mapOutput{}}
		in.Map.ResultWriterDetails = &struct {
			Bucket string `json:"Bucket"`
			Key    string `json:"Key"`
		}{bucket, "results/m/manifest.json"}
		rep, _, err := h.merge(t.Context(), in)
		if err != nil {
			return
		}
		for _, te := range rep.Errors {
			if te == nil || te.Err == nil {
				t.Fatalf("a failed target without its error: %+v", rep.Errors)
			}
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("the merged report does not encode: %v", err)
		}
	})
}
