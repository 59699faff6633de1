package usage

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"time"
)

// ReportHistory reads the history of resources from reports saved
// earlier, such as the output of ipamctl usage -o json kept once a day:
// every file named *.json at the top of fsys is a [Report]. Each report
// gives each resource it measured (Known usage) one sample at the end of
// its scan (Scan.Finished, or Scan.Started when that is zero; a report
// with neither is skipped). out[i] is the history of resources[i], matched
// by [Resource.Key], in time order; nil when no report has it.
//
// A file that is not a report, or one of a newer formatVersion, is an
// error that names it: ReportHistory does not guess at a history with a
// hole in it. Reports are read one at a time, so memory holds one report
// and the samples.
func ReportHistory(fsys fs.FS, resources []Resource) ([][]Sample, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("read report history: %w", err)
	}
	index := make(map[Key]int, len(resources))
	for i, r := range resources {
		index[r.Key()] = i
	}
	out := make([][]Sample, len(resources))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read report history: %w", err)
		}
		var rep Report
		if err := json.Unmarshal(b, &rep); err != nil {
			return nil, fmt.Errorf("read report history: %s: %w (is it the output of ipamctl usage -o json? move other files out of the directory)", path.Base(name), err)
		}
		at := rep.Scan.Finished
		if at.IsZero() {
			at = rep.Scan.Started
		}
		if at.IsZero() {
			continue
		}
		for _, r := range rep.Resources {
			i, ok := index[r.Key()]
			if !ok || !r.Known {
				continue
			}
			out[i] = append(out[i], Sample{Time: at, Used: r.Used, Total: r.Total})
		}
	}
	for _, s := range out {
		sortSamples(s)
	}
	return out, nil
}

// withLatest returns history with the resource's own figures at t added
// as its latest sample, when its usage is known and t is not zero. The
// history is not modified.
func withLatest(history []Sample, r Resource, t time.Time) []Sample {
	if !r.Known || t.IsZero() {
		return history
	}
	return append(history[:len(history):len(history)], Sample{Time: t, Used: r.Used, Total: r.Total})
}
