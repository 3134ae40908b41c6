package community_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/community"
)

// campusEnv is a running community with its campus client, a staff member
// and two schools.
type campusEnv struct {
	*env
	campus      communityv1.CampusServiceClient
	sink        *smtpsink.Sink
	staff       user
	snu, yonsei *communityv1.School
}

// startCampus starts the community with its mail going to a local SMTP sink.
func startCampus(t *testing.T) *campusEnv {
	t.Helper()
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	e := startWith(t, options{configure: func(cfg *community.Config) {
		host, port, _ := net.SplitHostPort(sink.Addr())
		cfg.Mail.Host, cfg.Mail.Port = host, must(strconv.Atoi(port))
		cfg.PublicURL = "https://jangteo.example"
	}})
	c := &campusEnv{env: e, sink: sink, campus: communityv1.NewCampusServiceClient(testkit.Dial(t, e.addr))}
	c.staff = e.newUser(t, "staff", "운영자", "staff")
	c.snu = must(c.campus.CreateSchool(c.staff.ctx, &communityv1.CreateSchoolRequest{
		Slug: "snu", Name: "서울대학교", EmailDomain: "snu.ac.kr", Region: "서울"})).GetSchool()
	c.yonsei = must(c.campus.CreateSchool(c.staff.ctx, &communityv1.CreateSchoolRequest{
		Slug: "yonsei", Name: "연세대학교", Region: "서울"})).GetSchool()
	return c
}

// student is a member of the school, approved by staff.
func (c *campusEnv) student(t *testing.T, username, name, school string) user {
	t.Helper()
	u := c.newUser(t, username, name)
	must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: school, AdmissionYear: 2024, SchoolEmail: c.schoolEmail(school, username)}))
	must(c.campus.ApproveSchoolMember(c.staff.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: school, UserId: u.id}))
	return u
}

// schoolEmail is an address on the school's domain, when it has one.
func (c *campusEnv) schoolEmail(school, username string) string {
	if school == "snu" {
		return username + "@snu.ac.kr"
	}
	return ""
}

const lecturesCSV = `code,title,professor,credits,meetings
CS101-01,자료구조,김교수,3,월 09:00-10:15 공학관 301; 수 09:00-10:15 공학관 301
CS102-01,알고리즘,이교수,3,월 10:00-11:15 공학관 302; 수 10:00-11:15 공학관 302
MA101-01,미적분학,박교수,3,Tue 13:00-14:15; Thu 13:00-14:15
GE100-01,글쓰기,김교수,2,금 15:00-16:50 인문관 101
PE100-01,골프,최교수,1,
`

func (c *campusEnv) importLectures(t *testing.T, school, term, csv string) map[string]*communityv1.Lecture {
	t.Helper()
	must(c.campus.ImportLectures(c.staff.ctx, &communityv1.ImportLecturesRequest{Slug: school, Term: term, Csv: csv}))
	out := map[string]*communityv1.Lecture{}
	for _, l := range must(c.campus.ListLectures(visitor, &communityv1.ListLecturesRequest{Slug: school, Term: term, PageSize: 100})).GetLectures() {
		out[l.GetCode()] = l
	}
	return out
}

// violations returns a rejected import's field violations, field → reason.
func violations(t *testing.T, err error) map[string]string {
	t.Helper()
	st := wantCode(t, err, codes.FailedPrecondition, "")
	out := map[string]string{}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out[v.GetField()] = v.GetDescription()
			}
		}
	}
	return out
}

func TestSchools(t *testing.T) {
	t.Parallel()
	c := startCampus(t)

	t.Run("search and read", func(t *testing.T) {
		names := func(q string) string {
			var out []string
			for _, s := range must(c.campus.ListSchools(visitor, &communityv1.ListSchoolsRequest{Q: q})).GetSchools() {
				out = append(out, s.GetName())
			}
			return strings.Join(out, ",")
		}
		if got := names("대학교"); got != "서울대학교,연세대학교" {
			t.Fatalf("대학교 = %q", got)
		}
		if got := names("연세"); got != "연세대학교" {
			t.Fatalf("연세 = %q", got)
		}
		if got := names("%"); got != "" {
			t.Fatalf("%% matched %q", got)
		}
		s := must(c.campus.GetSchool(visitor, &communityv1.GetSchoolRequest{Slug: "snu"})).GetSchool()
		if s.GetEmailDomain() != "snu.ac.kr" || s.GetRegion() != "서울" || s.GetId() != c.snu.GetId() {
			t.Fatalf("school = %v", s)
		}
		_, err := c.campus.GetSchool(visitor, &communityv1.GetSchoolRequest{Slug: "nope"})
		wantCode(t, err, codes.NotFound, "slug")
	})

	t.Run("only staff create schools", func(t *testing.T) {
		u := c.newUser(t, "someone", "아무개")
		_, err := c.campus.CreateSchool(u.ctx, &communityv1.CreateSchoolRequest{Slug: "mine", Name: "내 학교"})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = c.campus.CreateSchool(c.staff.ctx, &communityv1.CreateSchoolRequest{Slug: "snu", Name: "또"})
		wantCode(t, err, codes.AlreadyExists, "slug")
		_, err = c.campus.CreateSchool(c.staff.ctx, &communityv1.CreateSchoolRequest{Slug: "kaist", Name: "카이스트", EmailDomain: "not a domain"})
		wantCode(t, err, codes.InvalidArgument, "email_domain")
	})

	t.Run("membership", func(t *testing.T) {
		u := c.newUser(t, "jiwoo", "이지우")
		_, err := c.campus.GetMySchool(u.ctx, &communityv1.GetMySchoolRequest{})
		wantCode(t, err, codes.NotFound, "")
		_, err = c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "nope", AdmissionYear: 2024})
		wantCode(t, err, codes.NotFound, "slug")
		_, err = c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 1900})
		wantCode(t, err, codes.InvalidArgument, "admission_year")
		m := must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2023})).GetMembership()
		if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_PENDING || m.GetSchool().GetSlug() != "yonsei" ||
			m.GetAdmissionYear() != 2023 || m.GetJoinMethod() != communityv1.JoinMethod_JOIN_METHOD_STAFF_APPROVAL {
			t.Fatalf("membership = %v", m)
		}
		_, err = c.campus.ApproveSchoolMember(u.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "yonsei", UserId: u.id})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = c.campus.ApproveSchoolMember(c.staff.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "snu", UserId: u.id})
		wantCode(t, err, codes.NotFound, "")
		m = must(c.campus.ApproveSchoolMember(c.staff.ctx, &communityv1.ApproveSchoolMemberRequest{Slug: "yonsei", UserId: u.id})).GetMembership()
		if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_APPROVED {
			t.Fatalf("approved = %v", m)
		}
		// The same school again keeps the approval; another starts over.
		m = must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2022})).GetMembership()
		if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_APPROVED || m.GetAdmissionYear() != 2022 {
			t.Fatalf("same school = %v", m)
		}
		_, err = c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2022})
		wantCode(t, err, codes.InvalidArgument, "school_email")
		_, err = c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2022, SchoolEmail: "jiwoo@snu.ac.kr.evil.com"})
		wantCode(t, err, codes.InvalidArgument, "school_email")
		m = must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2022, SchoolEmail: "Jiwoo@CSE.snu.ac.kr"})).GetMembership()
		if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_PENDING || m.GetSchoolEmail() != "jiwoo@cse.snu.ac.kr" ||
			m.GetJoinMethod() != communityv1.JoinMethod_JOIN_METHOD_SCHOOL_EMAIL {
			t.Fatalf("other school = %v", m)
		}
	})

	t.Run("school boards are for their members", func(t *testing.T) {
		must(c.client.CreateBoard(c.staff.ctx, &communityv1.CreateBoardRequest{Slug: "global", Name: "자유", Category: "커뮤니티", AnonymousAllowed: true}))
		must(c.client.CreateBoard(c.staff.ctx, &communityv1.CreateBoardRequest{Slug: "snu-free", Name: "서울대 자유", Category: "캠퍼스", SchoolId: c.snu.GetId(), AnonymousAllowed: true}))
		member := c.student(t, "snu_kim", "김서울", "snu")
		other := c.student(t, "yonsei_lee", "이연세", "yonsei")
		pending := c.newUser(t, "pending", "대기중")
		must(c.campus.SetMySchool(pending.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: "pending@snu.ac.kr"}))

		post := must(c.client.CreatePost(member.ctx, &communityv1.CreatePostRequest{Slug: "snu-free", Title: "학식 추천", Body: "오늘 뭐 먹지"})).GetPost()
		must(c.client.ListBoardPosts(member.ctx, &communityv1.ListBoardPostsRequest{Slug: "snu-free"}))
		comment := must(c.client.CreateComment(member.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "돈까스"})).GetComment()
		must(c.client.LikePost(member.ctx, &communityv1.LikePostRequest{Id: post.GetId()}))
		must(c.client.LikeComment(member.ctx, &communityv1.LikeCommentRequest{Id: comment.GetId()}))
		must(c.client.ScrapPost(member.ctx, &communityv1.ScrapPostRequest{Id: post.GetId()}))
		must(c.client.GetPost(c.staff.ctx, &communityv1.GetPostRequest{Id: post.GetId()}))
		for who, ctx := range map[string]context.Context{"other school": other.ctx, "pending": pending.ctx, "visitor": visitor} {
			_, err := c.client.ListBoardPosts(ctx, &communityv1.ListBoardPostsRequest{Slug: "snu-free"})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.client.GetPost(ctx, &communityv1.GetPostRequest{Id: post.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.client.ListComments(ctx, &communityv1.ListCommentsRequest{Id: post.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
			if who == "visitor" {
				continue
			}
			_, err = c.client.CreatePost(ctx, &communityv1.CreatePostRequest{Slug: "snu-free", Title: "몰래", Body: "들어옴"})
			st := wantCode(t, err, codes.PermissionDenied, "")
			if !strings.Contains(fmt.Sprint(st.Details()), "SCHOOL_MEMBERS_ONLY") {
				t.Fatalf("%s: details %v", who, st.Details())
			}
			_, err = c.client.CreateComment(ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "몰래"})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.client.LikePost(ctx, &communityv1.LikePostRequest{Id: post.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.client.ScrapPost(ctx, &communityv1.ScrapPostRequest{Id: post.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.client.LikeComment(ctx, &communityv1.LikeCommentRequest{Id: comment.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
		}
		// Global boards are everyone's.
		for _, u := range []user{member, other, pending} {
			must(c.client.CreatePost(u.ctx, &communityv1.CreatePostRequest{Slug: "global", Title: "안녕", Body: "반가워요"}))
		}
		if n := len(must(c.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "global"})).GetPosts()); n != 3 {
			t.Fatalf("global posts = %d", n)
		}
	})
}

func TestLectureImport(t *testing.T) {
	t.Parallel()
	c := startCampus(t)

	t.Run("every row is checked and nothing stored on a rejection", func(t *testing.T) {
		bad := `code,title,professor,credits,meetings
CS101-01,자료구조,김교수,3,월 09:00-10:15
CS101-01,자료구조 중복,김교수,3,화 09:00-10:15
CS200-01,운영체제,박교수,3,뭐 09:00-10:15
CS201-01,컴파일러,박교수,3,월 11:00-10:00
CS202-01,네트워크,박교수,three,월 12:00-13:00
CS203-01,보안,박교수,3,월 25:00-26:00
CS204-01,그래픽스,박교수,3,월 09:00-10:15; 월 10:00-11:00
,이름없음,박교수,3,
CS205-01,짧은줄
`
		_, err := c.campus.ImportLectures(c.staff.ctx, &communityv1.ImportLecturesRequest{Slug: "snu", Term: "2026-2", Csv: bad})
		rejected := violations(t, err)
		want := map[string]string{
			"csv.lines[3]":  "CS101-01: duplicate code CS101-01 (first on line 2)",
			"csv.lines[4]":  "not a day",
			"csv.lines[5]":  "ends before it starts",
			"csv.lines[6]":  "credits",
			"csv.lines[7]":  "not a time range",
			"csv.lines[8]":  "overlaps",
			"csv.lines[9]":  "code",
			"csv.lines[10]": "columns",
		}
		if len(rejected) != len(want) {
			t.Fatalf("rejected = %v", rejected)
		}
		for field, reason := range want {
			if !strings.Contains(rejected[field], reason) {
				t.Errorf("%s: %q, want %q", field, rejected[field], reason)
			}
		}
		if n := must(c.campus.ListLectures(visitor, &communityv1.ListLecturesRequest{Slug: "snu", Term: "2026-2"})).GetTotalCount(); n != 0 {
			t.Fatalf("stored %d lectures of a rejected import", n)
		}
		_, err = c.campus.ImportLectures(c.staff.ctx, &communityv1.ImportLecturesRequest{Slug: "snu", Term: "2026-2", Csv: "id,name\n1,2\n"})
		if got := violations(t, err); len(got) != 1 || !strings.Contains(got["csv.lines[1]"], "header") {
			t.Fatalf("bad header = %v", got)
		}
	})

	t.Run("staff only, known school", func(t *testing.T) {
		u := c.newUser(t, "student", "학생")
		_, err := c.campus.ImportLectures(u.ctx, &communityv1.ImportLecturesRequest{Slug: "snu", Term: "2026-2", Csv: lecturesCSV})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = c.campus.ImportLectures(c.staff.ctx, &communityv1.ImportLecturesRequest{Slug: "nope", Term: "2026-2", Csv: lecturesCSV})
		wantCode(t, err, codes.NotFound, "slug")
		_, err = c.campus.ImportLectures(c.staff.ctx, &communityv1.ImportLecturesRequest{Slug: "snu", Term: "2026-3", Csv: lecturesCSV})
		wantCode(t, err, codes.InvalidArgument, "term")
	})

	t.Run("import, search and re-import", func(t *testing.T) {
		ls := c.importLectures(t, "snu", "2026-2", lecturesCSV)
		if len(ls) != 5 {
			t.Fatalf("lectures = %v", ls)
		}
		ds := ls["CS101-01"]
		if ds.GetTitle() != "자료구조" || ds.GetCredits() != 3 || len(ds.GetMeetings()) != 2 ||
			ds.GetMeetings()[1].GetDay() != communityv1.Weekday_WEEKDAY_WEDNESDAY || ds.GetMeetings()[1].GetStart() != "09:00" ||
			ds.GetMeetings()[1].GetEnd() != "10:15" || ds.GetMeetings()[1].GetRoom() != "공학관 301" {
			t.Fatalf("CS101 = %v", ds)
		}
		if got := must(c.campus.GetLecture(visitor, &communityv1.GetLectureRequest{Id: ds.GetId()})).GetLecture(); got.GetCode() != "CS101-01" || got.GetSchoolSlug() != "snu" {
			t.Fatalf("get = %v", got)
		}
		_, err := c.campus.GetLecture(visitor, &communityv1.GetLectureRequest{Id: c.snu.GetId()})
		wantCode(t, err, codes.NotFound, "")

		codesOf := func(r *communityv1.ListLecturesRequest) string {
			r.Slug, r.Term = "snu", "2026-2"
			resp := must(c.campus.ListLectures(visitor, r))
			var out []string
			for _, l := range resp.GetLectures() {
				out = append(out, l.GetCode())
			}
			return fmt.Sprintf("%s/%d/%d", strings.Join(out, ","), resp.GetTotalCount(), resp.GetTotalPages())
		}
		for _, tc := range []struct {
			req  *communityv1.ListLecturesRequest
			want string
		}{
			{&communityv1.ListLecturesRequest{Q: "자료"}, "CS101-01/1/1"},
			{&communityv1.ListLecturesRequest{Q: "cs1"}, "CS101-01,CS102-01/2/1"},
			{&communityv1.ListLecturesRequest{Professor: "김"}, "CS101-01,GE100-01/2/1"},
			{&communityv1.ListLecturesRequest{Day: communityv1.Weekday_WEEKDAY_THURSDAY}, "MA101-01/1/1"},
			{&communityv1.ListLecturesRequest{PageSize: 2, Page: 2}, "GE100-01,MA101-01/5/3"},
			{&communityv1.ListLecturesRequest{PageSize: 2, Page: 9}, "/5/3"},
		} {
			if got := codesOf(tc.req); got != tc.want {
				t.Errorf("%v = %s, want %s", tc.req, got, tc.want)
			}
		}
		if n := must(c.campus.ListLectures(visitor, &communityv1.ListLecturesRequest{Slug: "snu", Term: "2026-1"})).GetTotalCount(); n != 0 {
			t.Fatalf("other term = %d", n)
		}

		again := c.importLectures(t, "snu", "2026-2", "code,title,professor,credits,meetings\nCS101-01,자료구조(영강),Kim,4,화 09:00-10:15\n")
		if l := again["CS101-01"]; l.GetId() != ds.GetId() || l.GetTitle() != "자료구조(영강)" || l.GetCredits() != 4 || len(l.GetMeetings()) != 1 {
			t.Fatalf("re-imported = %v", l)
		}
	})
}

func TestTimetables(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	ls := c.importLectures(t, "snu", "2026-2", lecturesCSV)
	u := c.student(t, "minji", "김민지", "snu")

	first := must(c.campus.CreateTimetable(u.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2"})).GetTimetable()
	if !first.GetPrimary() || first.GetName() != "시간표" {
		t.Fatalf("first = %v", first)
	}
	plan := must(c.campus.CreateTimetable(u.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2", Name: "플랜 B"})).GetTimetable()
	if plan.GetPrimary() {
		t.Fatal("a second timetable took the primary mark")
	}

	add := func(tt, code string) (*communityv1.Timetable, error) {
		r, err := c.campus.AddTimetableLecture(u.ctx, &communityv1.AddTimetableLectureRequest{Id: tt, LectureId: ls[code].GetId()})
		return r.GetTimetable(), err
	}
	tt := must(add(first.GetId(), "CS101-01"))
	tt = must(add(first.GetId(), "MA101-01"))
	if tt.GetTotalCredits() != 6 || len(tt.GetLectures()) != 2 {
		t.Fatalf("timetable = %v", tt)
	}
	t.Run("the same lecture twice is a no-op", func(t *testing.T) {
		tt := must(add(first.GetId(), "CS101-01"))
		if tt.GetTotalCredits() != 6 || len(tt.GetLectures()) != 2 {
			t.Fatalf("timetable = %v", tt)
		}
	})
	t.Run("a clash is 409 naming the lecture and time", func(t *testing.T) {
		_, err := add(first.GetId(), "CS102-01")
		st := wantCode(t, err, codes.AlreadyExists, "")
		if msg := st.Message(); !strings.Contains(msg, "CS101-01 자료구조") || !strings.Contains(msg, "월 09:00-10:15") || !strings.Contains(msg, "CS102-01") {
			t.Fatalf("message = %q", msg)
		}
		// The other timetable has room for it.
		must(add(plan.GetId(), "CS102-01"))
	})
	t.Run("custom entries", func(t *testing.T) {
		entry := func(day communityv1.Weekday, start, end string) (*communityv1.Timetable, error) {
			r, err := c.campus.AddTimetableEntry(u.ctx, &communityv1.AddTimetableEntryRequest{Id: first.GetId(), Title: "동아리",
				Meeting: &communityv1.Meeting{Day: day, Start: start, End: end, Room: "학생회관"}})
			return r.GetTimetable(), err
		}
		_, err := entry(communityv1.Weekday_WEEKDAY_TUESDAY, "14:00", "15:00")
		st := wantCode(t, err, codes.AlreadyExists, "")
		if !strings.Contains(st.Message(), "MA101-01 미적분학 (화 13:00-14:15)") {
			t.Fatalf("message = %q", st.Message())
		}
		_, err = entry(communityv1.Weekday_WEEKDAY_TUESDAY, "15:00", "14:00")
		wantCode(t, err, codes.InvalidArgument, "meeting.end")
		_, err = entry(communityv1.Weekday_WEEKDAY_TUESDAY, "9:00", "14:00")
		wantCode(t, err, codes.InvalidArgument, "meeting.start")
		tt := must(entry(communityv1.Weekday_WEEKDAY_TUESDAY, "14:15", "16:00")) // touching is not overlapping
		if len(tt.GetEntries()) != 1 || tt.GetEntries()[0].GetMeeting().GetRoom() != "학생회관" {
			t.Fatalf("entries = %v", tt.GetEntries())
		}
		// A lecture clashing with an entry is refused too.
		tt = must(entry(communityv1.Weekday_WEEKDAY_FRIDAY, "16:00", "18:00"))
		_, err = add(first.GetId(), "GE100-01")
		st = wantCode(t, err, codes.AlreadyExists, "")
		if !strings.Contains(st.Message(), "GE100-01 글쓰기 (금 15:00-16:50) clashes with 동아리 (금 16:00-18:00)") {
			t.Fatalf("message = %q", st.Message())
		}
		for _, e := range tt.GetEntries() {
			must(c.campus.RemoveTimetableEntry(u.ctx, &communityv1.RemoveTimetableEntryRequest{Id: first.GetId(), EntryId: e.GetId()}))
		}
		_, err = c.campus.RemoveTimetableEntry(u.ctx, &communityv1.RemoveTimetableEntryRequest{Id: first.GetId(), EntryId: tt.GetEntries()[0].GetId()})
		wantCode(t, err, codes.NotFound, "")
		must(add(first.GetId(), "GE100-01"))
	})
	t.Run("remove, other terms, other people", func(t *testing.T) {
		tt := must(c.campus.RemoveTimetableLecture(u.ctx, &communityv1.RemoveTimetableLectureRequest{Id: first.GetId(), LectureId: ls["GE100-01"].GetId()})).GetTimetable()
		if tt.GetTotalCredits() != 6 || len(tt.GetEntries()) != 0 {
			t.Fatalf("after remove = %v", tt)
		}
		must(c.campus.RemoveTimetableLecture(u.ctx, &communityv1.RemoveTimetableLectureRequest{Id: first.GetId(), LectureId: ls["GE100-01"].GetId()}))
		spring := must(c.campus.CreateTimetable(u.ctx, &communityv1.CreateTimetableRequest{Term: "2027-1"})).GetTimetable()
		_, err := add(spring.GetId(), "CS101-01")
		wantCode(t, err, codes.InvalidArgument, "")
		other := c.newUser(t, "other", "남")
		_, err = c.campus.AddTimetableLecture(other.ctx, &communityv1.AddTimetableLectureRequest{Id: first.GetId(), LectureId: ls["PE100-01"].GetId()})
		wantCode(t, err, codes.NotFound, "")
		if n := len(must(c.campus.ListMyTimetables(other.ctx, &communityv1.ListMyTimetablesRequest{Term: "2026-2"})).GetTimetables()); n != 0 {
			t.Fatalf("other sees %d timetables", n)
		}
		_, err = c.campus.AddTimetableLecture(u.ctx, &communityv1.AddTimetableLectureRequest{Id: first.GetId(), LectureId: c.snu.GetId()})
		wantCode(t, err, codes.NotFound, "")
	})
	t.Run("list, primary moves", func(t *testing.T) {
		must(c.campus.CreateTimetable(u.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2", Name: "최종", Primary: true}))
		ts := must(c.campus.ListMyTimetables(u.ctx, &communityv1.ListMyTimetablesRequest{Term: "2026-2"})).GetTimetables()
		var got []string
		for _, t := range ts {
			got = append(got, fmt.Sprintf("%s:%v:%d", t.GetName(), t.GetPrimary(), t.GetTotalCredits()))
		}
		if fmt.Sprint(got) != "[최종:true:0 시간표:false:6 플랜 B:false:3]" {
			t.Fatalf("timetables = %v", got)
		}
	})
	t.Run("rename, move the primary mark, delete", func(t *testing.T) {
		names := func() string {
			var got []string
			for _, t := range must(c.campus.ListMyTimetables(u.ctx, &communityv1.ListMyTimetablesRequest{Term: "2026-2"})).GetTimetables() {
				got = append(got, fmt.Sprintf("%s:%v", t.GetName(), t.GetPrimary()))
			}
			return strings.Join(got, " ")
		}
		name, yes, no := "플랜 C", true, false
		tt := must(c.campus.UpdateTimetable(u.ctx, &communityv1.UpdateTimetableRequest{Id: plan.GetId(), Name: &name, Primary: &yes})).GetTimetable()
		if tt.GetName() != "플랜 C" || !tt.GetPrimary() || tt.GetTotalCredits() != 3 {
			t.Fatalf("updated = %v", tt)
		}
		if got := names(); got != "플랜 C:true 시간표:false 최종:false" {
			t.Fatalf("after update = %s", got)
		}
		_, err := c.campus.UpdateTimetable(u.ctx, &communityv1.UpdateTimetableRequest{Id: plan.GetId(), Primary: &no})
		wantCode(t, err, codes.InvalidArgument, "primary")
		other := c.newUser(t, "other2", "남")
		_, err = c.campus.UpdateTimetable(other.ctx, &communityv1.UpdateTimetableRequest{Id: plan.GetId(), Name: &name})
		wantCode(t, err, codes.NotFound, "")
		_, err = c.campus.DeleteTimetable(other.ctx, &communityv1.DeleteTimetableRequest{Id: plan.GetId()})
		wantCode(t, err, codes.NotFound, "")
		must(c.campus.DeleteTimetable(u.ctx, &communityv1.DeleteTimetableRequest{Id: plan.GetId()}))
		if got := names(); got != "시간표:true 최종:false" {
			t.Fatalf("after delete = %s", got)
		}
		_, err = c.campus.DeleteTimetable(u.ctx, &communityv1.DeleteTimetableRequest{Id: plan.GetId()})
		wantCode(t, err, codes.NotFound, "")
	})
	t.Run("clash checks hold under concurrency", func(t *testing.T) {
		tt := must(c.campus.CreateTimetable(u.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2", Name: "경쟁"})).GetTimetable()
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			code := []string{"CS101-01", "CS102-01"}[i%2]
			wg.Go(func() { _, errs[i] = add(tt.GetId(), code) })
		}
		wg.Wait()
		ts := must(c.campus.ListMyTimetables(u.ctx, &communityv1.ListMyTimetablesRequest{Term: "2026-2"})).GetTimetables()
		for _, t2 := range ts {
			if t2.GetId() == tt.GetId() && len(t2.GetLectures()) != 1 {
				t.Fatalf("clashing lectures both added: %v", t2.GetLectures())
			}
		}
		for _, err := range errs {
			if err != nil && status.Code(err) != codes.AlreadyExists {
				t.Fatalf("err = %v", err)
			}
		}
	})
}

func TestLectureReviews(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	ls := c.importLectures(t, "snu", "2026-2", lecturesCSV)
	id := ls["CS101-01"].GetId()
	kim := c.student(t, "kim", "김", "snu")

	put := func(u user, rating, difficulty, workload int32) (*communityv1.PutMyLectureReviewResponse, error) {
		return c.campus.PutMyLectureReview(u.ctx, &communityv1.PutMyLectureReviewRequest{Id: id, Rating: rating, Difficulty: difficulty,
			Workload: workload, TermTaken: "2026-1", Body: "과제가 많지만 배울 게 많아요"})
	}
	t.Run("members of the lecture's school only", func(t *testing.T) {
		_, err := put(c.student(t, "yon", "연", "yonsei"), 5, 1, 1)
		wantCode(t, err, codes.PermissionDenied, "")
		pending := c.newUser(t, "pending", "대기")
		must(c.campus.SetMySchool(pending.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: "pending@snu.ac.kr"}))
		_, err = put(pending, 5, 1, 1)
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = put(kim, 6, 1, 1)
		wantCode(t, err, codes.InvalidArgument, "rating")
		_, err = c.campus.PutMyLectureReview(kim.ctx, &communityv1.PutMyLectureReviewRequest{Id: c.snu.GetId(), Rating: 5, Difficulty: 1, Workload: 1, TermTaken: "2026-1"})
		wantCode(t, err, codes.NotFound, "")
	})
	t.Run("one per member, editable", func(t *testing.T) {
		must(put(kim, 2, 5, 5))
		resp := must(put(kim, 4, 3, 2))
		if s := resp.GetSummary(); s.GetCount() != 1 || s.GetRatingAverage() != 4 || s.GetDifficultyAverage() != 3 || s.GetWorkloadAverage() != 2 {
			t.Fatalf("summary = %v", s)
		}
		list := must(c.campus.ListLectureReviews(kim.ctx, &communityv1.ListLectureReviewsRequest{Id: id}))
		if len(list.GetReviews()) != 1 || !list.GetReviews()[0].GetMine() || list.GetReviews()[0].GetRating() != 4 {
			t.Fatalf("reviews = %v", list)
		}
		if leaks(list, kim.id, kim.username) != nil {
			t.Fatal("a review names its author")
		}
		if r := must(c.campus.ListLectureReviews(visitor, &communityv1.ListLectureReviewsRequest{Id: id})).GetReviews()[0]; r.GetMine() {
			t.Fatal("a visitor's review is mine")
		}
	})
	t.Run("averages are exact under concurrent writes", func(t *testing.T) {
		var students []user
		for i := range 20 {
			students = append(students, c.student(t, fmt.Sprintf("s%d", i), "학생", "snu"))
		}
		var wg sync.WaitGroup
		for i, s := range students {
			wg.Go(func() {
				// Each writes twice; only the second counts.
				must(put(s, 1, 1, 1))
				must(put(s, int32(i%5+1), int32((i+1)%5+1), int32((i+2)%5+1)))
			})
		}
		wg.Wait()
		var rating, diff, work float64 = 4, 3, 2 // kim's
		for i := range students {
			rating += float64(i%5 + 1)
			diff += float64((i+1)%5 + 1)
			work += float64((i+2)%5 + 1)
		}
		got := must(c.campus.GetLecture(visitor, &communityv1.GetLectureRequest{Id: id})).GetLecture().GetReviews()
		if got.GetCount() != 21 || got.GetRatingAverage() != rating/21 || got.GetDifficultyAverage() != diff/21 || got.GetWorkloadAverage() != work/21 {
			t.Fatalf("summary = %v, want %v %v %v", got, rating/21, diff/21, work/21)
		}
	})
}

func TestSchoolEmail(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	u := c.newUser(t, "hana", "박하나")
	must(c.client.CreateBoard(c.staff.ctx, &communityv1.CreateBoardRequest{Slug: "snu-free", Name: "서울대 자유", Category: "캠퍼스", SchoolId: c.snu.GetId()}))

	token := func(to string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m, err := c.sink.Wait(ctx, func(m smtpsink.Message) bool { return len(m.To) == 1 && m.To[0] == to })
		if err != nil {
			t.Fatalf("no mail to %s: %v", to, err)
		}
		link := regexp.MustCompile(`https://jangteo\.example/verify-school-email\?token=(\S+)`).FindStringSubmatch(m.Text)
		if link == nil || !strings.Contains(m.Text, "서울대학교") {
			t.Fatalf("mail = %q", m.Text)
		}
		return link[1]
	}

	must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: "old@snu.ac.kr"}))
	stale := token("old@snu.ac.kr")
	must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: "hana@snu.ac.kr"}))
	tok := token("hana@snu.ac.kr")

	_, err := c.client.ListBoardPosts(u.ctx, &communityv1.ListBoardPostsRequest{Slug: "snu-free"})
	wantCode(t, err, codes.PermissionDenied, "")
	// A link for an address no longer named approves nothing.
	_, err = c.campus.VerifySchoolEmail(visitor, &communityv1.VerifySchoolEmailRequest{Token: stale})
	wantCode(t, err, codes.InvalidArgument, "")
	_, err = c.campus.VerifySchoolEmail(visitor, &communityv1.VerifySchoolEmailRequest{Token: "not-a-token"})
	wantCode(t, err, codes.InvalidArgument, "")

	m := must(c.campus.VerifySchoolEmail(visitor, &communityv1.VerifySchoolEmailRequest{Token: tok})).GetMembership()
	if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_APPROVED || m.GetUserId() != u.id || m.GetSchoolEmail() != "hana@snu.ac.kr" {
		t.Fatalf("membership = %v", m)
	}
	must(c.client.ListBoardPosts(u.ctx, &communityv1.ListBoardPostsRequest{Slug: "snu-free"}))
	// The link works once; naming the same address again keeps the approval and sends nothing.
	_, err = c.campus.VerifySchoolEmail(visitor, &communityv1.VerifySchoolEmailRequest{Token: tok})
	wantCode(t, err, codes.InvalidArgument, "")
	m = must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2024, SchoolEmail: "hana@snu.ac.kr"})).GetMembership()
	if m.GetStatus() != communityv1.MembershipStatus_MEMBERSHIP_STATUS_APPROVED {
		t.Fatalf("same address = %v", m)
	}
	time.Sleep(300 * time.Millisecond)
	n := 0
	for _, msg := range c.sink.Messages() {
		if msg.To[0] == "hana@snu.ac.kr" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d mails to hana", n)
	}
	// Identity hears of the approval by link, then of the new admission year.
	evs := c.membershipEvents(t, u.id)
	if len(evs) != 2 || !evs[0].GetApproved() || evs[0].GetSchoolSlug() != "snu" || evs[0].GetAdmissionYear() != 2025 ||
		!evs[1].GetApproved() || evs[1].GetAdmissionYear() != 2024 {
		t.Fatalf("membership events = %v", evs)
	}
}

func TestFriends(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	ls := c.importLectures(t, "snu", "2026-2", lecturesCSV)
	minji, jun, stranger := c.student(t, "minji", "김민지", "snu"), c.student(t, "jun", "이준", "snu"), c.newUser(t, "stranger", "낯선이")
	tt := must(c.campus.CreateTimetable(minji.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2"})).GetTimetable()
	must(c.campus.AddTimetableLecture(minji.ctx, &communityv1.AddTimetableLectureRequest{Id: tt.GetId(), LectureId: ls["CS101-01"].GetId()}))
	must(c.campus.CreateTimetable(minji.ctx, &communityv1.CreateTimetableRequest{Term: "2026-2", Name: "비밀 플랜"}))

	see := func(viewer user) error {
		r, err := c.campus.GetFriendTimetable(viewer.ctx, &communityv1.GetFriendTimetableRequest{Username: "minji", Term: "2026-2"})
		if err == nil && (r.GetTimetable().GetId() != tt.GetId() || r.GetOwner().GetUsername() != "minji" || r.GetTimetable().GetTotalCredits() != 3) {
			t.Fatalf("timetable = %v", r)
		}
		return err
	}
	wantCode(t, see(jun), codes.NotFound, "")

	t.Run("requests", func(t *testing.T) {
		_, err := c.campus.SendFriendRequest(jun.ctx, &communityv1.SendFriendRequestRequest{Username: "jun"})
		wantCode(t, err, codes.InvalidArgument, "")
		_, err = c.campus.SendFriendRequest(jun.ctx, &communityv1.SendFriendRequestRequest{Username: "nobody"})
		wantCode(t, err, codes.NotFound, "")
		r := must(c.campus.SendFriendRequest(jun.ctx, &communityv1.SendFriendRequestRequest{Username: "Minji"}))
		if r.GetState() != communityv1.FriendshipState_FRIENDSHIP_STATE_REQUESTED || r.GetFriend().GetName() != "김민지" {
			t.Fatalf("request = %v", r)
		}
		must(c.campus.SendFriendRequest(jun.ctx, &communityv1.SendFriendRequestRequest{Username: "minji"})) // again: nothing new
		reqs := must(c.campus.ListFriendRequests(minji.ctx, &communityv1.ListFriendRequestsRequest{}))
		if len(reqs.GetIncoming()) != 1 || reqs.GetIncoming()[0].GetUsername() != "jun" || len(reqs.GetOutgoing()) != 0 {
			t.Fatalf("requests = %v", reqs)
		}
		// Only the one asked accepts.
		_, err = c.campus.AcceptFriendRequest(jun.ctx, &communityv1.AcceptFriendRequestRequest{Username: "minji"})
		wantCode(t, err, codes.NotFound, "")
		wantCode(t, see(jun), codes.NotFound, "")
		must(c.campus.AcceptFriendRequest(minji.ctx, &communityv1.AcceptFriendRequestRequest{Username: "jun"}))
		for _, u := range []user{minji, jun} {
			if fs := must(c.campus.ListFriends(u.ctx, &communityv1.ListFriendsRequest{})).GetFriends(); len(fs) != 1 {
				t.Fatalf("friends = %v", fs)
			}
		}
		// A declined request is gone; crossing requests make friends.
		must(c.campus.SendFriendRequest(stranger.ctx, &communityv1.SendFriendRequestRequest{Username: "jun"}))
		must(c.campus.DeclineFriendRequest(jun.ctx, &communityv1.DeclineFriendRequestRequest{Username: "stranger"}))
		_, err = c.campus.DeclineFriendRequest(jun.ctx, &communityv1.DeclineFriendRequestRequest{Username: "stranger"})
		wantCode(t, err, codes.NotFound, "")
		must(c.campus.SendFriendRequest(stranger.ctx, &communityv1.SendFriendRequestRequest{Username: "jun"}))
		if r := must(c.campus.SendFriendRequest(jun.ctx, &communityv1.SendFriendRequestRequest{Username: "stranger"})); r.GetState() != communityv1.FriendshipState_FRIENDSHIP_STATE_FRIENDS {
			t.Fatalf("crossing = %v", r)
		}
		must(c.campus.DeleteFriend(jun.ctx, &communityv1.DeleteFriendRequest{Username: "stranger"}))
		must(c.campus.DeleteFriend(jun.ctx, &communityv1.DeleteFriendRequest{Username: "stranger"}))
	})

	t.Run("who sees a timetable", func(t *testing.T) {
		set := func(v communityv1.TimetableVisibility) {
			must(c.campus.SetTimetableVisibility(minji.ctx, &communityv1.SetTimetableVisibilityRequest{Visibility: v}))
		}
		if err := see(jun); err != nil { // friends by default
			t.Fatal(err)
		}
		wantCode(t, see(stranger), codes.NotFound, "")
		set(communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_PUBLIC)
		if err := see(stranger); err != nil {
			t.Fatal(err)
		}
		set(communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_PRIVATE)
		wantCode(t, see(jun), codes.NotFound, "")
		if err := see(minji); err != nil { // always one's own
			t.Fatal(err)
		}
		set(communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_FRIENDS)
		_, err := c.campus.GetFriendTimetable(jun.ctx, &communityv1.GetFriendTimetableRequest{Username: "minji", Term: "2027-1"})
		wantCode(t, err, codes.NotFound, "")
		must(c.campus.DeleteFriend(minji.ctx, &communityv1.DeleteFriendRequest{Username: "jun"}))
		wantCode(t, see(jun), codes.NotFound, "")
		_, err = c.campus.SetTimetableVisibility(minji.ctx, &communityv1.SetTimetableVisibilityRequest{})
		wantCode(t, err, codes.InvalidArgument, "visibility")
	})
}
