package community_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
)

// TestRESTCampus walks the campus routes through the gateway: the admin
// import's 422 report, the staff queue of pending memberships, a clash's 409
// and a school board's 403.
func TestRESTCampus(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	r := c.rest(t)
	staff, minji := c.iss.Token(c.staff.id, "staff"), c.student(t, "minji", "김민지", "snu")
	tok := c.iss.Token(minji.id, "customer")

	code, raw, _ := r.do("", "GET", "/v1/schools?q="+"%EC%84%9C%EC%9A%B8", "") // 서울
	if code != http.StatusOK || !strings.Contains(raw, `"slug":"snu"`) {
		t.Fatalf("GET /v1/schools = %d %s", code, raw)
	}
	csv, _ := json.Marshal("code,title,professor,credits,meetings\nX1,과목,교수,3,월 25:00-26:00\n")
	code, raw, _ = r.do(staff, "POST", "/v1/admin/schools/snu/lectures:import", `{"term":"2026-2","csv":`+string(csv)+`}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(raw, `csv.lines[2]`) || !strings.Contains(raw, "LECTURES_REJECTED") {
		t.Fatalf("rejected import = %d %s", code, raw)
	}
	code, raw, _ = r.do(tok, "POST", "/v1/admin/schools/snu/lectures:import", `{"term":"2026-2","csv":"x"}`)
	if code != http.StatusForbidden {
		t.Fatalf("import as a student = %d %s", code, raw)
	}
	// The staff queue of pending memberships: a student is refused; staff
	// page it and decline from it.
	hana := c.newUser(t, "hana", "이하나")
	must(c.campus.SetMySchool(hana.ctx, &communityv1.SetMySchoolRequest{School: "yonsei", AdmissionYear: 2026}))
	if code, raw, _ = r.do(tok, "GET", "/v1/admin/school-memberships", ""); code != http.StatusForbidden {
		t.Fatalf("pending list as a student = %d %s", code, raw)
	}
	code, raw, pending := r.do(staff, "GET", "/v1/admin/school-memberships?school=yonsei&page_size=10", "")
	if code != http.StatusOK || pending["total_count"].(float64) != 1 || !strings.Contains(raw, `"username":"hana"`) {
		t.Fatalf("pending list = %d %s", code, raw)
	}
	if code, raw, _ = r.do(staff, "POST", "/v1/admin/schools/yonsei/members/"+hana.id+":decline", ""); code != http.StatusOK {
		t.Fatalf("decline = %d %s", code, raw)
	}
	if code, raw, _ = r.do(staff, "POST", "/v1/admin/schools/yonsei/members/"+hana.id+":decline", ""); code != http.StatusNotFound {
		t.Fatalf("decline again = %d %s", code, raw)
	}
	csv, _ = json.Marshal(lecturesCSV)
	if code, raw, _ = r.do(staff, "POST", "/v1/admin/schools/snu/lectures:import", `{"term":"2026-2","csv":`+string(csv)+`}`); code != http.StatusOK {
		t.Fatalf("import = %d %s", code, raw)
	}
	_, _, list := r.do("", "GET", "/v1/schools/snu/lectures?term=2026-2&day=WEEKDAY_MONDAY&professor=%EA%B9%80", "") // 김
	lectures := list["lectures"].([]any)
	if len(lectures) != 1 || list["total_count"].(float64) != 1 {
		t.Fatalf("monday lectures by 김 = %v", list)
	}
	cs101 := lectures[0].(map[string]any)["id"].(string)
	_, _, all := r.do("", "GET", "/v1/schools/snu/lectures?term=2026-2&q=CS102", "")
	cs102 := all["lectures"].([]any)[0].(map[string]any)["id"].(string)

	code, _, created := r.do(tok, "POST", "/v1/me/timetables", `{"term":"2026-2"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/me/timetables = %d %v", code, created)
	}
	tt := created["timetable"].(map[string]any)["id"].(string)
	if code, raw, _ = r.do(tok, "PUT", "/v1/me/timetables/"+tt+"/lectures/"+cs101, ""); code != http.StatusOK || !strings.Contains(raw, `"total_credits":3`) {
		t.Fatalf("add = %d %s", code, raw)
	}
	code, _, body := r.do(tok, "PUT", "/v1/me/timetables/"+tt+"/lectures/"+cs102, "")
	if code != http.StatusConflict || !strings.Contains(body["message"].(string), "CS101-01 자료구조 (월 09:00-10:15)") {
		t.Fatalf("clash = %d %v", code, body)
	}
	if code, raw, _ = r.do(tok, "PUT", "/v1/lectures/"+cs101+"/reviews/mine", `{"rating":5,"difficulty":3,"workload":2,"term_taken":"2026-1","body":"추천"}`); code != http.StatusOK {
		t.Fatalf("review = %d %s", code, raw)
	}

	code, _, board := r.do(staff, "POST", "/v1/boards", `{"slug":"snu-free","name":"서울대 자유","category":"캠퍼스","school_id":"`+c.snu.GetId()+`"}`)
	if code != http.StatusCreated {
		t.Fatalf("board = %d %v", code, board)
	}
	code, _, body = r.do("", "GET", "/v1/boards/snu-free/posts", "")
	if code != http.StatusForbidden || !strings.Contains(body["message"].(string), "members") {
		t.Fatalf("visitor on a school board = %d %v", code, body)
	}
	if code, raw, _ = r.do(tok, "GET", "/v1/boards/snu-free/posts", ""); code != http.StatusOK {
		t.Fatalf("member on the school board = %d %s", code, raw)
	}
}

// TestRESTSchoolEmailPage opens the mailed link's page, which changes
// nothing, and presses its button.
func TestRESTSchoolEmailPage(t *testing.T) {
	t.Parallel()
	c := startCampus(t)
	r := c.rest(t)
	u := c.newUser(t, "hana", "박하나")
	must(c.campus.SetMySchool(u.ctx, &communityv1.SetMySchoolRequest{School: "snu", AdmissionYear: 2025, SchoolEmail: "hana@snu.ac.kr"}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m := must(c.sink.Wait(ctx, func(m smtpsink.Message) bool { return m.To[0] == "hana@snu.ac.kr" }))
	tok := regexp.MustCompile(`verify-school-email\?token=(\S+)`).FindStringSubmatch(m.Text)[1]

	code, raw, _ := r.do("", "GET", "/verify-school-email?token="+tok, "")
	if code != http.StatusOK || !strings.Contains(raw, `action="/verify-school-email"`) {
		t.Fatalf("page = %d %s", code, raw)
	}
	if s := must(c.campus.GetMySchool(u.ctx, &communityv1.GetMySchoolRequest{})).GetMembership().GetStatus(); s != communityv1.MembershipStatus_MEMBERSHIP_STATUS_PENDING {
		t.Fatalf("opening the page changed the membership: %v", s)
	}
	press := func() (int, string) {
		resp, err := http.PostForm(r.url+"/verify-school-email", url.Values{"token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, raw := press(); code != http.StatusOK || !strings.Contains(raw, "서울대학교 인증이 끝났습니다") {
		t.Fatalf("button = %d %s", code, raw)
	}
	if code, _ := press(); code != http.StatusBadRequest {
		t.Fatalf("second press = %d", code)
	}
}
