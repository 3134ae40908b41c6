package order_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/gateway"
)

// serveGateway puts the real gateway in front of the order service and the catalog.
func serveGateway(t testing.TB, e *env, configure ...func(*gateway.Config)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	cfg := gateway.DefaultConfig()
	cfg.IdentityEndpoint, cfg.CatalogEndpoint, cfg.CartEndpoint, cfg.PaymentEndpoint, cfg.CommunityEndpoint = down, down, down, down, down
	cfg.OrderEndpoint, cfg.CatalogEndpoint, cfg.Keys = e.addr, e.catAddr, e.iss.Fetch()
	for _, c := range configure {
		c(&cfg)
	}
	gw, err := gateway.New(t.Context(), cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })
	return srv.URL
}

// rest sends one request through the gateway at api: token is the
// Authorization header's value, key the Idempotency-Key and body JSON, each
// left out when empty. It returns the status and the body.
func rest(t testing.TB, api, method, path, token, key, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, api+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, raw
}

// restJSON is rest with the answer decoded as a JSON object; anything else
// fails the test.
func restJSON(t testing.TB, api, method, path, token, key, body string) (int, map[string]any) {
	t.Helper()
	code, raw := rest(t, api, method, path, token, key, body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, path, code, raw)
	}
	return code, out
}

// TestBookingsOverREST walks space rental's routes as a frontend calls them.
func TestBookingsOverREST(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	api := serveGateway(t, e)
	host, guest := "Bearer "+e.iss.Token(uuid.NewString(), "customer"), "Bearer "+e.iss.Token(uuid.NewString(), "customer")
	call := func(method, path, token, key, body string) (int, map[string]any) {
		t.Helper()
		return restJSON(t, api, method, path, token, key, body)
	}

	code, out := call("POST", "/v1/spaces", host, "", `{"name":"Seongsu kitchen","district":"seongdong","address":"성수이로 78",
		"category":"kitchen","facilities":["kitchen","wifi"],"min_people":2,"max_people":10,
		"options":[{"kind":"day","price":{"amount":"90000","currency":"KRW"}},{"kind":"night","price":{"amount":"70000","currency":"KRW"}}]}`)
	if code != 201 {
		t.Fatalf("create space: %d %v", code, out)
	}
	slug := out["space"].(map[string]any)["slug"].(string)

	date := inDays(6)
	body := `{"space":"` + slug + `","date":"` + date + `","option":"day","people":4,"note":"baking class","email":"baker@example.com"}`
	if code, out := call("POST", "/v1/bookings", guest, "", body); code != 400 {
		t.Fatalf("booking without an Idempotency-Key: %d %v", code, out)
	}
	code, out = call("POST", "/v1/bookings", guest, uuid.NewString(), body)
	if code != 201 || out["booking"].(map[string]any)["status"] != "pending_payment" {
		t.Fatalf("booking: %d %v", code, out)
	}
	id := out["booking"].(map[string]any)["id"].(string)
	if code, out := call("POST", "/v1/bookings", host, uuid.NewString(), body); code != 409 || !strings.Contains(out["message"].(string), "already booked") {
		t.Fatalf("second booking of the slot: %d %v", code, out)
	}
	if code, out := call("POST", "/v1/bookings", guest, uuid.NewString(), strings.Replace(body, `"people":4`, `"people":40`, 1)); code != 400 ||
		!strings.Contains(toJSON(out), `"people"`) {
		t.Fatalf("40 people: %d %v", code, out)
	}
	if code, out := call("GET", "/v1/bookings/"+id, guest, "", ""); code != 200 || out["booking"].(map[string]any)["option"] != "day" {
		t.Fatalf("get booking: %d %v", code, out)
	}
	if code, _ := call("GET", "/v1/bookings/"+id, host, "", ""); code != 404 {
		t.Fatalf("another user's booking: %d", code)
	}
	if code, out := call("GET", "/v1/me/bookings", guest, "", ""); code != 200 || out["total_count"] != float64(1) {
		t.Fatalf("my bookings: %d %v", code, out)
	}
	eventually(t, "the hold in the catalog's availability", func() bool {
		code, out := call("GET", "/v1/spaces?district=seongdong&date="+date+"&option=day", "", "", "")
		return code == 200 && out["total_count"] == float64(0)
	})
	if code, out := call("GET", "/v1/spaces?district=seongdong&date="+date+"&option=night&people=3", "", "", ""); code != 200 || out["total_count"] != float64(1) {
		t.Fatalf("search free night: %d %v", code, out)
	}
	if code, out := call("GET", "/v1/spaces?sort=cheap", "", "", ""); code != 400 || !strings.Contains(toJSON(out), `"sort"`) {
		t.Fatalf("bad sort: %d %v", code, out)
	}
	if code, out := call("GET", "/v1/spaces/"+slug+"/availability?month="+date[:7], "", "", ""); code != 200 || len(out["days"].([]any)) < 28 {
		t.Fatalf("availability: %d %v", code, out)
	}
	if code, out := call("PUT", "/v1/spaces/"+slug+"/like", guest, "", ""); code != 200 || out["like_count"] != float64(1) {
		t.Fatalf("like: %d %v", code, out)
	}
	if code, out := call("GET", "/v1/spaces/"+slug, guest, "", ""); code != 200 || out["space"].(map[string]any)["liked_by_me"] != true {
		t.Fatalf("get space: %d %v", code, out)
	}
	if code, out := call("DELETE", "/v1/spaces/"+slug+"/like", guest, "", ""); code != 200 || out["like_count"] != float64(0) {
		t.Fatalf("unlike: %d %v", code, out)
	}
	if code, _ := call("PATCH", "/v1/spaces/"+slug, guest, "", `{"name":"Mine"}`); code != 403 {
		t.Fatalf("edit by a guest: %d", code)
	}
	if code, out := call("PATCH", "/v1/spaces/"+slug, host, "", `{"max_people":12}`); code != 200 || out["space"].(map[string]any)["max_people"] != float64(12) {
		t.Fatalf("edit by the host: %d %v", code, out)
	}
	if code, out := call("POST", "/v1/bookings/"+id+":cancel", guest, "", `{"reason":"oven broke"}`); code != 200 || out["booking"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", code, out)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
