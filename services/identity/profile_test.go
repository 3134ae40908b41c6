package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

func TestUpdateMe(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := as(e.signUp(t, "me@example.com").GetAccessToken())
	b := as(e.signUp(t, "other@example.com").GetAccessToken())

	resp, err := e.client.UpdateMe(a, &identityv1.UpdateMeRequest{
		Name: proto.String("새 이름"), Phone: proto.String("+82 10-9876-5432"),
		AvatarUrl: proto.String("https://cdn.example.com/a.png"), Username: proto.String("Minji_01"),
	})
	if err != nil {
		t.Fatal(err)
	}
	u := resp.GetUser()
	if u.GetName() != "새 이름" || u.GetPhone() != "+821098765432" || u.GetUsername() != "Minji_01" || u.GetAvatarUrl() != "https://cdn.example.com/a.png" {
		t.Fatalf("user = %v", u)
	}
	// Absent fields stay; empty clears.
	resp, err = e.client.UpdateMe(a, &identityv1.UpdateMeRequest{Phone: proto.String("")})
	if err != nil || resp.GetUser().GetPhone() != "" || resp.GetUser().GetName() != "새 이름" {
		t.Fatalf("clear phone = %v, %v", resp, err)
	}
	me, _ := e.client.GetMe(a, &identityv1.GetMeRequest{})
	if me.GetUser().GetUsername() != "Minji_01" {
		t.Fatalf("GetMe = %v", me)
	}

	// The public part of the profile goes out for services that show users.
	nc, err := nats.Connect(e.cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, "IDENTITY")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"identity.user_profile_changed"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ev identityv1.UserProfileChanged
	if err := proto.Unmarshal(m.Data(), &ev); err != nil || ev.GetUserId() != u.GetId() || ev.GetUsername() != "Minji_01" ||
		ev.GetName() != "새 이름" || ev.GetAvatarUrl() != "https://cdn.example.com/a.png" || ev.GetOccurTime() == nil {
		t.Fatalf("user_profile_changed = %v, %v", &ev, err)
	}

	tests := []struct {
		name  string
		req   *identityv1.UpdateMeRequest
		code  codes.Code
		field string
	}{
		{"username taken, other case", &identityv1.UpdateMeRequest{Username: proto.String("minji_01")}, codes.AlreadyExists, ""},
		{"bad username", &identityv1.UpdateMeRequest{Username: proto.String("a b")}, codes.InvalidArgument, "username"},
		{"bad phone", &identityv1.UpdateMeRequest{Phone: proto.String("010-12")}, codes.InvalidArgument, "phone"},
		{"bad avatar", &identityv1.UpdateMeRequest{AvatarUrl: proto.String("javascript:alert(1)")}, codes.InvalidArgument, "avatar_url"},
		{"empty name", &identityv1.UpdateMeRequest{Name: proto.String("")}, codes.InvalidArgument, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.UpdateMe(b, tt.req)
			if code(err) != tt.code || (tt.field != "" && !hasField(err, tt.field)) {
				t.Fatalf("UpdateMe = %v, want %v naming %q", err, tt.code, tt.field)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := as(e.signUp(t, "addr@example.com").GetAccessToken())
	b := as(e.signUp(t, "thief@example.com").GetAccessToken())
	create := func(label string, def bool) *identityv1.Address {
		t.Helper()
		resp, err := e.client.CreateAddress(a, &identityv1.CreateAddressRequest{
			Label: label, Recipient: "김민지", Phone: "010-1234-5678", PostalCode: "06236",
			Line1: "서울 강남구 테헤란로 152", Line2: "12층", City: "서울", IsDefault: def,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetAddress()
	}
	home := create("집", false)
	if !home.GetIsDefault() || home.GetCountry() != "KR" || home.GetPhone() != "+821012345678" {
		t.Fatalf("first address = %v", home)
	}
	work := create("회사", false)
	if work.GetIsDefault() {
		t.Fatal("second address became default")
	}
	gift := create("선물", true)
	list, err := e.client.ListAddresses(a, &identityv1.ListAddressesRequest{})
	if err != nil || len(list.GetAddresses()) != 3 || list.GetAddresses()[0].GetId() != gift.GetId() {
		t.Fatalf("list = %v, %v", list, err)
	}
	defaults := 0
	for _, ad := range list.GetAddresses() {
		if ad.GetIsDefault() {
			defaults++
		}
	}
	if defaults != 1 {
		t.Fatalf("%d defaults, want 1", defaults)
	}
	upd, err := e.client.UpdateAddress(a, &identityv1.UpdateAddressRequest{Id: work.GetId(), Line2: proto.String("3층"), IsDefault: proto.Bool(true)})
	if err != nil || !upd.GetAddress().GetIsDefault() || upd.GetAddress().GetLine2() != "3층" || upd.GetAddress().GetLabel() != "회사" {
		t.Fatalf("update = %v, %v", upd, err)
	}
	// Deleting the default hands it to the newest remaining address.
	if _, err := e.client.DeleteAddress(a, &identityv1.DeleteAddressRequest{Id: work.GetId()}); err != nil {
		t.Fatal(err)
	}
	list, _ = e.client.ListAddresses(a, &identityv1.ListAddressesRequest{})
	if len(list.GetAddresses()) != 2 || list.GetAddresses()[0].GetId() != gift.GetId() || !list.GetAddresses()[0].GetIsDefault() {
		t.Fatalf("after delete = %v", list)
	}

	// Nobody else can see or touch them.
	if other, _ := e.client.ListAddresses(b, &identityv1.ListAddressesRequest{}); len(other.GetAddresses()) != 0 {
		t.Fatalf("other user sees %v", other)
	}
	if _, err := e.client.UpdateAddress(b, &identityv1.UpdateAddressRequest{Id: home.GetId(), Line1: proto.String("x")}); code(err) != codes.NotFound {
		t.Fatalf("other user's update = %v", err)
	}
	if _, err := e.client.UpdateAddress(b, &identityv1.UpdateAddressRequest{Id: home.GetId(), IsDefault: proto.Bool(true)}); code(err) != codes.NotFound {
		t.Fatalf("other user's make-default = %v", err)
	}
	if _, err := e.client.DeleteAddress(b, &identityv1.DeleteAddressRequest{Id: home.GetId()}); code(err) != codes.NotFound {
		t.Fatalf("other user's delete = %v", err)
	}
	if _, err := e.client.CreateAddress(a, &identityv1.CreateAddressRequest{Recipient: "x", Phone: "123", PostalCode: "1", Line1: "x"}); !hasField(err, "phone") {
		t.Fatalf("bad phone = %v", err)
	}
	if _, err := e.client.ListAddresses(context.Background(), &identityv1.ListAddressesRequest{}); code(err) != codes.Unauthenticated {
		t.Fatalf("without token = %v", err)
	}
}
