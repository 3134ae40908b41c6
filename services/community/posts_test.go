package community_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

func TestPosts(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	jisoo := e.newUser(t, "jisoo", "박지수")
	e.boards(t, staff.ctx)

	t.Run("limits are named", func(t *testing.T) {
		for _, tt := range []struct {
			req   *communityv1.CreatePostRequest
			field string
			says  string
		}{
			{&communityv1.CreatePostRequest{Slug: "free", Title: strings.Repeat("가", 101), Body: "b"}, "title", "at most 100 characters"},
			{&communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: strings.Repeat("나", 5001)}, "body", "at most 5000 characters"},
			{&communityv1.CreatePostRequest{Slug: "free", Title: "  ", Body: "b"}, "title", "must not be empty"},
			{&communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "a\x00b"}, "body", "NUL"},
			{&communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b", MediaIds: []string{uuid.NewString()}}, "media_ids[0]", "no upload"},
			{&communityv1.CreatePostRequest{Slug: "notice", Title: "t", Body: "b", Anonymous: true}, "anonymous", ""},
		} {
			ctx := minji.ctx
			if tt.req.GetSlug() == "notice" {
				ctx = staff.ctx
			}
			_, err := e.client.CreatePost(ctx, tt.req)
			st := wantCode(t, err, codes.InvalidArgument, tt.field)
			if !strings.Contains(st.Message(), tt.says) {
				t.Errorf("%s: message %q does not say %q", tt.field, st.Message(), tt.says)
			}
		}
		_, err := e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "nope", Title: "t", Body: "b"})
		wantCode(t, err, codes.NotFound, "slug")
		_, err = e.client.CreatePost(visitor, &communityv1.CreatePostRequest{Slug: "free", Title: "t", Body: "b"})
		wantCode(t, err, codes.Unauthenticated, "")
	})

	post := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{
		Slug: "free", Title: "첫 글", Body: "안녕하세요", MediaIds: []string{e.upload(t, minji).GetId()},
	})).GetPost()
	if post.GetAuthor().GetProfile().GetUsername() != "minji" || post.GetAuthor().GetDisplayName() != "김민지" ||
		!post.GetViewer().GetMine() || post.GetBoardSlug() != "free" || len(post.GetMediaUrls()) != 1 {
		t.Fatalf("post = %v", post)
	}

	t.Run("only the author edits and deletes", func(t *testing.T) {
		_, err := e.client.UpdatePost(jisoo.ctx, &communityv1.UpdatePostRequest{Id: post.GetId(), Title: new("내 글")})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.UpdatePost(staff.ctx, &communityv1.UpdatePostRequest{Id: post.GetId(), Title: new("운영자가 고침")})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.DeletePost(jisoo.ctx, &communityv1.DeletePostRequest{Id: post.GetId()})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.UpdatePost(minji.ctx, &communityv1.UpdatePostRequest{Id: post.GetId(), Body: new("")})
		wantCode(t, err, codes.InvalidArgument, "body")

		got := must(e.client.UpdatePost(minji.ctx, &communityv1.UpdatePostRequest{
			Id: post.GetId(), Title: new("고친 글"), Media: &communityv1.MediaIds{},
		})).GetPost()
		if got.GetTitle() != "고친 글" || got.GetBody() != "안녕하세요" || len(got.GetMediaUrls()) != 0 || len(got.GetMedia()) != 0 || got.GetUpdateTime() == nil {
			t.Fatalf("edited = %v", got)
		}
		_, err = e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: "0193a7b2-0000-7000-8000-000000000000"})
		wantCode(t, err, codes.NotFound, "")
	})

	t.Run("a deleted post without comments is gone", func(t *testing.T) {
		p := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "지울 글", Body: "곧 지움"})).GetPost()
		must(e.client.DeletePost(minji.ctx, &communityv1.DeletePostRequest{Id: p.GetId()}))
		_, err := e.client.GetPost(minji.ctx, &communityv1.GetPostRequest{Id: p.GetId()})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.DeletePost(minji.ctx, &communityv1.DeletePostRequest{Id: p.GetId()})
		wantCode(t, err, codes.NotFound, "")
	})

	t.Run("a deleted post with comments leaves its thread", func(t *testing.T) {
		p := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "토론", Body: "의견?"})).GetPost()
		must(e.client.CreateComment(jisoo.ctx, &communityv1.CreateCommentRequest{Id: p.GetId(), Body: "좋아요"}))
		must(e.client.DeletePost(minji.ctx, &communityv1.DeletePostRequest{Id: p.GetId()}))
		got := must(e.client.GetPost(jisoo.ctx, &communityv1.GetPostRequest{Id: p.GetId()})).GetPost()
		if !got.GetDeleted() || got.GetTitle() != "" || got.GetBody() != "" || got.GetAuthor() != nil {
			t.Fatalf("deleted post = %v", got)
		}
		if leaked := leaks(got, minji.id, "minji", "김민지"); len(leaked) > 0 {
			t.Fatalf("deleted post shows its author: %v", leaked)
		}
		cs := must(e.client.ListComments(jisoo.ctx, &communityv1.ListCommentsRequest{Id: p.GetId()})).GetComments()
		if len(cs) != 1 || cs[0].GetBody() != "좋아요" {
			t.Fatalf("thread = %v", cs)
		}
		_, err := e.client.CreateComment(jisoo.ctx, &communityv1.CreateCommentRequest{Id: p.GetId(), Body: "또"})
		wantCode(t, err, codes.NotFound, "")
		list := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "free"})).GetPosts()
		for _, lp := range list {
			if lp.GetId() == p.GetId() {
				t.Fatal("deleted post is still listed")
			}
		}
	})

	t.Run("staff hide", func(t *testing.T) {
		p := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "광고", Body: "사세요"})).GetPost()
		_, err := e.client.HidePost(jisoo.ctx, &communityv1.HidePostRequest{Id: p.GetId(), Hidden: true})
		wantCode(t, err, codes.PermissionDenied, "")
		if !must(e.client.HidePost(staff.ctx, &communityv1.HidePostRequest{Id: p.GetId(), Hidden: true})).GetPost().GetHidden() {
			t.Fatal("not hidden")
		}
		_, err = e.client.GetPost(jisoo.ctx, &communityv1.GetPostRequest{Id: p.GetId()})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.LikePost(jisoo.ctx, &communityv1.LikePostRequest{Id: p.GetId()})
		wantCode(t, err, codes.NotFound, "")
		if !must(e.client.GetPost(minji.ctx, &communityv1.GetPostRequest{Id: p.GetId()})).GetPost().GetHidden() {
			t.Fatal("the author does not see the hidden post as hidden")
		}
		must(e.client.HidePost(staff.ctx, &communityv1.HidePostRequest{Id: p.GetId(), Hidden: false}))
		must(e.client.GetPost(jisoo.ctx, &communityv1.GetPostRequest{Id: p.GetId()}))
	})
}

func TestBoardCursor(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	e.boards(t, staff.ctx)
	write := func(title string) string {
		return must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: title, Body: "."})).GetPost().GetId()
	}
	want := map[string]bool{}
	for i := range 7 {
		want[write(string(rune('a'+i)))] = true
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		resp := must(e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "free", Cursor: cursor, PageSize: 3}))
		for _, p := range resp.GetPosts() {
			if seen[p.GetId()] {
				t.Fatalf("post %s twice", p.GetTitle())
			}
			seen[p.GetId()] = true
		}
		write("new while walking") // lands above the cursor: never seen, never shifts the walk
		if cursor = resp.GetNextCursor(); cursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("walk does not end")
		}
	}
	for id := range want {
		if !seen[id] {
			t.Fatalf("post %s skipped", id)
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("saw %d posts, want %d", len(seen), len(want))
	}
	_, err := e.client.ListBoardPosts(visitor, &communityv1.ListBoardPostsRequest{Slug: "free", Cursor: "garbage!"})
	wantCode(t, err, codes.InvalidArgument, "cursor")
}
