package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
)

// document is the committed OpenAPI 3.1 document the gateway serves.
func document(t *testing.T) obj {
	t.Helper()
	raw, err := os.ReadFile("../../gen/openapi/jangteo.openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc obj
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func op(t *testing.T, doc obj, path, method string) obj {
	t.Helper()
	o := asObj(asObj(asObj(doc["paths"])[path])[method])
	if o == nil {
		t.Fatalf("no %s %s", method, path)
	}
	return o
}

// moneyOrID names the only 64-bit integers the API may have: money amounts in
// minor units and ids. Counts, quantities, stock, pages and durations are
// int32 so they reach clients as JSON numbers, not strings.
var moneyOrID = regexp.MustCompile(`(^|_)(id|ids|amount|price|total|subtotal|tax|fee|payout|balance|sequence|version)$`)

func TestOnlyAmountsAndIDsAre64Bit(t *testing.T) {
	doc := document(t)
	for name, s := range asObj(asObj(doc["components"])["schemas"]) {
		for prop, v := range asObj(asObj(s)["properties"]) {
			if f := asObj(v)["format"]; (f == "int64" || f == "uint64") && !moneyOrID.MatchString(prop) {
				t.Errorf("%s.%s is %s: counts are int32 (JSON numbers); only amounts and ids are 64-bit", name, prop, f)
			}
		}
	}
	for path, item := range asObj(doc["paths"]) {
		for method, o := range asObj(item) {
			for _, p := range asSlice(asObj(o)["parameters"]) {
				p := asObj(p)
				if f := asObj(p["schema"])["format"]; (f == "int64" || f == "uint64") && !moneyOrID.MatchString(p["name"].(string)) {
					t.Errorf("%s %s parameter %s is %s", method, path, p["name"], f)
				}
			}
		}
	}
}

func TestSecurityFollowsAccess(t *testing.T) {
	doc := document(t)
	tests := []struct {
		path, method string
		bearer       bool   // a token is required
		role         string // text in the description
	}{
		{"/v1/products", "get", false, "public"},
		{"/v1/me", "get", true, "any signed-in user"},
		{"/v1/products", "post", true, "staff"},
		{"/v1/admin/users", "get", true, "admin"},
	}
	for _, tt := range tests {
		o := op(t, doc, tt.path, tt.method)
		sec := asSlice(o["security"])
		optional := false
		for _, s := range sec {
			if len(asObj(s)) == 0 {
				optional = true
			}
		}
		if len(sec) == 0 || optional == tt.bearer {
			t.Errorf("%s %s security = %v, want bearer required %v", tt.method, tt.path, sec, tt.bearer)
		}
		if d, _ := o["description"].(string); !strings.Contains(d, tt.role) {
			t.Errorf("%s %s description %q does not name %q", tt.method, tt.path, d, tt.role)
		}
	}
}

func TestStatusesHeadersAndConstraints(t *testing.T) {
	doc := document(t)
	has := func(o obj, codes ...string) {
		t.Helper()
		for _, c := range codes {
			r := asObj(asObj(o["responses"])[c])
			if r == nil {
				t.Errorf("%s lacks %s", o["operationId"], c)
				continue
			}
			if c >= "400" && asObj(asObj(asObj(r["content"])["application/json"])["schema"])["$ref"] != errorSchema {
				t.Errorf("%s %s is not the error schema", o["operationId"], c)
			}
		}
	}
	create := op(t, doc, "/v1/products", "post")
	has(create, "201", "400", "401", "403", "409", "413", "429", "503")
	if _, ok := asObj(create["responses"])["200"]; ok {
		t.Error("CreateProduct documents 200; it answers 201")
	}
	has(op(t, doc, "/v1/products/{slug}", "get"), "200", "400", "404", "429", "503")
	has(op(t, doc, "/v1/auth/password/forgot", "post"), "202")
	rate := asObj(asObj(op(t, doc, "/v1/products", "get")["responses"])["429"])
	if asObj(rate["headers"])["Retry-After"] == nil {
		t.Error("429 does not document Retry-After")
	}

	// The cart token is read and set as a header.
	add := op(t, doc, "/v1/cart/items", "post")
	found := false
	for _, p := range asSlice(add["parameters"]) {
		if asObj(p)["name"] == "X-Cart-Token" && asObj(p)["in"] == "header" {
			found = true
		}
	}
	if !found || asObj(asObj(asObj(add["responses"])["200"])["headers"])["X-Cart-Token"] == nil {
		t.Errorf("AddCartItem does not document the X-Cart-Token header both ways: %v", add["parameters"])
	}

	// protovalidate rules become JSON Schema keywords.
	schemas := asObj(asObj(doc["components"])["schemas"])
	name := asObj(asObj(asObj(schemas["v1CreateProductRequest"])["properties"])["name"])
	if name["minLength"] != float64(1) || name["maxLength"] != float64(200) {
		t.Errorf("CreateProductRequest.name = %v, want minLength 1 and maxLength 200", name)
	}
	category := asObj(asObj(asObj(schemas["v1CreateProductRequest"])["properties"])["category_id"])
	if category["format"] != "uuid" {
		t.Errorf("CreateProductRequest.category_id = %v, want format uuid", category)
	}
	quantity := asObj(asObj(asObj(schemas["v1AddCartItemRequest"])["properties"])["quantity"])
	if quantity["exclusiveMinimum"] != float64(0) || quantity["type"] != "integer" {
		t.Errorf("AddCartItemRequest.quantity = %v, want an integer above 0", quantity)
	}
	var pageSize obj
	for _, p := range asSlice(op(t, doc, "/v1/admin/users", "get")["parameters"]) {
		if asObj(p)["name"] == "page_size" {
			pageSize = asObj(asObj(p)["schema"])
		}
	}
	if pageSize["type"] != "integer" {
		t.Errorf("page_size = %v", pageSize)
	}
}

// TestEveryOperationIsComplete checks the rules on every operation, so a new
// route cannot skip them.
func TestEveryOperationIsComplete(t *testing.T) {
	doc := document(t)
	for path, item := range asObj(doc["paths"]) {
		for method, o := range asObj(item) {
			o := asObj(o)
			if o["security"] == nil {
				t.Errorf("%s %s has no security", method, path)
			}
			responses := asObj(o["responses"])
			for _, c := range []string{"401", "429", "503"} {
				if responses[c] == nil {
					t.Errorf("%s %s lacks %s", method, path, c)
				}
			}
			if strings.Contains(path, "{") && responses["404"] == nil {
				t.Errorf("%s %s has a path parameter but no 404", method, path)
			}
		}
	}
}

// TestForbiddenFollowsOption checks that an operation lists 403 exactly when
// its role can be refused (staff, admin) or its RPC declares why a caller may
// be (jangteo.options.v1.forbidden), and that the 403 then gives the reason.
func TestForbiddenFollowsOption(t *testing.T) {
	doc := document(t)
	api := GlobalAPI()
	declared := 0
	for path, item := range asObj(doc["paths"]) {
		for method, o := range asObj(item) {
			o := asObj(o)
			id, _ := o["operationId"].(string)
			rpc, ok := api.Method(id)
			if !ok {
				t.Errorf("%s %s: no RPC %q", method, path, id)
				continue
			}
			reason := Forbidden(rpc)
			role := Access(rpc) == optionsv1.Access_ACCESS_STAFF || Access(rpc) == optionsv1.Access_ACCESS_ADMIN
			r := asObj(asObj(o["responses"])["403"])
			if (r != nil) != (role || reason != "") {
				t.Errorf("%s %s: 403 listed %v, want %v", method, path, r != nil, role || reason != "")
				continue
			}
			if reason == "" {
				continue
			}
			declared++
			if d, _ := r["description"].(string); d != forbiddenText(Access(rpc), reason) || !strings.Contains(d, reason) {
				t.Errorf("%s %s: 403 description %q does not give the reason %q", method, path, d, reason)
			}
		}
	}
	if declared == 0 {
		t.Error("no operation declares a forbidden reason")
	}

	// An ownership check on a signed-in route names its error code.
	d, _ := asObj(asObj(op(t, doc, "/v1/spaces/{space}", "patch")["responses"])["403"])["description"].(string)
	if !strings.Contains(d, "NOT_SPACE_HOST") {
		t.Errorf("PATCH /v1/spaces/{space} 403 = %q, want the NOT_SPACE_HOST reason", d)
	}
	// A public route without such a check has no 403.
	if asObj(op(t, doc, "/v1/products", "get")["responses"])["403"] != nil {
		t.Error("GET /v1/products lists 403")
	}
}
