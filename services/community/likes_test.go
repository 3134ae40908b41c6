package community_test

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

func TestLikesAndScraps(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	jisoo := e.newUser(t, "jisoo", "박지수")
	e.boards(t, staff.ctx)
	post := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "좋아요 눌러주세요", Body: "."})).GetPost()
	comment := must(e.client.CreateComment(minji.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "댓글"})).GetComment()
	reply := must(e.client.CreateReply(jisoo.ctx, &communityv1.CreateReplyRequest{Id: comment.GetId(), Body: "답글"})).GetReply()

	t.Run("toggles are idempotent", func(t *testing.T) {
		for range 2 {
			if r := must(e.client.LikePost(jisoo.ctx, &communityv1.LikePostRequest{Id: post.GetId()})); r.GetLikeCount() != 1 || !r.GetLiked() {
				t.Fatalf("like = %v", r)
			}
			if r := must(e.client.LikeComment(jisoo.ctx, &communityv1.LikeCommentRequest{Id: reply.GetId()})); r.GetLikeCount() != 1 {
				t.Fatalf("like reply = %v", r)
			}
			if r := must(e.client.ScrapPost(jisoo.ctx, &communityv1.ScrapPostRequest{Id: post.GetId()})); r.GetScrapCount() != 1 || !r.GetScrapped() {
				t.Fatalf("scrap = %v", r)
			}
		}
		must(e.client.LikeComment(jisoo.ctx, &communityv1.LikeCommentRequest{Id: comment.GetId()}))
		p := must(e.client.GetPost(jisoo.ctx, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost()
		if !p.GetViewer().GetLiked() || !p.GetViewer().GetScrapped() || !p.GetViewer().GetSignedIn() || p.GetViewer().GetMine() {
			t.Fatalf("viewer = %v", p.GetViewer())
		}
		if v := must(e.client.GetPost(minji.ctx, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetViewer(); v.GetLiked() || v.GetScrapped() || !v.GetMine() {
			t.Fatalf("author's viewer = %v", v)
		}
		if v := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetViewer(); v.GetSignedIn() || v.GetLiked() {
			t.Fatalf("visitor's viewer = %v", v)
		}
		thread := must(e.client.ListComments(jisoo.ctx, &communityv1.ListCommentsRequest{Id: post.GetId()}))
		c := thread.GetComments()[0]
		if !thread.GetViewerSignedIn() || c.GetLikeCount() != 1 || !c.GetViewer().GetLiked() || c.GetReplies()[0].GetLikeCount() != 1 || !c.GetReplies()[0].GetViewer().GetLiked() {
			t.Fatalf("thread = %v", thread)
		}
		scraps := must(e.client.ListMyScraps(jisoo.ctx, &communityv1.ListMyScrapsRequest{}))
		if len(scraps.GetPosts()) != 1 || scraps.GetPosts()[0].GetId() != post.GetId() {
			t.Fatalf("scraps = %v", scraps)
		}
		for range 2 {
			if r := must(e.client.UnlikePost(jisoo.ctx, &communityv1.UnlikePostRequest{Id: post.GetId()})); r.GetLikeCount() != 0 || r.GetLiked() {
				t.Fatalf("unlike = %v", r)
			}
			if r := must(e.client.UnlikeComment(jisoo.ctx, &communityv1.UnlikeCommentRequest{Id: reply.GetId()})); r.GetLikeCount() != 0 {
				t.Fatalf("unlike reply = %v", r)
			}
			if r := must(e.client.UnscrapPost(jisoo.ctx, &communityv1.UnscrapPostRequest{Id: post.GetId()})); r.GetScrapCount() != 0 {
				t.Fatalf("unscrap = %v", r)
			}
		}
		if n := len(must(e.client.ListMyScraps(jisoo.ctx, &communityv1.ListMyScrapsRequest{})).GetPosts()); n != 0 {
			t.Fatalf("scraps after unscrap = %d", n)
		}
		_, err := e.client.LikePost(jisoo.ctx, &communityv1.LikePostRequest{Id: "0193a7b2-0000-7000-8000-000000000000"})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.LikeComment(jisoo.ctx, &communityv1.LikeCommentRequest{Id: "0193a7b2-0000-7000-8000-000000000000"})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.LikePost(visitor, &communityv1.LikePostRequest{Id: post.GetId()})
		wantCode(t, err, codes.Unauthenticated, "")
	})

	t.Run("100 users like at once", func(t *testing.T) {
		users := make([]context.Context, 100)
		for i := range users {
			users[i] = e.newUser(t, "", "").ctx
		}
		var wg sync.WaitGroup
		for _, ctx := range users {
			wg.Go(func() {
				if _, err := e.client.LikePost(ctx, &communityv1.LikePostRequest{Id: post.GetId()}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetLikeCount(); n != 100 {
			t.Fatalf("like_count = %d, want 100", n)
		}

		// Each user likes and unlikes at the same time, several times over:
		// whatever wins, the count equals the likes that exist.
		for range 3 {
			for i, ctx := range users {
				wg.Go(func() {
					var err error
					if i%2 == 0 {
						_, err = e.client.UnlikePost(ctx, &communityv1.UnlikePostRequest{Id: post.GetId()})
					} else {
						_, err = e.client.LikePost(ctx, &communityv1.LikePostRequest{Id: post.GetId()})
					}
					if err != nil {
						t.Error(err)
					}
				})
				wg.Go(func() {
					if _, err := e.client.UnlikePost(ctx, &communityv1.UnlikePostRequest{Id: post.GetId()}); err != nil {
						t.Error(err)
					}
				})
				wg.Go(func() {
					if _, err := e.client.LikePost(ctx, &communityv1.LikePostRequest{Id: post.GetId()}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		var rows, count int
		if err := e.db.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM post_likes WHERE post_id = $1), like_count FROM posts WHERE id = $1`,
			post.GetId()).Scan(&rows, &count); err != nil {
			t.Fatal(err)
		}
		if rows != count {
			t.Fatalf("like_count %d drifted from %d likes", count, rows)
		}
	})
}
