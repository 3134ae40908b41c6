package mail

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBuild(t *testing.T) {
	t.Parallel()
	from := &mail.Address{Name: "장터", Address: "no-reply@jangteo.dev"}
	to := []*mail.Address{{Name: "김민지", Address: "minji@example.com"}}
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))

	tests := []struct {
		name      string
		msg       Message
		mediaType string
	}{
		{"both parts", Message{Subject: "[장터] 주문이 확인되었습니다 — 주문번호 JT-2025-0001, 감사합니다", Text: "본문\n둘째 줄", HTML: "<p>본문</p>"}, "multipart/alternative"},
		{"text only", Message{Subject: "ascii subject", Text: "body"}, "text/plain"},
		{"html only", Message{Subject: "s", HTML: "<p>x</p>"}, "text/html"},
		{"subject with newline injection", Message{Subject: "hi\r\nBcc: evil@example.com", Text: "x"}, "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, err := build(from, to, tt.msg, now)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			for i, line := range strings.Split(string(raw), "\r\n") {
				if len(line) > 78 {
					t.Errorf("line %d is %d characters: %q", i, len(line), line)
				}
				if strings.ContainsAny(line, "\r\n") {
					t.Errorf("line %d has a bare CR or LF", i)
				}
			}
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("ReadMessage: %v\n%s", err, raw)
			}
			h := m.Header
			if h.Get("Bcc") != "" {
				t.Fatalf("header injected: %q", h.Get("Bcc"))
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			wantSubject := strings.ReplaceAll(tt.msg.Subject, "\r\n", " ")
			if err != nil || subject != wantSubject {
				t.Errorf("Subject decodes to %q (%v), want %q", subject, err, wantSubject)
			}
			if got, _ := h.Date(); !got.Equal(now) {
				t.Errorf("Date = %v, want %v", got, now)
			}
			if !regexp.MustCompile(`^<[a-z2-7]{26}@jangteo\.dev>$`).MatchString(h.Get("Message-Id")) {
				t.Errorf("Message-ID = %q", h.Get("Message-Id"))
			}
			if h.Get("MIME-Version") != "1.0" {
				t.Errorf("MIME-Version = %q", h.Get("MIME-Version"))
			}
			if got, _ := mail.ParseAddress(h.Get("From")); got == nil || got.Name != "장터" {
				t.Errorf("From = %q", h.Get("From"))
			}
			if got, _ := mail.ParseAddress(h.Get("To")); got == nil || got.Name != "김민지" {
				t.Errorf("To = %q", h.Get("To"))
			}
			mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
			if err != nil || mediaType != tt.mediaType {
				t.Fatalf("Content-Type = %q, want %s", h.Get("Content-Type"), tt.mediaType)
			}
			if mediaType != "multipart/alternative" {
				return
			}
			// multipart.Reader decodes quoted-printable parts itself.
			mr := multipart.NewReader(m.Body, params["boundary"])
			var types, bodies []string
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("NextPart: %v", err)
				}
				b, _ := io.ReadAll(p)
				types = append(types, p.Header.Get("Content-Type"))
				bodies = append(bodies, string(b))
			}
			if strings.Join(types, "|") != "text/plain; charset=UTF-8|text/html; charset=UTF-8" {
				t.Errorf("part types = %v", types)
			}
			if len(bodies) == 2 && (bodies[0] != "본문\r\n둘째 줄" || bodies[1] != "<p>본문</p>") {
				t.Errorf("part bodies = %q", bodies)
			}
		})
	}
}

func TestIsAddress(t *testing.T) {
	for s, want := range map[string]bool{
		"minji@example.com":          true,
		"김민지 <minji@example.com>":    false,
		" minji@example.com":         false,
		"minji@example.com, a@b.com": false,
		"minji":                      false,
		"":                           false,
	} {
		if got := IsAddress(s); got != want {
			t.Errorf("IsAddress(%q) = %v, want %v", s, got, want)
		}
	}
}
