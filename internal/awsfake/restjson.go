package awsfake

import (
	"net/http"
	"strings"
)

// restJson1 services (RAM, Lambda) name the operation by method and path;
// their responses and errors are JSON (see awsjson.go) with the error code
// also in the x-amzn-ErrorType header.

// restOperation maps a REST request to its operation and service.
func restOperation(method, path string) (op, svc string, ok bool) {
	if method == http.MethodDelete && strings.HasSuffix(path, "/deleteresourceshare") {
		return "DeleteResourceShare", "ram", true
	}
	if method != http.MethodPost {
		return "", "", false
	}
	ramPaths := map[string]string{
		"/createresourceshare":          "CreateResourceShare",
		"/getresourceshares":            "GetResourceShares",
		"/getresourceshareassociations": "GetResourceShareAssociations",
		"/associateresourceshare":       "AssociateResourceShare",
		"/disassociateresourceshare":    "DisassociateResourceShare",
		"/listresources":                "ListResources",
	}
	for p, name := range ramPaths {
		if strings.HasSuffix(path, p) {
			return name, "ram", true
		}
	}
	if i := strings.Index(path, "/2015-03-31/functions/"); i >= 0 && strings.HasSuffix(path, "/invocations") {
		return "Invoke", "lambda", true
	}
	return "", "", false
}
