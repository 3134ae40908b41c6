package community_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/gateway"
)

// rest is the community behind a real gateway.
type rest struct {
	t   *testing.T
	url string
}

func (e *env) rest(t *testing.T) *rest {
	t.Helper()
	cfg := gateway.DefaultConfig()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	cfg.IdentityEndpoint, cfg.CatalogEndpoint, cfg.CartEndpoint, cfg.OrderEndpoint, cfg.PaymentEndpoint = down, down, down, down, down
	cfg.CommunityEndpoint = e.addr
	gw, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	// Pictures on disk are served beside the API, as cmd/jangteo mounts them.
	if media := e.svc.MediaHandler(); media != nil {
		gw.Handle("/media/", http.StripPrefix("/media", media))
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })
	return &rest{t: t, url: srv.URL}
}

// do sends a request as token's holder ("" for a visitor) and returns the
// status, the raw body and the body decoded.
func (r *rest) do(token, method, path, body string) (int, string, map[string]any) {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, string(raw), out
}

// TestRESTAnonymity walks an anonymous thread through the gateway and scans
// every JSON body another member receives for the anonymous participants'
// ids, usernames and names.
func TestRESTAnonymity(t *testing.T) {
	t.Parallel()
	e := start(t)
	r := e.rest(t)
	tok := func(u user, roles ...string) string {
		if len(roles) == 0 {
			roles = []string{"customer"}
		}
		return e.iss.Token(u.id, roles...)
	}
	staff, op, anon, reader := e.newUser(t, "staff", "운영자"), e.newUser(t, "op_hidden", "숨은글쓴이"), e.newUser(t, "anon_hidden", "숨은댓글러"), e.newUser(t, "reader", "읽는이")
	code, _, _ := r.do(tok(staff, "staff"), "POST", "/v1/boards", `{"slug":"free","name":"자유게시판","category":"커뮤니티","anonymous_allowed":true}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/boards = %d", code)
	}
	code, _, body := r.do(tok(op), "POST", "/v1/boards/free/posts", `{"title":"익명 글","body":"고민","anonymous":true}`)
	if code != http.StatusCreated {
		t.Fatalf("POST post = %d %v", code, body)
	}
	postID := body["post"].(map[string]any)["id"].(string)
	_, _, body = r.do(tok(anon), "POST", "/v1/posts/"+postID+"/comments", `{"body":"힘내요","anonymous":true}`)
	commentID := body["comment"].(map[string]any)["id"].(string)
	if code, _, _ := r.do(tok(op), "POST", "/v1/comments/"+commentID+"/replies", `{"body":"고마워요"}`); code != http.StatusCreated {
		t.Fatalf("reply = %d", code)
	}

	var bodies []string
	see := func(wantCode int, method, path, body string) map[string]any {
		t.Helper()
		code, raw, out := r.do(tok(reader), method, path, body)
		if code != wantCode {
			t.Fatalf("%s %s = %d, want %d: %s", method, path, code, wantCode, raw)
		}
		bodies = append(bodies, raw)
		return out
	}
	see(200, "GET", "/v1/posts/"+postID, "")
	thread := see(200, "GET", "/v1/posts/"+postID+"/comments", "")
	see(200, "GET", "/v1/boards/free/posts", "")
	see(200, "GET", "/v1/feed", "")
	see(200, "GET", "/v1/feed?kind=popular", "")
	see(200, "PUT", "/v1/posts/"+postID+"/like", "")
	see(200, "PUT", "/v1/comments/"+commentID+"/like", "")
	see(200, "PUT", "/v1/posts/"+postID+"/scrap", "")
	see(200, "GET", "/v1/me/scraps", "")
	sent := see(201, "POST", "/v1/posts/"+postID+"/messages", `{"body":"쪽지 드려요"}`)
	convID := sent["conversation"].(map[string]any)["id"].(string)
	see(201, "POST", "/v1/comments/"+commentID+"/messages", `{"body":"댓글 보고 연락"}`)
	see(200, "GET", "/v1/me/conversations", "")
	see(200, "GET", "/v1/me/conversations/"+convID, "")
	see(201, "POST", "/v1/reports", `{"post_id":"`+postID+`","reason":"REPORT_REASON_OTHER"}`)
	see(403, "PATCH", "/v1/posts/"+postID, `{"title":"x"}`)
	see(403, "DELETE", "/v1/comments/"+commentID, "")
	// Even knowing who someone is, their anonymous posts are not listed under them.
	if posts := see(200, "GET", "/v1/profiles/op_hidden/posts", "")["posts"].([]any); len(posts) != 0 {
		t.Fatalf("anonymous post listed under its author: %v", posts)
	}
	for _, b := range bodies {
		for _, secret := range []string{op.id, op.username, op.name, anon.id, anon.username, anon.name} {
			if strings.Contains(b, secret) {
				t.Fatalf("a response reveals %q:\n%s", secret, b)
			}
		}
	}
	// The thread as JSON: pseudonyms, numbers as JSON numbers.
	c := thread["comments"].([]any)[0].(map[string]any)
	if c["author"].(map[string]any)["display_name"] != "익명1" ||
		c["replies"].([]any)[0].(map[string]any)["author"].(map[string]any)["display_name"] != "익명(글쓴이)" {
		t.Fatalf("thread = %v", thread)
	}

	// HTTP statuses a frontend relies on.
	if code, _, _ := r.do("", "PUT", "/v1/posts/"+postID+"/like", ""); code != http.StatusUnauthorized {
		t.Fatalf("visitor like = %d", code)
	}
	if code, _, _ := r.do(tok(reader), "GET", "/v1/posts/0193a7b2-0000-7000-8000-000000000000", ""); code != http.StatusNotFound {
		t.Fatalf("unknown post = %d", code)
	}
	code, raw, _ := r.do(tok(reader), "POST", "/v1/boards/free/posts", `{"title":"`+strings.Repeat("가", 101)+`","body":"b"}`)
	if code != http.StatusBadRequest || !strings.Contains(raw, `"title"`) || !strings.Contains(raw, "100") {
		t.Fatalf("long title = %d %s", code, raw)
	}
	if code, _, out := r.do(tok(reader), "DELETE", "/v1/posts/"+postID+"/like", ""); code != 200 || out["like_count"] != float64(0) {
		t.Fatalf("unlike = %d %v", code, out)
	}
	// The staff queue is served under the gateway's admin prefix.
	if code, raw, out := r.do(tok(staff, "staff"), "GET", "/v1/admin/reports", ""); code != 200 || len(out["reports"].([]any)) != 1 {
		t.Fatalf("staff queue = %d %s", code, raw)
	}
	if code, _, _ := r.do(tok(reader), "GET", "/v1/admin/reports", ""); code != http.StatusForbidden {
		t.Fatalf("member reading the queue = %d", code)
	}
	// A product's styles route reaches the community beside the catalog's
	// product routes; with the catalog down it is a 503, not a 404 or 500.
	if code, raw, _ := r.do("", "GET", "/v1/products/runner/styles", ""); code != http.StatusServiceUnavailable || !strings.Contains(raw, "CATALOG_UNAVAILABLE") {
		t.Fatalf("product styles with the catalog down = %d %s", code, raw)
	}
}
