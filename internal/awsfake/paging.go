package awsfake

import (
	"encoding/base64"
	"sort"
	"strings"
)

// pageRange is an operation's MaxResults range and its page size when the
// caller gives none (0 means every result on one page).
type pageRange struct{ min, max, def int }

// Page ranges per aws-facts §5 and §7.
var (
	ec2Describe    = pageRange{min: 5, max: 1000}            // DescribeVpcs, DescribeSubnets: all results without MaxResults
	ec2IPAM        = pageRange{min: 5, max: 1000, def: 1000} // Describe/Get IPAM operations
	ec2Allocations = pageRange{min: 1000, max: 100000, def: 1000}
	orgList        = pageRange{min: 1, max: 20, def: 20}
)

// pageRequest is the paging part of a request. MaxResults is nil when absent;
// the token is "" on the first page, and present reports whether a NextToken
// member was sent at all.
type pageRequest struct {
	maxResults *int
	token      string
	present    bool
}

// pageBounds checks a request's MaxResults and NextToken against sorted
// keys. It returns the page size (0 for everything) and the index of the
// first key after the token.
func pageBounds(c *call, keys func(i int) string, n int, req pageRequest, r pageRange) (size, start int, err error) {
	size = r.def
	if req.maxResults != nil {
		m := *req.maxResults
		if m < r.min || m > r.max {
			return 0, 0, rangeError(c, m, r)
		}
		size = m
	}
	if !req.present {
		return size, 0, nil
	}
	last, ok := decodeToken(c.op, req.token)
	if !ok {
		return 0, 0, tokenError(c, req.token)
	}
	start = sort.Search(n, func(i int) bool { return keys(i) > last })
	return size, start, nil
}

// paginate returns the page of items (sorted by key) that a request asks
// for, and the token of the next page ("" after the last). Filters must be
// applied to items before. The token is opaque to callers: it names the
// operation and the key of the last item returned, so pages stay consistent
// while items are added or removed.
func paginate[T any](c *call, items []T, key func(T) string, req pageRequest, r pageRange) ([]T, string, error) {
	size, start, err := pageBounds(c, func(i int) string { return key(items[i]) }, len(items), req, r)
	if err != nil {
		return nil, "", err
	}
	if size <= 0 || start+size >= len(items) {
		return items[start:], "", nil
	}
	page := items[start : start+size]
	return page, encodeToken(c.op, key(page[len(page)-1])), nil
}

// paginateScan is paginate over items sorted by key, keeping those that
// pass match. It scans from the token's position only as far as the page
// needs (and one match more, to know whether another page follows), so a
// page costs time in proportion to its size, not to the whole listing.
func paginateScan[T any](c *call, items []T, key func(T) string, match func(*T) bool, req pageRequest, r pageRange) ([]T, string, error) {
	size, start, err := pageBounds(c, func(i int) string { return key(items[i]) }, len(items), req, r)
	if err != nil {
		return nil, "", err
	}
	var page []T
	for i := start; i < len(items); i++ {
		if !match(&items[i]) {
			continue
		}
		if size > 0 && len(page) == size {
			return page, encodeToken(c.op, key(page[len(page)-1])), nil
		}
		page = append(page, items[i])
	}
	return page, "", nil
}

func encodeToken(op, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("awsfake/1\x00" + op + "\x00" + last))
}

func decodeToken(op, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	f := strings.SplitN(string(raw), "\x00", 3)
	if len(f) != 3 || f[0] != "awsfake/1" || f[1] != op {
		return "", false
	}
	return f[2], true
}

// rangeError is the error for a MaxResults outside the operation's range.
func rangeError(c *call, n int, r pageRange) error {
	if c.svc.name == "ram" {
		return badRequest("InvalidMaxResultsException", "The specified value for MaxResults (%d) is not between %d and %d.", n, r.min, r.max)
	}
	if c.svc.name == "organizations" {
		reason := "MIN_VALUE_EXCEEDED"
		if n > r.max {
			reason = "MAX_VALUE_EXCEEDED"
		}
		e := badRequest("InvalidInputException", "You provided a value that does not match the required pattern or range: MaxResults must be between %d and %d.", r.min, r.max)
		e.extra = [][2]string{{"Reason", reason}}
		return e
	}
	return badRequest("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", n, r.min, r.max)
}

// tokenError is the error for a NextToken the server did not hand out.
func tokenError(c *call, token string) error {
	if c.svc.name == "ram" {
		return badRequest("InvalidNextTokenException", "The specified value for NextToken is not valid.")
	}
	if c.svc.name == "organizations" {
		e := badRequest("InvalidInputException", "The NextToken %q is not valid.", token)
		e.extra = [][2]string{{"Reason", "INVALID_NEXT_TOKEN"}}
		return e
	}
	return badRequest("InvalidParameterValue", "Value ( %s ) for parameter NextToken is invalid. The token is invalid.", token)
}
