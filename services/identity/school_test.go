package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// publishCommunity publishes ev on the community's stream as its relay
// does, with eventID as Nats-Msg-Id.
func (e env) publishCommunity(t *testing.T, eventID string, ev *communityv1.SchoolMembershipChanged) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nc, err := nats.Connect(e.cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.EnsureStream(ctx, js, "community"); err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("community.school_membership_changed")
	if msg.Data, err = proto.Marshal(ev); err != nil {
		t.Fatal(err)
	}
	msg.Header.Set(events.HeaderMsgID, eventID)
	msg.Header.Set(events.HeaderType, string(ev.ProtoReflect().Descriptor().FullName()))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// TestSchoolFromCommunity: identity keeps the school the community's campus
// confirmed, shows it on GET /v1/me, and applies late or repeated events
// without going back in time.
func TestSchoolFromCommunity(t *testing.T) {
	t.Parallel()
	e := start(t)
	me := as(e.signUp(t, "student@example.com").GetAccessToken())
	other := as(e.signUp(t, "other@example.com").GetAccessToken())
	get := func(ctx context.Context) *identityv1.User {
		t.Helper()
		resp, err := e.client.GetMe(ctx, &identityv1.GetMeRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetUser()
	}
	u := get(me)
	if u.GetSchool() != nil {
		t.Fatalf("a new user has school %v", u.GetSchool())
	}
	waitFor := func(what string, cond func(*identityv1.User) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond(get(me)) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %v", what, get(me).GetSchool())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	schoolID := uuid.NewString()
	t0 := time.Now().Add(-time.Minute)
	approved := &communityv1.SchoolMembershipChanged{
		UserId: u.GetId(), Approved: true, SchoolId: schoolID, SchoolSlug: "snu", SchoolName: "서울대학교",
		AdmissionYear: 2025, OccurTime: timestamppb.New(t0),
	}
	e.publishCommunity(t, "evt-1", approved)
	waitFor("the school", func(u *identityv1.User) bool { return u.GetSchool().GetSlug() == "snu" })
	s := get(me).GetSchool()
	if s.GetId() != schoolID || s.GetName() != "서울대학교" || s.GetAdmissionYear() != 2025 {
		t.Fatalf("school = %v", s)
	}
	if get(other).GetSchool() != nil {
		t.Fatalf("another user got a school")
	}

	// A newer year; then a late event from before it, and a redelivery of
	// the first (new id, same content): neither goes back in time.
	newer := proto.Clone(approved).(*communityv1.SchoolMembershipChanged)
	newer.AdmissionYear, newer.OccurTime = 2024, timestamppb.New(t0.Add(20*time.Second))
	e.publishCommunity(t, "evt-2", newer)
	waitFor("the new year", func(u *identityv1.User) bool { return u.GetSchool().GetAdmissionYear() == 2024 })
	late := &communityv1.SchoolMembershipChanged{UserId: u.GetId(), OccurTime: timestamppb.New(t0.Add(10 * time.Second))}
	e.publishCommunity(t, "evt-late", late)
	e.publishCommunity(t, "evt-1-again", approved)
	// Give them time to be consumed, then clear with a newer event.
	cleared := &communityv1.SchoolMembershipChanged{UserId: u.GetId(), OccurTime: timestamppb.New(t0.Add(30 * time.Second))}
	time.Sleep(500 * time.Millisecond)
	if s := get(me).GetSchool(); s.GetSlug() != "snu" || s.GetAdmissionYear() != 2024 {
		t.Fatalf("late events changed the school: %v", s)
	}
	e.publishCommunity(t, "evt-3", cleared)
	waitFor("the school cleared", func(u *identityv1.User) bool { return u.GetSchool() == nil })

	// An event for a user identity does not know is consumed and ignored.
	e.publishCommunity(t, "evt-unknown", &communityv1.SchoolMembershipChanged{
		UserId: uuid.NewString(), Approved: true, SchoolId: schoolID, SchoolSlug: "snu", OccurTime: timestamppb.Now(),
	})
	e.publishCommunity(t, "evt-4", approved) // older than the clear: ignored
	time.Sleep(300 * time.Millisecond)
	if s := get(me).GetSchool(); s != nil {
		t.Fatalf("an old approval came back: %v", s)
	}
}
