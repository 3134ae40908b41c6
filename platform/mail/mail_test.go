package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
)

func startSink(t *testing.T, opts ...smtpsink.Option) (*smtpsink.Sink, string, int) {
	t.Helper()
	sink, err := smtpsink.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("smtpsink.Start: %v", err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	host, port, _ := net.SplitHostPort(sink.Addr())
	p, _ := strconv.Atoi(port)
	return sink, host, p
}

func newSender(t *testing.T, cfg mail.Config) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

// selfSigned returns server and client TLS configs for 127.0.0.1.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "smtpsink test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func waitFor(t *testing.T, sink *smtpsink.Sink, to string) smtpsink.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := sink.Wait(ctx, func(m smtpsink.Message) bool { return m.SentTo(to) })
	if err != nil {
		t.Fatalf("Wait for mail to %s: %v", to, err)
	}
	return m
}

func TestSendToSink(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	// A subject long enough that its Q-encoding must be folded.
	longSubject := "[장터] 이메일 주소를 인증해 주세요 — 가입을 마무리하려면 아래 링크를 눌러 주세요"
	text := "안녕하세요, 민지 님.\n\n아래 링크를 열어 인증을 마치세요:\nhttps://jangteo.dev/verify?token=abc.def\n" +
		".a line starting with a dot\n" + strings.Repeat("긴 줄 ", 60)
	html := `<p>안녕하세요, <b>민지</b> 님.</p><p><a href="https://jangteo.dev/verify?token=abc.def">인증하기</a></p>`

	tests := []struct {
		name     string
		cfg      func(host string, port int) mail.Config
		sinkOpts []smtpsink.Option
		msg      mail.Message
		wantTLS  bool
	}{
		{
			name: "text and html, korean subject",
			msg:  mail.Message{To: "김민지 <minji@example.com>", Subject: "[장터] 이메일 인증", Text: text, HTML: html},
		},
		{
			name: "long subject, text only",
			msg:  mail.Message{To: "long@example.com", Subject: longSubject, Text: "본문"},
		},
		{
			name: "html only",
			msg:  mail.Message{To: "html@example.com", Subject: "Order JT-2025-0001 confirmed", HTML: html},
		},
		{
			name: "several recipients",
			msg:  mail.Message{To: "a@example.com, 운영팀 <ops@example.com>", Subject: "알림", Text: "x"},
		},
		{
			name: "plain auth on localhost",
			cfg: func(host string, port int) mail.Config {
				return mail.Config{Host: host, Port: port, From: "no-reply@jangteo.dev", Username: "u", Password: "p"}
			},
			msg: mail.Message{To: "auth@example.com", Subject: "auth", Text: "x"},
		},
		{
			name: "starttls when offered, then auth",
			cfg: func(host string, port int) mail.Config {
				return mail.Config{Host: host, Port: port, From: "no-reply@jangteo.dev", Username: "u", Password: "p", StartTLS: true, TLSConfig: clientTLS}
			},
			sinkOpts: []smtpsink.Option{smtpsink.WithTLS(serverTLS)},
			msg:      mail.Message{To: "tls@example.com", Subject: "보안", Text: "x", HTML: "<p>x</p>"},
			wantTLS:  true,
		},
		{
			name: "starttls wanted but not offered",
			cfg: func(host string, port int) mail.Config {
				return mail.Config{Host: host, Port: port, From: "no-reply@jangteo.dev", StartTLS: true}
			},
			msg: mail.Message{To: "notls@example.com", Subject: "x", Text: "x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink, host, port := startSink(t, tt.sinkOpts...)
			cfg := mail.Config{Host: host, Port: port, From: "장터 <no-reply@jangteo.dev>"}
			if tt.cfg != nil {
				cfg = tt.cfg(host, port)
			}
			if err := newSender(t, cfg).Send(context.Background(), tt.msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			first := strings.TrimSpace(tt.msg.To[strings.LastIndex(tt.msg.To, "<")+1:])
			first = strings.Trim(strings.Split(first, ",")[0], "<> ")
			got := waitFor(t, sink, first)

			if got.Subject != tt.msg.Subject {
				t.Errorf("Subject = %q, want %q", got.Subject, tt.msg.Subject)
			}
			if want := strings.TrimRight(tt.msg.Text, "\n"); got.Text != want {
				t.Errorf("Text = %q\nwant  %q", got.Text, want)
			}
			if got.HTML != tt.msg.HTML {
				t.Errorf("HTML = %q, want %q", got.HTML, tt.msg.HTML)
			}
			if got.From != "no-reply@jangteo.dev" {
				t.Errorf("envelope From = %q", got.From)
			}
			if got.TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", got.TLS, tt.wantTLS)
			}
		})
	}
}

func TestSendSeveralRecipientsEnvelope(t *testing.T) {
	t.Parallel()
	sink, host, port := startSink(t)
	s := newSender(t, mail.Config{Host: host, Port: port, From: "no-reply@jangteo.dev"})
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com, 운영팀 <ops@example.com>", Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := waitFor(t, sink, "ops@example.com")
	if strings.Join(m.To, ",") != "a@example.com,ops@example.com" {
		t.Fatalf("envelope To = %v", m.To)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	_, host, port := startSink(t)

	// A port nobody listens on.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	deadPort := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()

	// A server that accepts and then never says a word.
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	silentPort := silent.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name    string
		cfg     mail.Config
		msg     mail.Message
		wantErr error
	}{
		{"no recipient", mail.Config{Host: host, Port: port, From: "a@b.c"}, mail.Message{Text: "x"}, mail.ErrNoRecipient},
		{"bad recipient", mail.Config{Host: host, Port: port, From: "a@b.c"}, mail.Message{To: "not an address", Text: "x"}, nil},
		{"no body", mail.Config{Host: host, Port: port, From: "a@b.c"}, mail.Message{To: "x@y.z"}, mail.ErrNoBody},
		{"connection refused", mail.Config{Host: "127.0.0.1", Port: deadPort, From: "a@b.c"}, mail.Message{To: "x@y.z", Text: "x"}, nil},
		{"silent server times out", mail.Config{Host: "127.0.0.1", Port: silentPort, From: "a@b.c", Timeout: 100 * time.Millisecond}, mail.Message{To: "x@y.z", Text: "x"}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := newSender(t, tt.cfg).Send(context.Background(), tt.msg)
			if err == nil {
				t.Fatal("Send succeeded, want error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestSendCancelled(t *testing.T) {
	t.Parallel()
	_, host, port := startSink(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newSender(t, mail.Config{Host: host, Port: port, From: "a@b.c"}).Send(ctx, mail.Message{To: "x@y.z", Text: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestNewSenderValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  mail.Config
		ok   bool
	}{
		{"ok", mail.Config{Host: "smtp.example.com", Port: 587, From: "Jangteo <no-reply@jangteo.dev>"}, true},
		{"korean display name", mail.Config{Host: "smtp.example.com", Port: 587, From: "장터 <no-reply@jangteo.dev>"}, true},
		{"no host", mail.Config{Port: 587, From: "a@b.c"}, false},
		{"no port", mail.Config{Host: "h", From: "a@b.c"}, false},
		{"port too big", mail.Config{Host: "h", Port: 70000, From: "a@b.c"}, false},
		{"no from", mail.Config{Host: "h", Port: 25}, false},
		{"bad from", mail.Config{Host: "h", Port: 25, From: "not an address"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mail.NewSender(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("NewSender err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
