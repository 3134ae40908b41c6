package community_test

import (
	"testing"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	e := startWith(t, options{catalog: true})
	if err := e.catalogSvc.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run finds boards and does nothing
		if err := e.svc.SeedDemo(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	boards := must(e.client.ListBoards(visitor, &communityv1.ListBoardsRequest{})).GetBoards()
	if len(boards) != 5 {
		t.Fatalf("boards = %v", boards)
	}
	notice := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "notice"}))
	if len(notice.GetPinned()) != 1 || notice.GetTotalCount() != 2 {
		t.Fatalf("notice = %v", notice)
	}
	secret := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "secret"})).GetPosts()
	if len(secret) != 1 || !secret[0].GetAnonymous() {
		t.Fatalf("secret board = %v", secret)
	}
	thread := must(e.client.ListComments(visitor, &communityv1.ListCommentsRequest{Id: secret[0].GetId()})).GetComments()
	if got := names(thread); got != "익명3:교수님 상담 먼저 받아보세요 | 익명1:저 전과했어요! 1년 늦어져도 후회 없어요[익명(글쓴이):용기가 나네요 고마워요 익명2:저도 궁금했는데 도움 됐어요]" {
		t.Fatalf("anonymous thread = %s", got)
	}
	styles := must(e.client.ListStyles(visitor, &communityv1.ListStylesRequest{})).GetPosts()
	if len(styles) != 2 || len(styles[1].GetProducts()) != 2 {
		t.Fatalf("styles = %v", styles)
	}
	if n := len(must(e.client.ListProductStyles(visitor, &communityv1.ListProductStylesRequest{Slug: styles[1].GetProducts()[0].GetSlug()})).GetPosts()); n < 1 {
		t.Fatal("a demo product lists no styles")
	}
}
