package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMailLinks follows the links identity mails to the pages the gateway
// serves: opening a link changes nothing (a mail scanner may prefetch it),
// the page's button does.
func TestMailLinks(t *testing.T) {
	cfg := testConfig(t)
	base, _ := startStack(t, cfg)
	get, post := client(t, base)
	waitReady(t, get)

	const email, password = "mail-links@example.com", "seoul2026!"
	if code, body := post("/v1/auth/signup", "", "", `{"email":"`+email+`","password":"`+password+`","name":"김메일"}`); code != http.StatusCreated {
		t.Fatalf("signup = %d %v", code, body)
	}
	link := mailedLink(t, base, email, "/verify-email?token=")
	page := fetch(t, "GET", link, nil)
	if page.code != http.StatusOK || !strings.Contains(page.body, `method="post"`) || !strings.Contains(page.body, "이메일 확인") ||
		strings.Contains(page.body, "<script") || page.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("verify page = %d %q", page.code, page.body)
	}
	// Opening the page twice verified nothing.
	fetch(t, "GET", link, nil)
	if code, body := post("/v1/auth/login", "", "", `{"email":"`+email+`","password":"`+password+`"}`); code == http.StatusOK {
		t.Fatalf("login before the button = %d %v; the GET must not verify", code, body)
	}
	token := tokenOf(t, link)
	done := fetch(t, "POST", base+"/verify-email", url.Values{"token": {token}})
	if done.code != http.StatusOK || !strings.Contains(done.body, "confirmed") {
		t.Fatalf("verify = %d %q", done.code, done.body)
	}
	if code, body := post("/v1/auth/login", "", "", `{"email":"`+email+`","password":"`+password+`"}`); code != http.StatusOK {
		t.Fatalf("login after verifying = %d %v", code, body)
	}
	if again := fetch(t, "POST", base+"/verify-email", url.Values{"token": {token}}); again.code != http.StatusBadRequest || !strings.Contains(again.body, "expired") {
		t.Fatalf("second verify = %d %q", again.code, again.body)
	}

	// Password reset: the page asks for the new password; a weak one keeps
	// the form, a good one signs every session out.
	if code, _ := post("/v1/auth/password/forgot", "", "", `{"email":"`+email+`"}`); code != http.StatusAccepted {
		t.Fatalf("forgot = %d", code)
	}
	link = mailedLink(t, base, email, "/reset-password?token=")
	if page := fetch(t, "GET", link, nil); page.code != http.StatusOK || !strings.Contains(page.body, `name="new_password"`) {
		t.Fatalf("reset page = %d %q", page.code, page.body)
	}
	token = tokenOf(t, link)
	if weak := fetch(t, "POST", base+"/reset-password", url.Values{"token": {token}, "new_password": {"x"}}); weak.code != http.StatusBadRequest ||
		!strings.Contains(weak.body, `name="new_password"`) {
		t.Fatalf("weak password = %d %q", weak.code, weak.body)
	}
	const newPassword = "busan2026!?"
	if ok := fetch(t, "POST", base+"/reset-password", url.Values{"token": {token}, "new_password": {newPassword}}); ok.code != http.StatusOK {
		t.Fatalf("reset = %d %q", ok.code, ok.body)
	}
	if code, body := post("/v1/auth/login", "", "", `{"email":"`+email+`","password":"`+newPassword+`"}`); code != http.StatusOK {
		t.Fatalf("login with the new password = %d %v", code, body)
	}
	if bad := fetch(t, "GET", base+"/verify-email", nil); bad.code != http.StatusBadRequest {
		t.Fatalf("verify page without a token = %d", bad.code)
	}
}

type page struct {
	code   int
	body   string
	header http.Header
}

func fetch(t *testing.T, method, u string, form url.Values) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(raw), resp.Header}
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// mailedLink waits for the newest mail to email with a link containing path.
func mailedLink(t *testing.T, base, email, path string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var mails []struct {
			Text string `json:"text"`
		}
		p := fetch(t, "GET", base+"/dev/mailbox?to="+url.QueryEscape(email), nil)
		_ = json.Unmarshal([]byte(p.body), &mails)
		for _, m := range mails {
			for _, l := range linkRE.FindAllString(m.Text, -1) {
				if strings.Contains(l, path) {
					return l
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with %s", email, path)
	return ""
}

func tokenOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}
