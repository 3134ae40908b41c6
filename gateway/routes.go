package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// routes is the API's route table, read from the merged OpenAPI document the
// protos generate, so it never drifts from what grpc-gateway serves. The
// gateway uses it where grpc-gateway knows too little: the Allow header of a
// 405, the name of a bad path parameter, which routes take uploads, and
// which query parameters each operation takes.
type routes []route

type route struct {
	segments []string                // literal, or "{name}" with an optional ":verb" suffix
	methods  []string                // upper case, sorted
	uploads  []string                // methods whose body carries a file (a bytes field)
	query    map[string]*queryParams // by method: the query it takes (nil: any)
}

// operationParam is one parameter of an operation in the document.
type operationParam struct {
	Name   string          `json:"name"`
	In     string          `json:"in"`
	Schema json.RawMessage `json:"schema"`
}

// loadRoutes reads the paths of the Swagger 2.0 document buf generates.
func loadRoutes(doc []byte) (routes, error) {
	var d struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []operationParam `json:"parameters"`
		} `json:"paths"`
		Definitions map[string]json.RawMessage `json:"definitions"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("gateway: openapi: %w", err)
	}
	var rs routes
	for path, ops := range d.Paths {
		r := route{segments: strings.Split(strings.TrimPrefix(path, "/"), "/"), query: map[string]*queryParams{}}
		for method, op := range ops {
			m := strings.ToUpper(method)
			r.methods = append(r.methods, m)
			r.query[m] = newQueryParams(op.OperationID, op.Parameters)
			for _, p := range op.Parameters {
				if p.In == "body" && carriesBytes(p.Schema, d.Definitions, 0) {
					r.uploads = append(r.uploads, m)
				}
			}
		}
		slices.Sort(r.methods)
		rs = append(rs, r)
	}
	return rs, nil
}

// carriesBytes reports whether a schema has a property of format "byte"
// (a proto bytes field), following $refs a few levels deep.
func carriesBytes(schema json.RawMessage, defs map[string]json.RawMessage, depth int) bool {
	if len(schema) == 0 || depth > 4 {
		return false
	}
	var s struct {
		Ref        string                     `json:"$ref"`
		Format     string                     `json:"format"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return false
	}
	if s.Format == "byte" {
		return true
	}
	if name, ok := strings.CutPrefix(s.Ref, "#/definitions/"); ok {
		return carriesBytes(defs[name], defs, depth+1)
	}
	for _, p := range s.Properties {
		if carriesBytes(p, defs, depth+1) {
			return true
		}
	}
	return false
}

// match returns the routes whose template fits path. A segment that cannot be
// a literal (it holds bytes no template has) still fits a {variable}, so a bad
// path parameter can be named.
func (rs routes) match(path string) []*route {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var out []*route
	for i := range rs {
		if rs[i].fits(segs) {
			out = append(out, &rs[i])
		}
	}
	return out
}

func (r *route) fits(segs []string) bool {
	if len(segs) != len(r.segments) {
		return false
	}
	for i, t := range r.segments {
		if _, ok := variable(t); ok {
			if _, verb, hasVerb := strings.Cut(t, "}:"); hasVerb && !strings.HasSuffix(segs[i], ":"+verb) {
				return false
			}
			continue
		}
		if t != segs[i] {
			return false
		}
	}
	return true
}

// variable returns the name of a template segment's variable.
func variable(segment string) (string, bool) {
	if !strings.HasPrefix(segment, "{") {
		return "", false
	}
	name, _, _ := strings.Cut(segment[1:], "}")
	return name, true
}

// allow lists the methods the routes matching path answer, HEAD with GET.
func (rs routes) allow(path string) []string {
	var ms []string
	for _, r := range rs.match(path) {
		ms = append(ms, r.methods...)
	}
	if slices.Contains(ms, http.MethodGet) {
		ms = append(ms, http.MethodHead)
	}
	slices.Sort(ms)
	return slices.Compact(ms)
}

// uploads reports whether method on path takes a file in its body.
func (rs routes) uploads(method, path string) bool {
	for _, r := range rs.match(path) {
		if slices.Contains(r.uploads, method) {
			return true
		}
	}
	return false
}

// paramName names the path parameter at segment index i of path, preferring
// the route that takes method, or "path" when no route has a variable there.
func (rs routes) paramName(method, path string, i int) string {
	name := "path"
	for _, r := range rs.match(path) {
		if v, ok := variable(r.segments[i]); ok && (name == "path" || slices.Contains(r.methods, method)) {
			name = v
		}
	}
	return name
}
