package community_test

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

// membershipEvents reads the community.school_membership_changed events in
// the outbox for a member, oldest first.
func (e *env) membershipEvents(t *testing.T, userID string) []*communityv1.SchoolMembershipChanged {
	t.Helper()
	rows := must(e.db.Query(t.Context(), `SELECT payload FROM outbox WHERE subject = 'community.school_membership_changed' ORDER BY id`))
	defer rows.Close()
	var out []*communityv1.SchoolMembershipChanged
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var ev communityv1.SchoolMembershipChanged
		if err := proto.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.GetUserId() == userID {
			out = append(out, &ev)
		}
	}
	return out
}

func TestPendingMemberships(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	var yonsei []user
	for i := range 25 {
		u := c.newUser(t, fmt.Sprintf("y%02d", i), fmt.Sprintf("연세%02d", i))
		must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2020 + int32(i%6)}))
		yonsei = append(yonsei, u)
	}
	for i := range 3 {
		u := c.newUser(t, fmt.Sprintf("s%02d", i), fmt.Sprintf("서울%02d", i))
		must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: u.username + "@snu.ac.kr"}))
	}
	approved := c.student(t, "done", "승인됨", "yonsei") // already approved: not pending

	t.Run("staff only", func(t *testing.T) {
		customer := yonsei[0]
		_, err := c.campus.ListPendingMemberships(customer.ctx, &communityv1.ListPendingMembershipsRequest{})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = c.campus.ListPendingMemberships(visitor, &communityv1.ListPendingMembershipsRequest{})
		wantCode(t, err, codes.Unauthenticated, "")
		_, err = c.campus.DeclineSchoolMember(customer.ctx, &communityv1.DeclineSchoolMemberRequest{Slug: "yonsei", UserId: yonsei[1].id})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = c.campus.ApproveSchoolMember(customer.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "yonsei", UserId: customer.id})
		wantCode(t, err, codes.PermissionDenied, "")
	})

	t.Run("paged by school, oldest first, with a total", func(t *testing.T) {
		var seen []string
		for page := int32(1); page <= 3; page++ {
			resp := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "yonsei", Page: page, PageSize: 10}))
			if resp.GetTotalCount() != 25 || resp.GetTotalPages() != 3 || resp.GetPage() != page {
				t.Fatalf("page %d: total %d, pages %d, page %d", page, resp.GetTotalCount(), resp.GetTotalPages(), resp.GetPage())
			}
			want := 10
			if page == 3 {
				want = 5
			}
			if len(resp.GetMemberships()) != want {
				t.Fatalf("page %d has %d", page, len(resp.GetMemberships()))
			}
			for _, pm := range resp.GetMemberships() {
				m := pm.GetMembership()
				if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_PENDING || m.GetSchool().GetSlug() != "yonsei" ||
					m.GetJoinMethod() != communityv1.JoinMethod_JOIN_METHOD_STAFF_APPROVAL || pm.GetRequestTime() == nil {
					t.Fatalf("pending = %v", pm)
				}
				seen = append(seen, m.GetUserId())
			}
		}
		if len(seen) != 25 {
			t.Fatalf("walked %d", len(seen))
		}
		for i, u := range yonsei {
			if seen[i] != u.id {
				t.Fatalf("position %d is %s, want %s (%s): oldest request first", i, seen[i], u.id, u.username)
			}
		}
		first := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "yonsei", PageSize: 1})).GetMemberships()[0]
		if first.GetUsername() != "y00" || first.GetName() != "연세00" || first.GetMembership().GetAdmissionYear() != 2020 {
			t.Fatalf("first = %v", first)
		}
		all := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{}))
		if all.GetTotalCount() != 28 || len(all.GetMemberships()) != 20 || all.GetTotalPages() != 2 {
			t.Fatalf("all schools: %d total, %d on the page", all.GetTotalCount(), len(all.GetMemberships()))
		}
		snu := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "snu"}))
		if snu.GetTotalCount() != 3 || snu.GetMemberships()[0].GetMembership().GetJoinMethod() != communityv1.JoinMethod_JOIN_METHOD_SCHOOL_EMAIL {
			t.Fatalf("snu = %v", snu)
		}
		past := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "yonsei", Page: 4, PageSize: 10}))
		if len(past.GetMemberships()) != 0 || past.GetTotalCount() != 25 {
			t.Fatalf("past the end = %v", past)
		}
		_, err := c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "nowhere"})
		wantCode(t, err, codes.NotFound, "school")
		_, err = c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{PageSize: 101})
		wantCode(t, err, codes.InvalidArgument, "page_size")
	})

	t.Run("approve and decline from the list", func(t *testing.T) {
		must(c.campus.ApproveSchoolMember(c.staff.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "yonsei", UserId: yonsei[0].id}))
		must(c.campus.DeclineSchoolMember(c.staff.ctx, &communityv1.DeclineSchoolMemberRequest{Slug: "yonsei", UserId: yonsei[1].id}))
		resp := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "yonsei", PageSize: 100}))
		if resp.GetTotalCount() != 23 {
			t.Fatalf("left %d", resp.GetTotalCount())
		}
		for _, pm := range resp.GetMemberships() {
			if id := pm.GetMembership().GetUserId(); id == yonsei[0].id || id == yonsei[1].id {
				t.Fatalf("%s still listed", id)
			}
		}
		// The declined member has no school and may ask again.
		_, err := c.campus.GetMySchool(yonsei[1].ctx, &communityv1.GetMySchoolRequest{})
		wantCode(t, err, codes.NotFound, "")
		// Declining twice, declining an approved member, or at another school: 404.
		for _, r := range []*communityv1.DeclineSchoolMemberRequest{
			{Slug: "yonsei", UserId: yonsei[1].id}, {Slug: "yonsei", UserId: approved.id}, {Slug: "snu", UserId: yonsei[2].id},
		} {
			_, err = c.campus.DeclineSchoolMember(c.staff.ctx, r)
			wantCode(t, err, codes.NotFound, "")
		}
		must(c.campus.SetMySchool(yonsei[1].ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2021}))
		if n := must(c.campus.ListPendingMemberships(c.staff.ctx, &communityv1.ListPendingMembershipsRequest{School: "yonsei"})).GetTotalCount(); n != 24 {
			t.Fatalf("after asking again: %d", n)
		}
	})

	t.Run("identity hears of approvals and of leaving", func(t *testing.T) {
		u := yonsei[0] // approved above
		evs := c.membershipEvents(t, u.id)
		if len(evs) != 1 || !evs[0].GetApproved() || evs[0].GetSchoolSlug() != "yonsei" || evs[0].GetSchoolName() != "연세대학교" ||
			evs[0].GetAdmissionYear() != 2020 || evs[0].GetSchoolId() != c.yonsei.GetId() {
			t.Fatalf("events = %v", evs)
		}
		// Approving again publishes nothing.
		must(c.campus.ApproveSchoolMember(c.staff.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "yonsei", UserId: u.id}))
		if n := len(c.membershipEvents(t, u.id)); n != 1 {
			t.Fatalf("%d events after a repeated approval", n)
		}
		// A new admission year at the same school is news; another school clears it.
		must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2019}))
		must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2019, SchoolEmail: "y00@snu.ac.kr"}))
		evs = c.membershipEvents(t, u.id)
		if len(evs) != 3 || !evs[1].GetApproved() || evs[1].GetAdmissionYear() != 2019 || evs[2].GetApproved() || evs[2].GetSchoolId() != "" {
			t.Fatalf("events = %v", evs)
		}
		// Declined and pending members were never announced.
		if n := len(c.membershipEvents(t, yonsei[1].id)) + len(c.membershipEvents(t, yonsei[3].id)); n != 0 {
			t.Fatalf("%d events for members never approved", n)
		}
	})
}
