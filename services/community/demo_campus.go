package community

import (
	"context"
	"fmt"

	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/campus"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// DemoTerm is the term of the demo lectures.
const DemoTerm = "2026-2"

// Demo lectures: CS102 meets at the same time as CS101 and MA101 overlaps
// PH101, as real terms do.
const (
	demoSNULectures = `code,title,professor,credits,meetings
CS101-01,자료구조,김영희,3,월 09:00-10:15 301동 118호; 수 09:00-10:15 301동 118호
CS102-01,컴퓨터프로그래밍,이철수,3,월 09:00-10:15 302동 208호; 수 09:00-10:15 302동 208호
CS201-01,알고리즘,박민수,3,화 11:00-12:15 301동 105호; 목 11:00-12:15 301동 105호
MA101-01,미적분학 1,정수진,3,화 13:00-14:15 27동 220호; 목 13:00-14:15 27동 220호
PH101-01,물리학 1,최동현,3,화 14:00-15:15 56동 101호; 목 14:00-15:15 56동 101호
GE110-01,대학 글쓰기,한지민,2,금 10:00-11:50 1동 302호
PE100-01,골프,윤성호,1,
`
	demoYonseiLectures = `code,title,professor,credits,meetings
ECO1001-01,경제원론,서지훈,3,월 10:30-11:45 대우관 101; 수 10:30-11:45 대우관 101
BUS1001-01,경영학원론,강민아,3,화 09:00-10:15 경영관 201; 목 09:00-10:15 경영관 201
ENG1101-01,대학영어,Smith,2,금 13:00-14:50 외솔관 305
`
)

// seedCampus adds two schools with boards and a term of lectures; minji
// and jisoo study at 서울대 (school email) and are friends with timetables
// and reviews, hana at 연세대 (approved by staff).
func (s *Service) seedCampus(ctx context.Context, minji, jisoo, hana domain.Caller) error {
	c := s.campus
	snu, err := c.CreateSchool(ctx, campus.School{Slug: "snu", Name: "서울대학교", EmailDomain: "snu.ac.kr", Region: "서울"})
	if err != nil {
		return fmt.Errorf("seed school: %w", err)
	}
	yonsei, err := c.CreateSchool(ctx, campus.School{Slug: "yonsei", Name: "연세대학교", Region: "서울"})
	if err != nil {
		return fmt.Errorf("seed school: %w", err)
	}
	for _, b := range []domain.Board{
		{Slug: "snu-free", Name: "서울대 자유게시판", Category: "캠퍼스", SchoolID: snu.ID, AnonymousAllowed: true},
		{Slug: "snu-info", Name: "서울대 정보게시판", Category: "캠퍼스", SchoolID: snu.ID, Position: 1},
		{Slug: "yonsei-free", Name: "연세대 자유게시판", Category: "캠퍼스", SchoolID: yonsei.ID, AnonymousAllowed: true},
	} {
		if _, err := s.app.CreateBoard(ctx, b); err != nil {
			return fmt.Errorf("seed board %s: %w", b.Slug, err)
		}
	}
	// Demo members cannot open mail: their memberships are written approved.
	const member = `INSERT INTO school_members (user_id, school_id, admission_year, status, join_method, school_email)
		VALUES ($1, $2, $3, 'approved', $4, $5)`
	for _, m := range []struct {
		who           domain.Caller
		school        string
		year          int
		method, email string
	}{
		{minji, snu.ID, 2024, campus.ByEmail, "minji@snu.ac.kr"},
		{jisoo, snu.ID, 2023, campus.ByEmail, "jisoo@snu.ac.kr"},
		{hana, yonsei.ID, 2025, campus.ByStaff, ""},
	} {
		if _, err := s.rt.Pool.Exec(ctx, member, m.who.UserID, m.school, m.year, m.method, m.email); err != nil {
			return fmt.Errorf("seed membership: %w", err)
		}
	}
	for slug, csv := range map[string]string{"snu": demoSNULectures, "yonsei": demoYonseiLectures} {
		if _, err := c.ImportLectures(ctx, slug, DemoTerm, csv); err != nil {
			return fmt.Errorf("seed lectures of %s: %w", slug, err)
		}
	}
	page, err := c.Lectures(ctx, campus.LectureQuery{Slug: "snu", Term: DemoTerm, PageSize: 100})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	lecture := map[string]string{}
	for _, l := range page.Lectures {
		lecture[l.Code] = l.ID
	}
	d := demo{ctx: ctx, app: s.app}
	for who, codes := range map[domain.Caller][]string{
		minji: {"CS101-01", "CS201-01", "MA101-01", "GE110-01"},
		jisoo: {"CS102-01", "PH101-01", "PE100-01"},
	} {
		tt, err := c.CreateTimetable(ctx, who.UserID, DemoTerm, "", false)
		if err != nil {
			return fmt.Errorf("seed timetable: %w", err)
		}
		for _, code := range codes {
			d.do("timetable", func() error { _, err := c.AddLecture(ctx, who.UserID, tt.ID, lecture[code]); return err })
		}
	}
	for _, r := range []struct {
		who  domain.Caller
		code string
		rv   campus.Review
	}{
		{minji, "CS101-01", campus.Review{Rating: 5, Difficulty: 4, Workload: 4, TermTaken: "2026-1", Body: "설명이 정말 친절해요. 과제는 많지만 남는 게 많습니다."}},
		{jisoo, "CS101-01", campus.Review{Rating: 4, Difficulty: 4, Workload: 5, TermTaken: "2025-2", Body: "매주 과제가 있어요. 시험은 과제만 잘 하면 괜찮아요."}},
		{jisoo, "MA101-01", campus.Review{Rating: 3, Difficulty: 5, Workload: 3, TermTaken: "2025-1", Body: "진도가 빨라요. 연습문제 꼭 풀어보세요."}},
	} {
		d.do("review", func() error { _, _, err := c.PutReview(ctx, r.who.UserID, lecture[r.code], r.rv); return err })
	}
	d.do("friends", func() error { _, _, err := c.RequestFriend(ctx, minji.UserID, "jisoo"); return err })
	d.do("friends", func() error { _, err := c.AcceptFriend(ctx, jisoo.UserID, "minji"); return err })
	d.post(minji, app.NewPost{BoardSlug: "snu-free", Title: "자료구조 같이 공부하실 분", Body: "월수 1교시 자료구조 스터디 구해요. 중앙도서관에서 해요!"})
	d.post(hana, app.NewPost{BoardSlug: "yonsei-free", Anonymous: true, Title: "경제원론 교재 물려받을 분", Body: "거의 새 책이에요."})
	return d.err
}
