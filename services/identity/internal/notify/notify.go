// Package notify sends identity's mail from its events: the verification
// mail on identity.user_registered and identity.verification_requested, the
// reset mail on identity.password_reset_requested.
//
// The single-use token is created here, so events carry no secrets. It is
// committed before the mail is sent, so a link is valid the moment it can be
// clicked; a delivery that then fails leaves an unused token that simply
// expires, and the event is retried with a fresh one. If the relay accepts
// the mail but the inbox commit fails, a second mail goes out: sending twice
// beats never.
package notify

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jangteo/jangteo/platform/opaque"

	"github.com/jackc/pgx/v5"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/mail"
	idevents "github.com/jangteo/jangteo/services/identity/internal/events"
	"github.com/jangteo/jangteo/services/identity/internal/store"
)

// Mailer delivers one message.
type Mailer interface {
	Send(ctx context.Context, msg mail.Message) error
}

// Notifier turns events into mail. The mailed link's token is committed on
// the pool before the mail goes out (not in the consumer's transaction, which
// commits after the handler returns): a reader may click the link at once.
type Notifier struct {
	store     *store.Store
	mailer    Mailer
	publicURL string
	verifyTTL time.Duration
	resetTTL  time.Duration
	now       func() time.Time
}

// New returns a notifier whose links start with publicURL.
func New(st *store.Store, m Mailer, publicURL string, verifyTTL, resetTTL time.Duration) *Notifier {
	return &Notifier{store: st, mailer: m, publicURL: strings.TrimRight(publicURL, "/"),
		verifyTTL: verifyTTL, resetTTL: resetTTL, now: time.Now}
}

// VerifyLink is the link a verification mail carries: the GET binding of
// VerifyEmail, so clicking it activates the account.
func (n *Notifier) VerifyLink(tok string) string {
	return n.publicURL + "/verify-email?token=" + url.QueryEscape(tok)
}

// ResetLink is the link a reset mail carries: the frontend's page, which
// asks for the new password and calls POST /v1/auth/password/reset.
func (n *Notifier) ResetLink(tok string) string {
	return n.publicURL + "/reset-password?token=" + url.QueryEscape(tok)
}

// Verification mails a verification link for a sign-up or a resend.
func (n *Notifier) Verification(ctx context.Context, _ pgx.Tx, d events.Delivery) error {
	var userID, email, name string
	switch d.Subject {
	case idevents.SubjectUserRegistered:
		var ev identityv1.UserRegistered
		if err := d.Decode(&ev); err != nil {
			return err
		}
		if !ev.GetNeedsVerification() || ev.GetEmail() == "" {
			return nil // social sign-ups are verified by the provider
		}
		userID, email, name = ev.GetUserId(), ev.GetEmail(), ev.GetName()
	case idevents.SubjectVerificationRequested:
		var ev identityv1.VerificationRequested
		if err := d.Decode(&ev); err != nil {
			return err
		}
		userID, email, name = ev.GetUserId(), ev.GetEmail(), ev.GetName()
	default:
		return events.Permanent(fmt.Errorf("notify: unexpected subject %s", d.Subject))
	}
	tok, hash := opaque.New()
	if err := n.store.CreateOneTimeToken(ctx, "verify", userID, hash, n.now().Add(n.verifyTTL)); err != nil {
		return err
	}
	link := n.VerifyLink(tok)
	return n.mailer.Send(ctx, mail.Message{
		To:      email,
		Subject: "[장터] 이메일 주소를 인증해 주세요 / Verify your email",
		Text: fmt.Sprintf("%s님, 장터에 오신 것을 환영합니다.\n\nWelcome to Jangteo, %s.\n\n"+
			"Open this link to verify your email address and activate your account:\n%s\n\n"+
			"The link works once and expires in %s. If you did not sign up, ignore this mail.\n",
			name, name, link, humanDuration(n.verifyTTL)),
	})
}

// PasswordReset mails a reset link.
func (n *Notifier) PasswordReset(ctx context.Context, _ pgx.Tx, d events.Delivery) error {
	var ev identityv1.PasswordResetRequested
	if err := d.Decode(&ev); err != nil {
		return err
	}
	tok, hash := opaque.New()
	if err := n.store.CreateOneTimeToken(ctx, "reset", ev.GetUserId(), hash, n.now().Add(n.resetTTL)); err != nil {
		return err
	}
	return n.mailer.Send(ctx, mail.Message{
		To:      ev.GetEmail(),
		Subject: "[장터] 비밀번호 재설정 / Reset your password",
		Text: fmt.Sprintf("%s님,\n\nSomeone asked to reset the password of your Jangteo account.\n\n"+
			"Open this link to choose a new password:\n%s\n\n"+
			"Or send the token below to POST /v1/auth/password/reset with your new password:\n%s\n\n"+
			"The link works once and expires in %s. If you did not ask for it, ignore this mail: "+
			"your password stays as it is.\n",
			ev.GetName(), n.ResetLink(tok), tok, humanDuration(n.resetTTL)),
	})
}

// humanDuration renders a link's lifetime for a mail: "24 hours", "1 hour",
// "30 minutes".
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	if d >= time.Hour && d%time.Hour == 0 {
		return plural(int64(d/time.Hour), "hour")
	}
	return plural(int64((d+time.Minute-1)/time.Minute), "minute")
}
