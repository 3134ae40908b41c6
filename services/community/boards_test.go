package community_test

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

func TestBoards(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	e.boards(t, staff.ctx)
	must(e.client.CreateBoard(staff.ctx, &communityv1.CreateBoardRequest{
		Name: "Market Talk", Category: "장터", Description: "사고팔기 이야기",
	}))

	t.Run("only staff create boards", func(t *testing.T) {
		_, err := e.client.CreateBoard(minji.ctx, &communityv1.CreateBoardRequest{Slug: "mine", Name: "내 게시판", Category: "x"})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.CreateBoard(staff.ctx, &communityv1.CreateBoardRequest{Slug: "free", Name: "또", Category: "x"})
		wantCode(t, err, codes.AlreadyExists, "slug")
		_, err = e.client.CreateBoard(staff.ctx, &communityv1.CreateBoardRequest{Name: "한글만", Category: "x"})
		wantCode(t, err, codes.InvalidArgument, "slug")
	})

	t.Run("list grouped by category", func(t *testing.T) {
		resp := must(e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{}))
		if len(resp.GetBoards()) != 4 { // with the built-in style board
			t.Fatalf("boards = %v", resp.GetBoards())
		}
		var got []string
		for _, c := range resp.GetCategories() {
			got = append(got, fmt.Sprintf("%s:%d", c.GetName(), len(c.GetBoards())))
		}
		if fmt.Sprint(got) != "[공지:1 스타일:1 장터:1 커뮤니티:1]" {
			t.Fatalf("categories = %v", got)
		}
		b := must(e.client.GetBoard(visitor, &communityv1.GetBoardRequest{Slug: "market-talk"})).GetBoard()
		if b.GetName() != "Market Talk" || b.GetSchoolId() != "" || b.GetKind() != communityv1.BoardKind_BOARD_KIND_GENERAL {
			t.Fatalf("board = %v", b)
		}
		_, err := e.client.GetBoard(visitor, &communityv1.GetBoardRequest{Slug: "nope"})
		wantCode(t, err, codes.NotFound, "slug")
	})

	t.Run("school boards are listed with their school only", func(t *testing.T) {
		school := "0193a7b2-0000-7000-8000-000000000001"
		must(e.client.CreateBoard(staff.ctx, &communityv1.CreateBoardRequest{Slug: "snu-free", Name: "서울대 자유", Category: "캠퍼스", SchoolId: school}))
		if n := len(must(e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{})).GetBoards()); n != 4 {
			t.Fatalf("global boards = %d", n)
		}
		if n := len(must(e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{SchoolId: school})).GetBoards()); n != 5 {
			t.Fatalf("with school = %d", n)
		}
		_, err := e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{SchoolId: "snu"})
		wantCode(t, err, codes.InvalidArgument, "school_id")
	})

	t.Run("favourites", func(t *testing.T) {
		for range 2 { // repeating is harmless
			if b := must(e.client.FavoriteBoard(minji.ctx, &communityv1.FavoriteBoardRequest{Slug: "free"})).GetBoard(); !b.GetFavorite() {
				t.Fatal("not favourite")
			}
		}
		must(e.client.FavoriteBoard(minji.ctx, &communityv1.FavoriteBoardRequest{Slug: "market-talk"}))
		favs := must(e.client.ListFavoriteBoards(minji.ctx, &communityv1.ListFavoriteBoardsRequest{})).GetBoards()
		if len(favs) != 2 || favs[0].GetSlug() != "market-talk" {
			t.Fatalf("favourites = %v", favs)
		}
		if !must(e.client.GetBoard(minji.ctx, &communityv1.GetBoardRequest{Slug: "free"})).GetBoard().GetFavorite() {
			t.Fatal("GetBoard does not say favourite")
		}
		if must(e.client.GetBoard(staff.ctx, &communityv1.GetBoardRequest{Slug: "free"})).GetBoard().GetFavorite() {
			t.Fatal("another user sees minji's favourite")
		}
		for range 2 {
			must(e.client.UnfavoriteBoard(minji.ctx, &communityv1.UnfavoriteBoardRequest{Slug: "free"}))
		}
		if favs := must(e.client.ListFavoriteBoards(minji.ctx, &communityv1.ListFavoriteBoardsRequest{})).GetBoards(); len(favs) != 1 {
			t.Fatalf("favourites = %v", favs)
		}
		_, err := e.client.ListFavoriteBoards(visitor, &communityv1.ListFavoriteBoardsRequest{})
		wantCode(t, err, codes.Unauthenticated, "")
	})
}

func TestNoticeBoard(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	e.boards(t, staff.ctx)

	_, err := e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "notice", Title: "저도 공지", Body: "..."})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.client.CreatePost(staff.ctx, &communityv1.CreatePostRequest{Slug: "notice", Title: "t", Body: "b", Label: "잡담"})
	wantCode(t, err, codes.InvalidArgument, "label")
	_, err = e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", Pinned: true})
	wantCode(t, err, codes.PermissionDenied, "pinned")

	for i := range 5 {
		label := "공지"
		if i%2 == 1 {
			label = "이벤트"
		}
		must(e.client.CreatePost(staff.ctx, &communityv1.CreatePostRequest{
			Slug: "notice", Title: fmt.Sprintf("공지 %d", i), Body: "본문", Label: label,
		}))
	}
	pinned := must(e.client.CreatePost(staff.ctx, &communityv1.CreatePostRequest{
		Slug: "notice", Title: "필독: 이용 규칙", Body: "규칙", Label: "공지", Pinned: true,
	})).GetPost()

	page1 := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "notice", PageSize: 2}))
	if len(page1.GetPinned()) != 1 || page1.GetPinned()[0].GetId() != pinned.GetId() {
		t.Fatalf("pinned = %v", page1.GetPinned())
	}
	if page1.GetTotalCount() != 5 || page1.GetTotalPages() != 3 || page1.GetPage() != 1 || len(page1.GetPosts()) != 2 ||
		page1.GetPosts()[0].GetTitle() != "공지 4" || page1.GetPosts()[0].GetLabel() != "공지" {
		t.Fatalf("page 1 = %v", page1)
	}
	page3 := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "notice", Page: 3, PageSize: 2}))
	if len(page3.GetPinned()) != 0 || len(page3.GetPosts()) != 1 || page3.GetPosts()[0].GetTitle() != "공지 0" {
		t.Fatalf("page 3 = %v", page3)
	}
	events := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "notice", Label: "이벤트"}))
	if events.GetTotalCount() != 2 || len(events.GetPinned()) != 0 {
		t.Fatalf("label filter = %v", events)
	}

	// Staff unpin; the post joins the list.
	must(e.client.UpdatePost(staff.ctx, &communityv1.UpdatePostRequest{Id: pinned.GetId(), Pinned: new(false)}))
	if n := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "notice"})).GetTotalCount(); n != 6 {
		t.Fatalf("after unpin total = %d", n)
	}
}
