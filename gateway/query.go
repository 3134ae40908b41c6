package gateway

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
)

// A query parameter an operation does not declare is a 400 naming it, so a
// typo or a filter the API does not have (`GET /v1/products?size=270`) is
// not silently ignored. What each operation accepts is read from the same
// OpenAPI document as the route table: its query parameters (proto names),
// their lowerCamel JSON names (which grpc-gateway accepts too), and for a
// map field `name[key]` with any key (`options[size]=270`).
//
// Operations whose callers add parameters of their own are exempt: a
// payment provider sending the buyer back appends whatever it wants to the
// return URL, and a provider's webhook URL is the operator's to decorate.

// openQueryOperations are the OpenAPI operation ids that take any query.
var openQueryOperations = []string{
	"PaymentService_ReturnFromProvider", // KakaoPay, PayPal and Toss redirects
	"PaymentService_ReceiveWebhook",     // provider notifications
}

// queryParams are the query keys one operation accepts; nil accepts any.
type queryParams struct {
	names []string        // as declared, for the error message
	plain map[string]bool // names and their JSON names
	maps  map[string]bool // map fields, whose keys are name[key]
}

// newQueryParams is what an operation accepts in its query, from its
// parameters in the Swagger 2.0 document (nil: anything, for the exempt).
func newQueryParams(operationID string, params []operationParam) *queryParams {
	if slices.Contains(openQueryOperations, operationID) {
		return nil
	}
	p := &queryParams{plain: map[string]bool{}, maps: map[string]bool{}}
	for _, param := range params {
		if param.In != "query" {
			continue
		}
		if name, ok := strings.CutSuffix(param.Name, "[string]"); ok {
			p.names = append(p.names, name+"[key]")
			p.maps[name], p.maps[jsonName(name)] = true, true
			continue
		}
		p.names = append(p.names, param.Name)
		p.plain[param.Name], p.plain[jsonName(param.Name)] = true, true
	}
	return p
}

// jsonName is protoc's JSON name of a (dotted) proto field path: page_size → pageSize.
func jsonName(name string) string {
	var b strings.Builder
	upper := false
	for _, r := range name {
		switch {
		case r == '_':
			upper = true
		case upper && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			upper = false
		default:
			b.WriteRune(r)
			upper = false
		}
	}
	return b.String()
}

// accepts reports whether key is one of p's parameters.
func (p *queryParams) accepts(key string) bool {
	if p == nil || p.plain[key] {
		return true
	}
	name, rest, isMap := strings.Cut(key, "[")
	return isMap && p.maps[name] && strings.HasSuffix(rest, "]") && len(rest) > 1
}

// checkQuery refuses a query parameter the operation does not declare. A
// path no operation has, or a method the path does not take, is left to the
// router (404, 405).
func checkQuery(rs routes) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery == "" {
				next.ServeHTTP(w, r)
				return
			}
			method := r.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			var ops []*queryParams
			for _, rt := range rs.match(r.URL.Path) {
				if p, ok := rt.query[method]; ok {
					if p == nil {
						next.ServeHTTP(w, r)
						return
					}
					ops = append(ops, p)
				}
			}
			values, err := url.ParseQuery(r.URL.RawQuery)
			if len(ops) == 0 || err != nil { // checkParams has answered a bad query
				next.ServeHTTP(w, r)
				return
			}
			for _, key := range slices.Sorted(maps.Keys(values)) {
				if !slices.ContainsFunc(ops, func(p *queryParams) bool { return p.accepts(key) }) {
					writeStatus(w, r, errs.InvalidFields(errs.Field(key, unknownParam(ops))))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// unknownParam says what the operation takes instead.
func unknownParam(ops []*queryParams) string {
	var names []string
	for _, p := range ops {
		names = append(names, p.names...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		return "is not a query parameter of this operation, which takes none"
	}
	return "is not a query parameter of this operation; it takes " + strings.Join(names, ", ")
}
