package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jangteo/jangteo/gateway"
)

// TestFuzzOpenAPI boots the whole system as `jangteo dev` does and walks
// every operation of its own /openapi.json with inputs that do not fit —
// wrong types, huge numbers, NaN and Infinity, NUL, invalid UTF-8, malformed
// and trailing JSON, unknown fields, oversized strings, bad path and query
// bytes — anonymously and as a customer, staff and an admin. Any 5xx fails
// it, except 501 from the routes of services not built yet.
//
// `make fuzz` runs it alone; -short skips it.
func TestFuzzOpenAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("fuzzing the whole API takes a while")
	}
	cfg := testConfig(t)
	cfg.tune = func(g *gateway.Config) { g.RateLimits = gateway.RateLimits{} } // measure the API, not the limiter
	base, _ := startStack(t, cfg)
	get, post := client(t, base)
	waitReady(t, get)

	f := &fuzzer{t: t, base: base, counts: map[int]int{}}
	f.roles = map[string]string{"anonymous": "", "admin": login(t, post, cfg)}
	f.roles["customer"] = f.customer("fuzz-customer@example.com", "")
	f.roles["staff"] = f.customer("fuzz-staff@example.com", f.roles["admin"])
	f.seeds = f.collectSeeds()

	var doc openAPI // the served document is OpenAPI 3.1
	f.getJSON("/openapi.json", &doc)
	if len(doc.Paths) < 20 {
		t.Fatalf("/openapi.json has %d paths", len(doc.Paths))
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	start := time.Now()
	for _, p := range paths {
		for method, op := range doc.Paths[p] {
			switch method {
			case "get", "post", "put", "patch", "delete":
				f.operation(&doc, strings.ToUpper(method), p, op)
			}
		}
	}
	t.Logf("%d requests in %s: %v", f.total, time.Since(start).Round(time.Millisecond), f.counts)
	if f.counts[http.StatusBadRequest] == 0 {
		t.Fatal("no 400 at all: the inputs did not reach validation")
	}
}

// openAPI is the part of the served OpenAPI 3.1 document the fuzzer reads.
type openAPI struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Parameters  []parameter `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type parameter struct {
	Name   string  `json:"name"`
	In     string  `json:"in"`
	Schema *schema `json:"schema"`
}

type schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Enum       []any              `json:"enum"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
}

func (d *openAPI) resolve(s *schema) *schema {
	for i := 0; s != nil && s.Ref != "" && i < 10; i++ {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

type fuzzer struct {
	t      *testing.T
	base   string
	roles  map[string]string
	seeds  []string // real ids and slugs, so inputs reach past "not found"
	counts map[int]int
	total  int
}

// Values a path segment or query value must survive (already URL-escaped).
var badPathValues = []string{"%00", "a%00b", "%ff%fe", "%c3%28", strings.Repeat("a", 5000), "..%2F..%2Fetc", "-1",
	"00000000-0000-0000-0000-000000000000", "%20", "%F0%9F%98%80"}

func badQueryValues(p parameter) []string {
	vals := []string{"%00", "%ff", strings.Repeat("x", 20000), "", "%25"}
	s := p.Schema
	if s == nil {
		s = &schema{}
	}
	if s.Type == "array" && s.Items != nil {
		s = s.Items
	}
	switch s.Type {
	case "integer", "number":
		vals = append(vals, "abc", "1e20", "9223372036854775808", "-9223372036854775809", "-1", "1.5", "NaN", "Infinity", "0x10")
	case "boolean":
		vals = append(vals, "maybe", "2")
	}
	if len(s.Enum) > 0 {
		vals = append(vals, "NOT_A_VALUE", "999")
	}
	return vals
}

// badBodies are whole bodies that are not one JSON object of the request.
var badBodies = []string{"", "{", "}", "null", "[]", `"x"`, "1e999", `{"a":1} trailing`, `{}{}`, "{\"\xff\":1}", "\xef\xbb\xbf{}",
	`{"` + strings.Repeat("k", 10000) + `":1}`, strings.Repeat("[", 10000), `{"unknown_field_xyz":1}`}

// badValues are what each property of a body is given in turn.
func badValues(s *schema) []string {
	vals := []string{`null`, `{}`, `[]`, `"a\u0000b"`, "\"\xff\xfe\"", `true`, `1e400`, `-1e400`,
		`9223372036854775808`, `-9223372036854775809`, `"` + strings.Repeat("가", 20000) + `"`, `"NaN"`, `"Infinity"`, `"-Infinity"`,
		`1.5`, `-1`, `0`, `"not-a-uuid"`, `"2026-13-45T99:99:99Z"`, `[null]`, `["a\u0000"]`, `[{"x":1}]`, `{"a":"\u0000"}`}
	if s != nil && s.Type == "array" {
		vals = append(vals, `[`+strings.Repeat(`"x",`, 5000)+`"x"]`)
	}
	return vals
}

func (f *fuzzer) operation(doc *openAPI, method, path string, op operation) {
	var pathParams []string
	var query []parameter
	var body *schema
	hasBody := false
	for _, p := range op.Parameters {
		switch p.In {
		case "path":
			pathParams = append(pathParams, p.Name)
		case "query":
			query = append(query, p)
		}
	}
	if op.RequestBody != nil {
		hasBody, body = true, doc.resolve(op.RequestBody.Content["application/json"].Schema)
	}
	fill := func(v string) string {
		out := path
		for _, name := range pathParams {
			out = strings.Replace(out, "{"+name+"}", v, 1)
		}
		return out
	}
	target := path
	if len(pathParams) > 0 {
		// Every real id and slug once, then the bad ones; the deep walk
		// below uses the first real value the route knows (not a 404).
		target = fill("unknown")
		for _, s := range f.seeds {
			t := fill(url.PathEscape(s))
			f.all(method, t, "{}")
			if code, _ := f.call(method, t, f.roles["admin"], "{}"); code != http.StatusNotFound && target == fill("unknown") {
				target = t
			}
		}
		for _, v := range badPathValues {
			f.all(method, fill(v), "{}")
		}
	}
	for _, q := range query {
		for _, v := range badQueryValues(q) {
			f.all(method, target+"?"+q.Name+"="+v, "")
		}
	}
	if !hasBody {
		f.all(method, target, "")
		return
	}
	for _, b := range badBodies {
		f.all(method, target, b)
	}
	f.properties(doc, method, target, body, "", 0)
}

// properties gives every property of s (nested ones too, two levels deep) each
// bad value, one at a time, inside an otherwise empty object.
func (f *fuzzer) properties(doc *openAPI, method, target string, s *schema, prefix string, depth int) {
	s = doc.resolve(s)
	if s == nil || depth > 1 {
		return
	}
	for name, prop := range s.Properties {
		for _, v := range badValues(prop) {
			f.all(method, target, wrap(prefix, `"`+name+`":`+v))
		}
		if inner := doc.resolve(prop); inner != nil && len(inner.Properties) > 0 {
			f.properties(doc, method, target, inner, joinPrefix(prefix, name), depth+1)
		}
		if prop.Type == "array" && prop.Items != nil {
			if inner := doc.resolve(prop.Items); inner != nil {
				for field := range inner.Properties {
					f.all(method, target, wrap(prefix, `"`+name+`":[{"`+field+`":"\u0000"},{"`+field+`":1e400}]`))
				}
			}
		}
	}
}

func joinPrefix(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// wrap puts a "key":value pair inside the objects named by prefix (a.b).
func wrap(prefix, pair string) string {
	body := "{" + pair + "}"
	if prefix == "" {
		return body
	}
	parts := strings.Split(prefix, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		body = `{"` + parts[i] + `":` + body + "}"
	}
	return body
}

var roleOrder = []string{"anonymous", "customer", "staff", "admin"}

// all sends one request as every role.
func (f *fuzzer) all(method, target, body string) {
	for _, role := range roleOrder {
		f.send(method, target, body, f.roles[role], role)
	}
}

func (f *fuzzer) send(method, target, body, token, role string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.base+target, strings.NewReader(body))
	if err != nil {
		return // an input net/http itself refuses to build
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Idempotency-Key", fmt.Sprintf("fuzz-%d", f.total))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s as %s: %v", method, short(target), role, err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f.total++
	f.counts[resp.StatusCode]++
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
		f.t.Errorf("%s %s as %s with body %s = %d %s", method, short(target), role, short(body), resp.StatusCode, short(string(raw)))
	}
}

func short(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%q… (%d bytes)", s[:200], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func (f *fuzzer) getJSON(path string, v any) {
	f.t.Helper()
	resp, err := http.Get(f.base + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		f.t.Fatalf("%s: %v", path, err)
	}
}

func (f *fuzzer) call(method, path, token, body string) (int, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

var verifyLink = regexp.MustCompile(`/verify(?:-email)?\?token=([A-Za-z0-9_\-]+)`)

// customer signs up, verifies through the dev mailbox and signs in; with an
// admin token the account is made staff first.
func (f *fuzzer) customer(email, admin string) string {
	f.t.Helper()
	const pw = "fuzz-pass-2026"
	if code, body := f.call("POST", "/v1/auth/signup", "", `{"email":"`+email+`","password":"`+pw+`","name":"Fuzz"}`); code >= 300 {
		f.t.Fatalf("sign-up = %d %v", code, body)
	}
	var token string
	deadline := time.Now().Add(15 * time.Second)
	for token == "" {
		var mails []struct {
			Text string `json:"text"`
		}
		f.getJSON("/dev/mailbox?to="+url.QueryEscape(email), &mails)
		for _, m := range mails {
			if mm := verifyLink.FindStringSubmatch(m.Text); mm != nil {
				token = mm[1]
			}
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("no verification mail to %s", email)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := f.call("POST", "/v1/auth/verify", "", `{"token":"`+token+`"}`); code >= 300 {
		f.t.Fatalf("verify = %d %v", code, body)
	}
	login := func() string {
		code, body := f.call("POST", "/v1/auth/login", "", `{"email":"`+email+`","password":"`+pw+`"}`)
		if code != http.StatusOK {
			f.t.Fatalf("login %s = %d %v", email, code, body)
		}
		return body["access_token"].(string)
	}
	tok := login()
	if admin == "" {
		return tok
	}
	_, me := f.call("GET", "/v1/me", tok, "")
	id := me["user"].(map[string]any)["id"].(string)
	if code, body := f.call("PUT", "/v1/admin/users/"+id+"/roles", admin, `{"roles":["customer","staff"]}`); code != http.StatusOK {
		f.t.Fatalf("grant staff = %d %v", code, body)
	}
	return login()
}

// collectSeeds gathers real ids and slugs from the demo data.
func (f *fuzzer) collectSeeds() []string {
	var seeds []string
	var products struct {
		Products []struct {
			ID       string `json:"id"`
			Slug     string `json:"slug"`
			Variants []struct {
				ID string `json:"id"`
			} `json:"variants"`
		} `json:"products"`
	}
	f.getJSON("/v1/products?page_size=2", &products)
	for _, p := range products.Products {
		seeds = append(seeds, p.ID, p.Slug)
		for _, v := range p.Variants[:min(1, len(p.Variants))] {
			seeds = append(seeds, v.ID)
		}
	}
	var cats struct {
		Categories []struct {
			ID string `json:"id"`
		} `json:"categories"`
	}
	f.getJSON("/v1/categories", &cats)
	if len(cats.Categories) > 0 {
		seeds = append(seeds, cats.Categories[len(cats.Categories)-1].ID)
	}
	if len(seeds) == 0 {
		f.t.Fatal("no demo data to seed the fuzzer")
	}
	return seeds
}
