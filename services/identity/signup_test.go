package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/identity"
)

func TestSignUpVerifyAndLogin(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	var header metadata.MD
	resp, err := e.client.SignUp(ctx, &identityv1.SignUpRequest{
		Email: "Minji@Example.com", Password: "correct-horse-7", Name: "김민지", Phone: "010-1234-5678",
	}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	u := resp.GetUser()
	if u.GetStatus() != "pending_verification" || u.GetEmail() != "minji@example.com" || u.GetPhone() != "+821012345678" || u.GetEmailVerified() {
		t.Fatalf("user = %v", u)
	}
	if got := header.Get("x-http-code"); len(got) != 1 || got[0] != "201" {
		t.Fatalf("x-http-code = %v, want 201", got)
	}

	// Before verification, the right password gets a 403 that says why.
	_, err = e.client.Login(ctx, &identityv1.LoginRequest{Email: "minji@example.com", Password: "correct-horse-7"})
	if code(err) != codes.PermissionDenied || reason(err) != "EMAIL_NOT_VERIFIED" || !strings.Contains(err.Error(), "verif") {
		t.Fatalf("login before verification = %v", err)
	}

	// The mailed link is the GET binding of VerifyEmail on the public URL.
	tok := e.mailedToken(t, "minji@example.com", "http://jangteo.test/verify-email?token=")
	verified, err := e.client.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: tok})
	if err != nil || verified.GetUser().GetStatus() != "active" || !verified.GetUser().GetEmailVerified() {
		t.Fatalf("VerifyEmail = %v, %v", verified, err)
	}
	// Single use.
	if _, err := e.client.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: tok}); code(err) != codes.InvalidArgument || reason(err) != "LINK_INVALID" {
		t.Fatalf("second VerifyEmail = %v", err)
	}
	login := e.login(t, "MINJI@example.com", "correct-horse-7")
	if login.GetUser().GetId() != u.GetId() {
		t.Fatalf("login user = %v", login.GetUser())
	}

	// Both events went out through the outbox.
	nc, err := nats.Connect(e.cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	for subject, msg := range map[string]proto.Message{
		"identity.user_registered": &identityv1.UserRegistered{},
		"identity.user_verified":   &identityv1.UserVerified{},
	} {
		stream, err := js.Stream(ctx, "IDENTITY")
		if err != nil {
			t.Fatal(err)
		}
		cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("%s: %v", subject, err)
		}
		if err := proto.Unmarshal(m.Data(), msg); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg.(interface{ GetUserId() string }).GetUserId(), u.GetId()) {
			t.Fatalf("%s = %v", subject, msg)
		}
	}
}

func TestSignUpErrors(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	if _, err := e.client.SignUp(ctx, &identityv1.SignUpRequest{Email: "taken@example.com", Password: "correct-horse-7", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		req   *identityv1.SignUpRequest
		code  codes.Code
		field string
	}{
		{"duplicate email, other case", &identityv1.SignUpRequest{Email: "TAKEN@example.com", Password: "correct-horse-7", Name: "B"}, codes.AlreadyExists, ""},
		{"malformed email", &identityv1.SignUpRequest{Email: "not-an-email", Password: "correct-horse-7", Name: "B"}, codes.InvalidArgument, "email"},
		{"short password", &identityv1.SignUpRequest{Email: "b@example.com", Password: "abc1", Name: "B"}, codes.InvalidArgument, "password"},
		{"common password", &identityv1.SignUpRequest{Email: "b@example.com", Password: "password1", Name: "B"}, codes.InvalidArgument, "password"},
		{"no digit", &identityv1.SignUpRequest{Email: "b@example.com", Password: "onlyletters", Name: "B"}, codes.InvalidArgument, "password"},
		{"bad phone", &identityv1.SignUpRequest{Email: "b@example.com", Password: "correct-horse-7", Name: "B", Phone: "12345"}, codes.InvalidArgument, "phone"},
		{"no name", &identityv1.SignUpRequest{Email: "b@example.com", Password: "correct-horse-7"}, codes.InvalidArgument, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SignUp(ctx, tt.req)
			if code(err) != tt.code {
				t.Fatalf("code = %v (%v), want %v", code(err), err, tt.code)
			}
			if tt.field != "" && !hasField(err, tt.field) {
				t.Fatalf("%v does not name %q", err, tt.field)
			}
		})
	}
}

func TestResendAndExpiredVerification(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *identity.Config) { c.VerifyTTL = 2 * time.Second })
	ctx := context.Background()
	if _, err := e.client.SignUp(ctx, &identityv1.SignUpRequest{Email: "late@example.com", Password: "correct-horse-7", Name: "Late"}); err != nil {
		t.Fatal(err)
	}
	first := e.mailedToken(t, "late@example.com", "/verify-email?token=")
	time.Sleep(2500 * time.Millisecond)
	if _, err := e.client.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: first}); reason(err) != "LINK_INVALID" {
		t.Fatalf("expired link = %v", err)
	}
	var header metadata.MD
	if _, err := e.client.ResendVerification(ctx, &identityv1.ResendVerificationRequest{Email: "late@example.com"}, grpc.Header(&header)); err != nil {
		t.Fatal(err)
	}
	if got := header.Get("x-http-code"); len(got) != 1 || got[0] != "202" {
		t.Fatalf("x-http-code = %v, want 202", got)
	}
	second := e.mailedTokenAfter(t, "late@example.com", "/verify-email?token=", first)
	if _, err := e.client.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: second}); err != nil {
		t.Fatalf("resent link: %v", err)
	}
	// Unknown and already active accounts get the same answer and no mail.
	before := len(e.sink.Messages())
	for _, email := range []string{"nobody@example.com", "late@example.com"} {
		if _, err := e.client.ResendVerification(ctx, &identityv1.ResendVerificationRequest{Email: email}); err != nil {
			t.Fatalf("resend %s: %v", email, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(e.sink.Messages()); n != before {
		t.Fatalf("%d new mails, want none", n-before)
	}
}
