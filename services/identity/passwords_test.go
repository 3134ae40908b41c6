package identity_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

func TestForgotAndResetPassword(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	s := e.signUp(t, "forgot@example.com")

	// Unknown accounts get the same 202 and no mail.
	for _, email := range []string{"nobody@example.com", "forgot@example.com"} {
		var header metadata.MD
		if _, err := e.client.ForgotPassword(ctx, &identityv1.ForgotPasswordRequest{Email: email}, grpc.Header(&header)); err != nil {
			t.Fatal(err)
		}
		if got := header.Get("x-http-code"); len(got) != 1 || got[0] != "202" {
			t.Fatalf("x-http-code = %v, want 202", got)
		}
	}
	tok := e.mailedToken(t, "forgot@example.com", "http://jangteo.test/reset-password?token=")
	for _, m := range e.sink.Messages() {
		if m.SentTo("nobody@example.com") {
			t.Fatal("a reset mail went to an unknown address")
		}
	}

	_, err := e.client.ResetPassword(ctx, &identityv1.ResetPasswordRequest{Token: tok, NewPassword: "short1"})
	if code(err) != codes.InvalidArgument || !hasField(err, "new_password") {
		t.Fatalf("weak new password = %v", err)
	}
	if _, err := e.client.ResetPassword(ctx, &identityv1.ResetPasswordRequest{Token: tok, NewPassword: "brand-new-pass-42"}); err != nil {
		t.Fatal(err)
	}
	// Every session ended; the old password is gone; the link is used up.
	if _, err := refresh(e, s.GetRefreshToken()); code(err) != codes.Unauthenticated {
		t.Fatalf("refresh after reset = %v", err)
	}
	if _, err := e.client.Login(ctx, &identityv1.LoginRequest{Email: "forgot@example.com", Password: "correct-horse-7"}); code(err) != codes.Unauthenticated {
		t.Fatalf("old password = %v", err)
	}
	e.login(t, "forgot@example.com", "brand-new-pass-42")
	if _, err := e.client.ResetPassword(ctx, &identityv1.ResetPasswordRequest{Token: tok, NewPassword: "another-pass-43"}); reason(err) != "LINK_INVALID" {
		t.Fatalf("second reset = %v", err)
	}
}

func TestResetActivatesPendingAccount(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	if _, err := e.client.SignUp(ctx, &identityv1.SignUpRequest{Email: "pending@example.com", Password: "correct-horse-7", Name: "P"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ForgotPassword(ctx, &identityv1.ForgotPasswordRequest{Email: "pending@example.com"}); err != nil {
		t.Fatal(err)
	}
	tok := e.mailedToken(t, "pending@example.com", "/reset-password?token=")
	if _, err := e.client.ResetPassword(ctx, &identityv1.ResetPasswordRequest{Token: tok, NewPassword: "brand-new-pass-42"}); err != nil {
		t.Fatal(err)
	}
	// The reset link proved the mailbox, so the account is verified now.
	if s := e.login(t, "pending@example.com", "brand-new-pass-42"); !s.GetUser().GetEmailVerified() {
		t.Fatalf("user = %v", s.GetUser())
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := start(t)
	s := e.signUp(t, "change@example.com")
	me := as(s.GetAccessToken())
	tests := []struct {
		name     string
		current  string
		new      string
		field    string
		wantCode codes.Code
	}{
		{"wrong current", "wrong-pass-1", "brand-new-pass-42", "current_password", codes.InvalidArgument},
		{"weak new", "correct-horse-7", "abc", "new_password", codes.InvalidArgument},
		{"ok", "correct-horse-7", "brand-new-pass-42", "", codes.OK},
	}
	for _, tt := range tests {
		_, err := e.client.ChangePassword(me, &identityv1.ChangePasswordRequest{CurrentPassword: tt.current, NewPassword: tt.new})
		if code(err) != tt.wantCode || (tt.field != "" && !hasField(err, tt.field)) {
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	if _, err := refresh(e, s.GetRefreshToken()); code(err) != codes.Unauthenticated {
		t.Fatalf("refresh after change = %v", err)
	}
	e.login(t, "change@example.com", "brand-new-pass-42")
	if _, err := e.client.ChangePassword(context.Background(), &identityv1.ChangePasswordRequest{CurrentPassword: "x", NewPassword: "y"}); code(err) != codes.Unauthenticated {
		t.Fatalf("without token = %v", err)
	}
}
