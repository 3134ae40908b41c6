package events

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Identity's subjects the community follows to keep its profiles.
const (
	SubjectUserRegistered     = "identity.user_registered"
	SubjectUserProfileChanged = "identity.user_profile_changed"
)

// ProfilesConsumer keeps the community's copy of public profiles.
var ProfilesConsumer = events.ConsumerConfig{
	Name:     "community-profiles",
	Service:  "identity",
	Subjects: []string{SubjectUserRegistered, SubjectUserProfileChanged},
}

// Profiles applies identity's events to the community's profiles, inside the
// inbox transaction. Both events carry the whole public profile and when it
// held, so an older one arriving late changes nothing.
func Profiles(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var p domain.Profile
	var at *timestamppb.Timestamp
	switch d.Subject {
	case SubjectUserRegistered:
		var m identityv1.UserRegistered
		if err := d.Decode(&m); err != nil {
			return err
		}
		p, at = domain.Profile{UserID: m.GetUserId(), Name: m.GetName()}, m.GetOccurTime()
	case SubjectUserProfileChanged:
		var m identityv1.UserProfileChanged
		if err := d.Decode(&m); err != nil {
			return err
		}
		p = domain.Profile{UserID: m.GetUserId(), Username: m.GetUsername(), Name: m.GetName(), AvatarURL: m.GetAvatarUrl()}
		at = m.GetOccurTime()
	default:
		return nil
	}
	if _, err := uuid.Parse(p.UserID); err != nil || at == nil {
		return errors.New(d.Subject + " without a valid user_id and occur_time")
	}
	return store.Tx(tx).SyncProfile(ctx, p, at.AsTime())
}
