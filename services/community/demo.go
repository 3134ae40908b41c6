package community

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"go.uber.org/zap"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Demo members: community profiles only (they cannot sign in); the staff
// one signs the notices.
var demoMembers = []domain.Profile{
	{UserID: "01900000-0000-7000-8000-0000000000a1", Username: "jangteo_team", Name: "장터 운영팀"},
	{UserID: "01900000-0000-7000-8000-0000000000a2", Username: "minji", Name: "김민지"},
	{UserID: "01900000-0000-7000-8000-0000000000a3", Username: "jisoo", Name: "박지수"},
	{UserID: "01900000-0000-7000-8000-0000000000a4", Username: "hana", Name: "이하나"},
	{UserID: "01900000-0000-7000-8000-0000000000a5", Username: "sneakerhead", Name: "운동화덕후"},
}

var demoBoards = []domain.Board{
	{Slug: "notice", Name: "공지사항", Description: "장터 소식과 이벤트", Category: "공지", Kind: domain.BoardNotice,
		Labels: []string{"공지", "이벤트", "점검"}},
	{Slug: "free", Name: "자유게시판", Description: "아무 이야기나 자유롭게", Category: "커뮤니티", AnonymousAllowed: true},
	{Slug: "secret", Name: "비밀게시판", Description: "익명으로 털어놓는 고민", Category: "커뮤니티", AnonymousAllowed: true, Position: 1},
	{Slug: "market-talk", Name: "장터 이야기", Description: "사고팔기, 시세, 거래 후기", Category: "장터", AnonymousAllowed: true},
}

// SeedDemo fills an empty community with demo boards, members, notices,
// threads (anonymous ones among them) and style posts tagging products of
// the catalog's demo data. It does nothing when boards exist already.
func (s *Service) SeedDemo(ctx context.Context) error {
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM boards WHERE kind <> 'style'`).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	st := store.New(s.rt.Pool)
	for _, p := range demoMembers {
		if err := st.Read().SyncProfile(ctx, p, time.Now()); err != nil {
			return fmt.Errorf("seed member %s: %w", p.Username, err)
		}
	}
	staff := domain.Caller{UserID: demoMembers[0].UserID, Staff: true}
	minji, jisoo, hana, sneaker := member(1), member(2), member(3), member(4)
	for _, b := range demoBoards {
		if _, err := s.app.CreateBoard(ctx, b); err != nil {
			return fmt.Errorf("seed board %s: %w", b.Slug, err)
		}
	}
	d := demo{ctx: ctx, app: s.app}
	d.post(staff, app.NewPost{BoardSlug: "notice", Label: "공지", Pinned: true, Title: "장터 커뮤니티 이용 규칙",
		Body: "서로 존중해 주세요. 광고, 욕설, 개인정보 노출은 신고 후 숨김 처리됩니다."})
	d.post(staff, app.NewPost{BoardSlug: "notice", Label: "점검", Title: "12월 3일 새벽 2시 서버 점검 안내", Body: "약 30분간 접속이 원활하지 않을 수 있어요."})
	d.post(staff, app.NewPost{BoardSlug: "notice", Label: "이벤트", Title: "겨울 스타일 챌린지", Body: "스타일 게시판에 코디를 올리고 상품을 태그하면 추첨으로 적립금을 드려요."})

	lunch := d.post(minji, app.NewPost{BoardSlug: "free", Title: "오늘 점심 뭐 먹지?", Body: "학교 앞 김밥집 vs 새로 생긴 라멘집, 추천해 주세요!"})
	c1 := d.comment(jisoo, app.NewComment{Target: lunch.ID, Body: "라멘집 가봤는데 국물이 진해요"})
	d.reply(minji, app.NewComment{Target: c1.ID, Body: "오 정보 고마워요!"})
	d.reply(hana, app.NewComment{Target: c1.ID, Body: "저도 라멘 추천", Anonymous: true})
	d.comment(hana, app.NewComment{Target: lunch.ID, Body: "김밥은 언제나 옳다"})

	worry := d.post(hana, app.NewPost{BoardSlug: "secret", Anonymous: true, Title: "전공이 저랑 안 맞는 것 같아요",
		Body: "2학년인데 수업이 하나도 재미없어요. 전과를 고민 중인데 해보신 분 있나요?"})
	a1 := d.comment(jisoo, app.NewComment{Target: worry.ID, Body: "저 전과했어요! 1년 늦어져도 후회 없어요", Anonymous: true})
	d.reply(hana, app.NewComment{Target: a1.ID, Body: "용기가 나네요 고마워요"})
	d.reply(sneaker, app.NewComment{Target: a1.ID, Body: "저도 궁금했는데 도움 됐어요", Anonymous: true})
	d.comment(minji, app.NewComment{Target: worry.ID, Body: "교수님 상담 먼저 받아보세요", Anonymous: true})

	talk := d.post(sneaker, app.NewPost{BoardSlug: "market-talk", Title: "요즘 리셀가 너무 올랐네요", Body: "270 사이즈 구하기가 하늘의 별 따기…"})
	d.comment(jisoo, app.NewComment{Target: talk.ID, Body: "입찰 걸어두고 기다리는 게 답이에요"})
	d.post(jisoo, app.NewPost{BoardSlug: "market-talk", Anonymous: true, Title: "거래 후기: 직거래보다 검수가 마음 편하네요", Body: "검수 통과 알림 받으니 안심됐어요."})

	for _, u := range []domain.Caller{jisoo, hana, sneaker} {
		d.do("like", func() error { _, err := s.app.LikePost(ctx, u, lunch.ID, true); return err })
	}
	d.do("like", func() error { _, err := s.app.LikePost(ctx, minji, worry.ID, true); return err })
	d.do("scrap", func() error { _, err := s.app.Scrap(ctx, minji, talk.ID, true); return err })
	for _, f := range [][2]domain.Caller{{jisoo, minji}, {hana, minji}, {minji, sneaker}} {
		d.do("follow", func() error { _, err := s.app.Follow(ctx, f[0], f[1].UserID, true); return err })
	}
	if d.err != nil {
		return d.err
	}
	if err := s.seedCampus(ctx, minji, jisoo, hana); err != nil {
		return err
	}
	s.seedStyles(ctx, sneaker, minji)
	return nil
}

// seedStyles tags shoes and clothes of the catalog's demo data (any products
// when those categories are missing); without a reachable catalog the demo
// simply has no styles.
func (s *Service) seedStyles(ctx context.Context, authors ...domain.Caller) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	api := catalogv1.NewCatalogServiceClient(s.catalog)
	slugs := func(category string) []string {
		resp, err := api.ListProducts(ctx, &catalogv1.ListProductsRequest{Category: category, PageSize: 2})
		if err != nil {
			s.rt.Log.Warn("demo styles: catalog", zap.Error(err))
			return nil
		}
		var out []string
		for _, p := range resp.GetProducts() {
			out = append(out, p.GetSlug())
		}
		return out
	}
	shoes, clothes := slugs("sinbal"), slugs("uiryu")
	if len(shoes) < 2 || len(clothes) < 2 {
		if shoes, clothes = slugs(""), nil; len(shoes) < 2 {
			return
		}
		clothes = shoes
	}
	styles := []struct {
		pictures []color.RGBA
		style    app.NewStyle
	}{
		{[]color.RGBA{{0xd9, 0x8f, 0x5c, 0xff}}, app.NewStyle{Body: "주말 나들이 코디 👟", Products: []string{shoes[0], clothes[0]}}},
		{[]color.RGBA{{0x4a, 0x6f, 0xa5, 0xff}, {0x2f, 0x2f, 0x3a, 0xff}}, app.NewStyle{Body: "가볍게 출근룩", Products: []string{clothes[1], shoes[1]}}},
	}
	for i, st := range styles {
		author := authors[i%len(authors)]
		for _, c := range st.pictures {
			m, err := s.app.UploadMedia(ctx, author, "image/png", demoPicture(c))
			if err != nil {
				s.rt.Log.Warn("demo style picture skipped", zap.Error(err))
				continue
			}
			st.style.MediaIDs = append(st.style.MediaIDs, m.ID)
		}
		if _, err := s.app.CreateStyle(ctx, author, st.style); err != nil {
			s.rt.Log.Warn("demo style skipped", zap.Error(err))
		}
	}
}

// demoPicture draws a small portrait PNG fading from c to white, a stand-in
// for a photo, uploaded like a member's.
func demoPicture(c color.RGBA) []byte {
	const w, h = 80, 100
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		mix := func(v uint8) uint8 { return uint8(int(v) + (255-int(v))*y/h) }
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}

func member(i int) domain.Caller { return domain.Caller{UserID: demoMembers[i].UserID} }

// demo runs seed steps, keeping the first failure.
type demo struct {
	ctx context.Context
	app *app.App
	err error
}

func (d *demo) do(what string, fn func() error) {
	if d.err == nil {
		if err := fn(); err != nil {
			d.err = fmt.Errorf("seed %s: %w", what, err)
		}
	}
}

func (d *demo) post(c domain.Caller, n app.NewPost) (v domain.PostView) {
	d.do("post "+n.Title, func() (err error) { v, err = d.app.CreatePost(d.ctx, c, n); return err })
	return v
}

func (d *demo) comment(c domain.Caller, n app.NewComment) (v domain.CommentView) {
	d.do("comment", func() (err error) { v, err = d.app.CreateComment(d.ctx, c, n); return err })
	return v
}

func (d *demo) reply(c domain.Caller, n app.NewComment) (v domain.CommentView) {
	d.do("reply", func() (err error) { v, err = d.app.CreateReply(d.ctx, c, n); return err })
	return v
}
