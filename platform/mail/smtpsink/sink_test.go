package smtpsink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

func startSink(t *testing.T, opts ...Option) *Sink {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dial opens a raw SMTP session and reads the greeting.
func dial(t *testing.T, s *Sink) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return c
}

// step is one client line and the reply code expected for it.
type step struct {
	send string
	want int
}

func run(t *testing.T, c *textproto.Conn, steps []step) {
	t.Helper()
	for _, st := range steps {
		if err := c.PrintfLine("%s", st.send); err != nil {
			t.Fatalf("send %q: %v", st.send, err)
		}
		code, msg, err := c.ReadResponse(0)
		if code != st.want {
			t.Fatalf("%q: got %d %s (%v), want %d", st.send, code, msg, err, st.want)
		}
	}
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestProtocol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []step
		// stored is how many messages the session leaves behind.
		stored int
	}{
		{
			name: "full transaction",
			steps: []step{
				{"EHLO client.example", 250},
				{"MAIL FROM:<a@example.com> BODY=8BITMIME SMTPUTF8", 250},
				{"RCPT TO:<b@example.com>", 250},
				{"RCPT TO:<c@example.com>", 250},
				{"DATA", 354},
				{"Subject: hi\r\n\r\nbody\r\n.", 250},
				{"QUIT", 221},
			},
			stored: 1,
		},
		{
			name: "commands out of order",
			steps: []step{
				{"MAIL FROM:<a@example.com>", 503},
				{"HELO client.example", 250},
				{"RCPT TO:<b@example.com>", 503},
				{"DATA", 503},
				{"MAIL FROM:<a@example.com>", 250},
				{"MAIL FROM:<a@example.com>", 503},
				{"DATA", 503},
			},
		},
		{
			name: "rset aborts transaction",
			steps: []step{
				{"EHLO x", 250},
				{"MAIL FROM:<a@example.com>", 250},
				{"RCPT TO:<b@example.com>", 250},
				{"RSET", 250},
				{"DATA", 503},
				{"NOOP", 250},
				{"MAIL FROM:<a@example.com>", 250},
			},
		},
		{
			name: "syntax errors",
			steps: []step{
				{"EHLO", 501},
				{"EHLO x", 250},
				{"MAIL TO:<a@example.com>", 501},
				{"MAIL FROM:<>", 250}, // null reverse-path for bounces
				{"RCPT TO:<>", 501},
				{"RCPT FROM:<b@example.com>", 501},
				{"BOGUS", 502},
				{"", 500},
				{"VRFY someone", 252},
				{"STARTTLS", 502},
				{"MAIL FROM:<" + strings.Repeat("a", 600) + ">", 500},
				{"NOOP", 250},
			},
		},
		{
			name: "auth accepts anything",
			steps: []step{
				{"AUTH PLAIN AGEAYg==", 503},
				{"EHLO x", 250},
				{"AUTH PLAIN AGEAYg==", 235},
				{"AUTH PLAIN", 334},
				{"AGEAYg==", 235},
				{"AUTH LOGIN", 334},
				{"YQ==", 334},
				{"Yg==", 235},
				{"AUTH PLAIN !!!", 501},
				{"AUTH CRAM-MD5", 504},
				{"AUTH PLAIN", 334},
				{"*", 501},
			},
		},
		{
			name: "lower-case verbs",
			steps: []step{
				{"ehlo x", 250},
				{"mail from:<a@example.com>", 250},
				{"rcpt to:<b@example.com>", 250},
				{"data", 354},
				{"\r\nx\r\n.", 250},
			},
			stored: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startSink(t)
			run(t, dial(t, s), tt.steps)
			if got := len(s.Messages()); got != tt.stored {
				t.Fatalf("stored %d messages, want %d", got, tt.stored)
			}
		})
	}
}

func TestEHLOAdvertises(t *testing.T) {
	t.Parallel()
	c := dial(t, startSink(t))
	if err := c.PrintfLine("EHLO x"); err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.ReadResponse(250)
	if err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	for _, ext := range []string{"8BITMIME", "SMTPUTF8", "SIZE ", "AUTH PLAIN LOGIN"} {
		if !strings.Contains(msg, ext) {
			t.Errorf("EHLO reply %q lacks %s", msg, ext)
		}
	}
	if strings.Contains(msg, "STARTTLS") {
		t.Errorf("EHLO offers STARTTLS without a TLS config: %q", msg)
	}
}

func TestDotUnstuffingAndEnvelope(t *testing.T) {
	t.Parallel()
	s := startSink(t)
	c := dial(t, s)
	run(t, c, []step{
		{"EHLO x", 250},
		{"MAIL FROM:<no-reply@jangteo.dev>", 250},
		{"RCPT TO:<Minji@Example.com>", 250},
		{"DATA", 354},
	})
	// ".." at a line start is a stuffed "."; a lone "." ends the data.
	body := "Subject: dots\r\n\r\n..leading dot\r\n...\r\nmiddle . dot\r\n."
	run(t, c, []step{{body, 250}})
	m, err := s.Wait(ctx(t), func(m Message) bool { return m.SentTo("minji@example.com") })
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if want := ".leading dot\n..\nmiddle . dot"; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	if m.From != "no-reply@jangteo.dev" || len(m.To) != 1 || m.To[0] != "Minji@Example.com" {
		t.Errorf("envelope = %q -> %q", m.From, m.To)
	}
	if m.ID == "" || m.ReceivedAt.IsZero() || m.TLS {
		t.Errorf("metadata = %+v", m)
	}
}

func TestParseMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		raw                 string
		subject, text, html string
	}{
		{
			name:    "plain 8bit",
			raw:     "Subject: 주문 확인\r\n\r\n감사합니다\r\n",
			subject: "주문 확인", text: "감사합니다",
		},
		{
			name:    "q-encoded subject, quoted-printable body",
			raw:     "Subject: =?UTF-8?q?=EC=9D=B8=EC=A6=9D?=\r\n =?UTF-8?q?_=EB=A9=94=EC=9D=BC?=\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=EC=95=88=EB=85=95 soft=\r\nbreak\r\n",
			subject: "인증 메일", text: "안녕 softbreak",
		},
		{
			name:    "b-encoded subject, base64 html only",
			raw:     "Subject: =?utf-8?b?7J247Kad?=\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+7JWI\r\n64WVPC9wPg==\r\n",
			subject: "인증", html: "<p>안녕</p>",
		},
		{
			name: "nested multipart with attachment",
			raw: "Subject: nested\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n" +
				"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
				"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n" +
				"--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<b>html=3D</b>\r\n" +
				"--inner--\r\n" +
				"--outer\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nattached\r\n" +
				"--outer--\r\n",
			subject: "nested", text: "plain body", html: "<b>html=</b>",
		},
		{
			name:    "no content type means text/plain",
			raw:     "Subject: x\r\n\r\nline1\r\nline2\r\n\r\n",
			subject: "x", text: "line1\nline2",
		},
		{
			name: "not a message at all",
			raw:  "garbage without headers",
			text: "garbage without headers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := parseMessage([]byte(tt.raw))
			if m.Subject != tt.subject || m.Text != tt.text || m.HTML != tt.html {
				t.Fatalf("got subject %q text %q html %q\nwant subject %q text %q html %q",
					m.Subject, m.Text, m.HTML, tt.subject, tt.text, tt.html)
			}
		})
	}
}

func TestCapacityKeepsNewest(t *testing.T) {
	t.Parallel()
	s := startSink(t, WithCapacity(3))
	for i := range 5 {
		s.store(Message{ID: fmt.Sprint(i)})
	}
	var ids []string
	for _, m := range s.Messages() {
		ids = append(ids, m.ID)
	}
	if got := strings.Join(ids, ","); got != "4,3,2" {
		t.Fatalf("ids = %s, want 4,3,2", got)
	}
}

func TestOversizedMessageRefused(t *testing.T) {
	t.Parallel()
	s := startSink(t)
	c := dial(t, s)
	run(t, c, []step{
		{"EHLO x", 250},
		{"MAIL FROM:<a@example.com>", 250},
		{"RCPT TO:<b@example.com>", 250},
		{"DATA", 354},
	})
	w := c.DotWriter()
	line := strings.Repeat("x", 998) + "\r\n"
	for range maxMessageSize/len(line) + 10 {
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ReadResponse(552); err != nil {
		t.Fatalf("oversized DATA: %v", err)
	}
	// The session is still in step and usable.
	run(t, c, []step{{"NOOP", 250}})
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("stored %d messages, want 0", n)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	s := startSink(t)
	s.store(Message{ID: "old", To: []string{"a@example.com"}})

	// Already there.
	if m, err := s.Wait(ctx(t), func(m Message) bool { return m.SentTo("a@example.com") }); err != nil || m.ID != "old" {
		t.Fatalf("Wait existing = %v, %v", m.ID, err)
	}

	// Arrives later; several waiters all wake.
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			m, err := s.Wait(ctx(t), func(m Message) bool { return m.SentTo("b@example.com") })
			if err == nil && m.ID != "new" {
				err = fmt.Errorf("got %s", m.ID)
			}
			errs <- err
		})
	}
	time.Sleep(20 * time.Millisecond)
	s.store(Message{ID: "other", To: []string{"c@example.com"}})
	s.store(Message{ID: "new", To: []string{"b@example.com"}})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Wait later: %v", err)
		}
	}

	// Context ends first.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Wait(short, func(Message) bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait timeout err = %v", err)
	}

	// Close wakes a waiter.
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(context.Background(), func(Message) bool { return false })
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait after Close err = %v, want ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not wake Wait")
	}
	if len(s.Messages()) != 3 {
		t.Fatal("messages lost on Close")
	}
}

func TestCloseDropsOpenSessions(t *testing.T) {
	t.Parallel()
	s := startSink(t)
	c := dial(t, s)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close hung on an idle session")
	}
	if _, err := c.ReadLine(); err == nil {
		t.Fatal("session still open after Close")
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	s := startSink(t)
	s.store(Message{ID: "1", To: []string{"a@example.com"}, Subject: "first", Text: "t"})
	s.store(Message{ID: "2", To: []string{"B@example.com"}, Subject: "둘째", HTML: "<p>h</p>"})

	tests := []struct {
		name    string
		method  string
		target  string
		status  int
		wantIDs []string
	}{
		{"all newest first", http.MethodGet, "/dev/mailbox", 200, []string{"2", "1"}},
		{"filter by recipient", http.MethodGet, "/dev/mailbox?to=b@example.com", 200, []string{"2"}},
		{"filter without match", http.MethodGet, "/dev/mailbox?to=z@example.com", 200, []string{}},
		{"head", http.MethodHead, "/dev/mailbox", 200, nil},
		{"post refused", http.MethodPost, "/dev/mailbox", 405, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if tt.wantIDs == nil {
				return
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type = %q", ct)
			}
			var got []map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %s: %v", rec.Body, err)
			}
			ids := []string{}
			for _, m := range got {
				ids = append(ids, m["id"].(string))
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Fatalf("ids = %v, want %v", ids, tt.wantIDs)
			}
			if len(got) > 0 {
				for _, k := range []string{"id", "from", "to", "subject", "text", "html", "tls", "received_at"} {
					if _, ok := got[0][k]; !ok {
						t.Errorf("JSON lacks %q: %v", k, got[0])
					}
				}
			}
		})
	}
}
