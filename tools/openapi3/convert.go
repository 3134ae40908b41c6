package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
)

// obj is a JSON object of the document.
type obj = map[string]any

// errorSchema is the body of every error response.
const errorSchema = "#/components/schemas/googleRpcStatus"

// errorStatuses describes each error status an operation may answer.
var errorStatuses = map[int]string{
	400: "The request is malformed or a field is invalid; `details` names the field (google.rpc.BadRequest).",
	401: "No valid access token: missing where required, expired, or failing verification.",
	403: "The caller's role does not allow this call.",
	404: "The resource does not exist or is not the caller's.",
	409: "The resource's state does not allow this call (the message names it), or a request with the same Idempotency-Key is still running.",
	413: "The request body is larger than the route's limit.",
	422: "The Idempotency-Key was already used with a different request.",
	429: "Too many requests: wait Retry-After seconds.",
	503: "A dependency is unavailable: retry after Retry-After seconds.",
}

// Convert returns the OpenAPI 3.1 document for the Swagger 2.0 document src.
func Convert(src []byte, api *API) (obj, error) {
	var sw obj
	if err := json.Unmarshal(src, &sw); err != nil {
		return nil, fmt.Errorf("read swagger: %w", err)
	}
	c := converter{api: api}
	schemas := obj{}
	for name, s := range asObj(sw["definitions"]) {
		schema := c.schema(s)
		if md, ok := api.Message(name); ok {
			constrainMessage(asObj(schema), md)
		}
		schemas[name] = schema
	}
	paths := obj{}
	for path, item := range asObj(sw["paths"]) {
		out := obj{}
		for method, op := range asObj(item) {
			o, err := c.operation(path, method, asObj(op))
			if err != nil {
				return nil, err
			}
			out[method] = o
		}
		paths[path] = out
	}
	info := asObj(sw["info"])
	return obj{
		"openapi": "3.1.0",
		"info":    info,
		"tags":    sw["tags"],
		"paths":   paths,
		"components": obj{
			"schemas": schemas,
			"securitySchemes": obj{
				"bearer": obj{
					"type":         "http",
					"scheme":       "bearer",
					"bearerFormat": "JWT",
					"description":  "An access token from POST /v1/auth/login (Authorization: Bearer <token>).",
				},
			},
			"headers": obj{
				"Retry-After": obj{
					"description": "Seconds to wait before retrying.",
					"schema":      obj{"type": "integer", "minimum": 0},
				},
				"X-Cart-Token": obj{
					"description": "The anonymous cart's token: send it back as the X-Cart-Token header.",
					"schema":      obj{"type": "string"},
				},
			},
		},
	}, nil
}

type converter struct{ api *API }

// operation converts one operation and completes it from its RPC.
func (c converter) operation(path, method string, op obj) (obj, error) {
	id, _ := op["operationId"].(string)
	rpc, ok := c.api.Method(id)
	if !ok {
		return nil, fmt.Errorf("%s %s: no RPC for operation %q", strings.ToUpper(method), path, id)
	}
	out := obj{
		"operationId": id,
		"summary":     op["summary"],
		"tags":        op["tags"],
	}
	if d, ok := op["description"]; ok {
		out["description"] = d
	}
	access := Access(rpc)
	var params []any
	hasInput := false
	for _, p := range asSlice(op["parameters"]) {
		p := asObj(p)
		if p["in"] == "body" {
			hasInput = true
			out["requestBody"] = obj{
				"required": true,
				"content":  obj{"application/json": obj{"schema": c.schema(p["schema"])}},
			}
			continue
		}
		if p["in"] == "query" {
			hasInput = true
		}
		params = append(params, c.parameter(p, rpc.Input()))
	}
	if NeedsIdempotencyKey(rpc) {
		params = append(params, obj{
			"name":        "Idempotency-Key",
			"in":          "header",
			"required":    true,
			"description": "A unique key per intended operation (e.g. a UUID). A retry with the same key and body answers the first response; the same key with another body is 422; while the first request runs, 409.",
			"schema":      obj{"type": "string", "minLength": 1, "maxLength": 255},
		})
	}
	cart := strings.HasPrefix(id, "CartService_")
	if cart {
		params = append(params, obj{
			"name":        "X-Cart-Token",
			"in":          "header",
			"required":    false,
			"description": "The anonymous cart's token from an earlier response; signed-in callers use their Authorization instead.",
			"schema":      obj{"type": "string"},
		})
	}
	if len(params) > 0 {
		out["parameters"] = params
	}

	switch access {
	case optionsv1.Access_ACCESS_PUBLIC:
		out["security"] = []any{obj{}, obj{"bearer": []any{}}}
		out["description"] = appendText(out["description"], "Access: public; a token, if sent, must be valid.")
	case optionsv1.Access_ACCESS_AUTHENTICATED:
		out["security"] = []any{obj{"bearer": []any{}}}
		out["description"] = appendText(out["description"], "Access: any signed-in user.")
	case optionsv1.Access_ACCESS_STAFF:
		out["security"] = []any{obj{"bearer": []any{}}}
		out["description"] = appendText(out["description"], "Access: staff or admin role.")
	case optionsv1.Access_ACCESS_ADMIN:
		out["security"] = []any{obj{"bearer": []any{}}}
		out["description"] = appendText(out["description"], "Access: admin role.")
	default:
		return nil, fmt.Errorf("%s: access %v has no REST route", id, access)
	}

	responses := obj{}
	success := SuccessStatus(rpc)
	ok200 := asObj(asObj(op["responses"])["200"])
	resp := obj{"description": successText(success)}
	if rpc.Output().FullName() == "google.api.HttpBody" {
		resp["content"] = obj{"text/html": obj{"schema": obj{"type": "string"}}}
	} else if s, ok := ok200["schema"]; ok {
		resp["content"] = obj{"application/json": obj{"schema": c.schema(s)}}
	}
	if cart {
		resp["headers"] = obj{"X-Cart-Token": obj{"$ref": "#/components/headers/X-Cart-Token"}}
	}
	if success >= 300 && success < 400 {
		resp["headers"] = obj{"Location": obj{"description": "Where the client is sent next.", "schema": obj{"type": "string", "format": "uri"}}}
	}
	responses[strconv.Itoa(success)] = resp

	var errors []int
	if hasInput || strings.Contains(path, "{") || NeedsIdempotencyKey(rpc) {
		errors = append(errors, 400)
	}
	errors = append(errors, 401)
	forbidden := Forbidden(rpc)
	if access == optionsv1.Access_ACCESS_STAFF || access == optionsv1.Access_ACCESS_ADMIN || forbidden != "" {
		errors = append(errors, 403)
	}
	if strings.Contains(path, "{") {
		errors = append(errors, 404)
	}
	mutates := method != "get"
	if mutates {
		errors = append(errors, 409)
	}
	if _, ok := out["requestBody"]; ok {
		errors = append(errors, 413)
	}
	if NeedsIdempotencyKey(rpc) {
		errors = append(errors, 422)
	}
	errors = append(errors, 429, 503)
	for _, code := range errors {
		r := obj{
			"description": errorStatuses[code],
			"content":     obj{"application/json": obj{"schema": obj{"$ref": errorSchema}}},
		}
		if code == 403 && forbidden != "" {
			r["description"] = forbiddenText(access, forbidden)
		}
		if code == 429 || code == 503 || (code == 409 && NeedsIdempotencyKey(rpc)) {
			r["headers"] = obj{"Retry-After": obj{"$ref": "#/components/headers/Retry-After"}}
		}
		responses[strconv.Itoa(code)] = r
	}
	out["responses"] = responses
	return out, nil
}

// forbiddenText describes the 403 of an RPC that declares a reason: the
// reason alone, after the role's refusal where the role is checked too.
func forbiddenText(access optionsv1.Access, reason string) string {
	if access == optionsv1.Access_ACCESS_STAFF || access == optionsv1.Access_ACCESS_ADMIN {
		return errorStatuses[403] + " Also refused: " + reason + "."
	}
	return "Refused: " + reason + "."
}

func successText(code int) string {
	switch code {
	case http.StatusCreated:
		return "Created."
	case http.StatusAccepted:
		return "Accepted: the work happens after the response."
	case http.StatusSeeOther:
		return "See Other: the client follows Location with a GET."
	default:
		return "OK."
	}
}

// parameter converts a path or query parameter and adds the constraints of
// the request field it binds to.
func (c converter) parameter(p obj, input protoreflect.MessageDescriptor) obj {
	name, _ := p["name"].(string)
	out := obj{"name": name, "in": p["in"]}
	if d, ok := p["description"]; ok {
		out["description"] = d
	}
	if req, _ := p["required"].(bool); req {
		out["required"] = true
	}
	schema := obj{}
	for _, k := range []string{"type", "format", "enum", "default", "items", "pattern", "minimum", "maximum", "minLength", "maxLength"} {
		if v, ok := p[k]; ok {
			schema[k] = c.schema(v)
		}
	}
	if p["collectionFormat"] == "multi" {
		out["explode"] = true
	}
	// A map<string,string> in the query: ?options[size]=270.
	if field, ok := strings.CutSuffix(name, "[string]"); ok {
		out["name"] = field
		out["style"] = "deepObject"
		out["explode"] = true
		schema = obj{"type": "object", "additionalProperties": obj{"type": "string"}}
	} else if f := fieldByPath(input, name); f != nil {
		constrainField(schema, f)
		if r := FieldRules(f); r.GetRequired() {
			out["required"] = true
		}
	}
	out["schema"] = schema
	return out
}

// schema converts a Swagger schema: only references move.
func (c converter) schema(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := obj{}
		for k, x := range v {
			if k == "$ref" {
				ref, _ := x.(string)
				out[k] = strings.Replace(ref, "#/definitions/", "#/components/schemas/", 1)
				continue
			}
			out[k] = c.schema(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = c.schema(x)
		}
		return out
	default:
		return v
	}
}

// fieldByPath finds a (possibly nested, dot-separated) field of md.
func fieldByPath(md protoreflect.MessageDescriptor, path string) protoreflect.FieldDescriptor {
	var f protoreflect.FieldDescriptor
	for part := range strings.SplitSeq(path, ".") {
		if md == nil {
			return nil
		}
		f = md.Fields().ByName(protoreflect.Name(part))
		if f == nil {
			return nil
		}
		md = f.Message()
	}
	return f
}

func appendText(v any, s string) string {
	if t, _ := v.(string); t != "" {
		return t + "\n\n" + s
	}
	return s
}

func asObj(v any) obj {
	o, _ := v.(map[string]any)
	return o
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
