package community_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/community"
)

func TestSeedDemoCampus(t *testing.T) {
	t.Parallel()
	e := start(t)
	if err := e.svc.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := communityv1.NewCampusServiceClient(testkit.Dial(t, e.addr))
	minji, jisoo, hana := e.as("01900000-0000-7000-8000-0000000000a2"), e.as("01900000-0000-7000-8000-0000000000a3"), e.as("01900000-0000-7000-8000-0000000000a4")

	if n := len(must(c.ListSchools(visitor, &communityv1.ListSchoolsRequest{})).GetSchools()); n != 2 {
		t.Fatalf("schools = %d", n)
	}
	snu := must(c.GetSchool(visitor, &communityv1.GetSchoolRequest{Slug: "snu"})).GetSchool()
	if n := len(must(e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{SchoolId: snu.GetId()})).GetBoards()); n != 7 {
		t.Fatalf("boards with snu's = %d", n)
	}
	if n := must(c.ListLectures(visitor, &communityv1.ListLecturesRequest{Slug: "snu", Term: community.DemoTerm})).GetTotalCount(); n != 7 {
		t.Fatalf("snu lectures = %d", n)
	}
	// The friend sees minji's timetable, with its credits.
	tt := must(c.GetFriendTimetable(jisoo, &communityv1.GetFriendTimetableRequest{Username: "minji", Term: community.DemoTerm})).GetTimetable()
	if len(tt.GetLectures()) != 4 || tt.GetTotalCredits() != 11 {
		t.Fatalf("minji's timetable = %v", tt)
	}
	_, err := c.GetFriendTimetable(hana, &communityv1.GetFriendTimetableRequest{Username: "minji", Term: community.DemoTerm})
	wantCode(t, err, codes.NotFound, "")
	// CS102 meets when CS101 does.
	var cs102 string
	for _, l := range must(c.ListLectures(visitor, &communityv1.ListLecturesRequest{Slug: "snu", Term: community.DemoTerm, Q: "CS102"})).GetLectures() {
		cs102 = l.GetId()
	}
	_, err = c.AddTimetableLecture(minji, &communityv1.AddTimetableLectureRequest{Id: tt.GetId(), LectureId: cs102})
	wantCode(t, err, codes.AlreadyExists, "")
	cs101 := tt.GetLectures()[0]
	if s := must(c.ListLectureReviews(visitor, &communityv1.ListLectureReviewsRequest{Id: cs101.GetId()})).GetSummary(); s.GetCount() != 2 || s.GetRatingAverage() != 4.5 {
		t.Fatalf("CS101 reviews = %v", s)
	}
	if n := len(must(e.client.ListBoardPosts(minji, &communityv1.ListBoardPostsRequest{Slug: "snu-free"})).GetPosts()); n != 1 {
		t.Fatalf("snu-free posts = %d", n)
	}
	_, err = e.client.ListBoardPosts(hana, &communityv1.ListBoardPostsRequest{Slug: "snu-free"})
	wantCode(t, err, codes.PermissionDenied, "")
}
