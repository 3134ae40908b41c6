// Package events defines what identity publishes.
package events

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// Subjects identity publishes on.
const (
	SubjectUserRegistered         = "identity.user_registered"
	SubjectVerificationRequested  = "identity.verification_requested"
	SubjectUserVerified           = "identity.user_verified"
	SubjectPasswordResetRequested = "identity.password_reset_requested"
	SubjectUserProfileChanged     = "identity.user_profile_changed"
)

// UserRegistered is the event for a new account; provider is set for a
// social sign-up.
func UserRegistered(u domain.User, provider string) *identityv1.UserRegistered {
	return &identityv1.UserRegistered{
		UserId: u.ID, Email: u.Email, Name: u.Name, Provider: provider,
		NeedsVerification: u.Status == domain.StatusPending,
		OccurTime:         timestamppb.New(u.CreatedAt),
	}
}

// VerificationRequested is the event for a resend of the verification mail.
func VerificationRequested(u domain.User, at time.Time) *identityv1.VerificationRequested {
	return &identityv1.VerificationRequested{UserId: u.ID, Email: u.Email, Name: u.Name, OccurTime: timestamppb.New(at)}
}

// UserVerified is the event for an account that proved its email.
func UserVerified(u domain.User) *identityv1.UserVerified {
	return &identityv1.UserVerified{UserId: u.ID, Email: u.Email, OccurTime: timestamppb.New(u.UpdatedAt)}
}

// PasswordResetRequested is the event for a forgotten password.
func PasswordResetRequested(u domain.User, at time.Time) *identityv1.PasswordResetRequested {
	return &identityv1.PasswordResetRequested{UserId: u.ID, Email: u.Email, Name: u.Name, OccurTime: timestamppb.New(at)}
}

// UserProfileChanged is the event for an edit of the public profile.
func UserProfileChanged(u domain.User) *identityv1.UserProfileChanged {
	return &identityv1.UserProfileChanged{
		UserId: u.ID, Username: u.Username, Name: u.Name, AvatarUrl: u.AvatarURL,
		OccurTime: timestamppb.New(u.UpdatedAt),
	}
}
