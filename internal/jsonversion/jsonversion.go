// Package jsonversion writes and checks the "formatVersion" member of the
// JSON documents ipamkit promises to keep: usage's reports and notify's
// alerts. A version changes only when a member is removed or changes
// meaning; new members do not change it.
package jsonversion

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Marshal returns the JSON of v, which must encode as an object, with
// "formatVersion": version as its first member. Give it v's type without
// its MarshalJSON method (type plain T), or it recurses.
func Marshal(version int, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("jsonversion: %T does not encode as a JSON object", v)
	}
	out := make([]byte, 0, len(b)+20)
	out = append(out, `{"formatVersion":`...)
	out = strconv.AppendInt(out, int64(version), 10)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...), nil
}

// Check reads the "formatVersion" member of the JSON object b and refuses
// one newer than version, since its members may mean something else; what
// names the document in the error ("report", "alert"). A missing member is
// read as the current version: documents written before the member existed
// have the same members.
func Check(what string, b []byte, version int) error {
	var v struct {
		FormatVersion int `json:"formatVersion"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.FormatVersion > version {
		return fmt.Errorf("%s formatVersion %d is newer than this release reads (%d): upgrade ipamkit", what, v.FormatVersion, version)
	}
	return nil
}
