package community_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

// names renders a thread as "author:body[reply-author:body→addressed …]".
func names(cs []*communityv1.Comment) string {
	var parts []string
	for _, c := range cs {
		s := c.GetAuthor().GetDisplayName() + ":" + c.GetBody()
		if c.GetDeleted() {
			s = "(deleted)"
		}
		var rs []string
		for _, r := range c.GetReplies() {
			x := r.GetAuthor().GetDisplayName() + ":" + r.GetBody()
			if to := r.GetReplyTo(); to != nil {
				x += "→" + to.GetDisplayName()
			}
			rs = append(rs, x)
		}
		if len(rs) > 0 {
			s += "[" + strings.Join(rs, " ") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func TestThread(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	jisoo := e.newUser(t, "jisoo", "박지수")
	e.boards(t, staff.ctx)
	post := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "점심 뭐 먹지", Body: "추천 받아요"})).GetPost()
	comment := func(u user, body string) *communityv1.Comment {
		return must(e.client.CreateComment(u.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: body})).GetComment()
	}
	reply := func(u user, to *communityv1.Comment, body string) *communityv1.Comment {
		return must(e.client.CreateReply(u.ctx, &communityv1.CreateReplyRequest{Id: to.GetId(), Body: body})).GetReply()
	}
	c1 := comment(jisoo, "김밥")
	c2 := comment(staff, "라면")
	r1 := reply(minji, c1, "좋네요")
	r2 := reply(jisoo, r1, "그쵸") // a reply to a reply answers the comment and addresses minji
	if r2.GetParentId() != c1.GetId() || r2.GetReplyTo().GetDisplayName() != "김민지" || !r1.GetAuthor().GetIsPostAuthor() {
		t.Fatalf("reply = %v / %v", r2, r1)
	}
	reply(staff, c2, "저도")

	got := names(must(e.client.ListComments(visitor, &communityv1.ListCommentsRequest{Id: post.GetId()})).GetComments())
	want := "운영자:라면[운영자:저도] | 박지수:김밥[김민지:좋네요 박지수:그쵸→김민지]"
	if got != want {
		t.Fatalf("thread\n got %s\nwant %s", got, want)
	}
	if n := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetCommentCount(); n != 5 {
		t.Fatalf("comment_count = %d", n)
	}

	t.Run("errors", func(t *testing.T) {
		_, err := e.client.CreateComment(jisoo.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: strings.Repeat("a", 1001)})
		wantCode(t, err, codes.InvalidArgument, "body")
		_, err = e.client.UpdateComment(minji.ctx, &communityv1.UpdateCommentRequest{Id: c1.GetId(), Body: "내가 고침"})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.DeleteComment(minji.ctx, &communityv1.DeleteCommentRequest{Id: c1.GetId()})
		wantCode(t, err, codes.PermissionDenied, "")
		_, err = e.client.CreateReply(jisoo.ctx, &communityv1.CreateReplyRequest{Id: post.GetId(), Body: "x"})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.CreateComment(jisoo.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "x", Anonymous: false})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("edit and delete", func(t *testing.T) {
		edited := must(e.client.UpdateComment(jisoo.ctx, &communityv1.UpdateCommentRequest{Id: c1.GetId(), Body: "참치김밥"})).GetComment()
		if edited.GetBody() != "참치김밥" || edited.GetUpdateTime() == nil {
			t.Fatalf("edited = %v", edited)
		}
		// c1 has replies: it stays as a deleted placeholder with them.
		must(e.client.DeleteComment(jisoo.ctx, &communityv1.DeleteCommentRequest{Id: c1.GetId()}))
		// c2's only reply goes; c2 stays (it is live).
		cs := must(e.client.ListComments(visitor, &communityv1.ListCommentsRequest{Id: post.GetId()})).GetComments()
		var placeholder *communityv1.Comment
		for _, c := range cs {
			if c.GetId() == c1.GetId() {
				placeholder = c
			}
		}
		if placeholder == nil || !placeholder.GetDeleted() || placeholder.GetBody() != "" || placeholder.GetAuthor() != nil || len(placeholder.GetReplies()) != 2 {
			t.Fatalf("placeholder = %v", placeholder)
		}
		// A deleted comment without replies leaves nothing.
		c3 := comment(jisoo, "지울 댓글")
		must(e.client.DeleteComment(jisoo.ctx, &communityv1.DeleteCommentRequest{Id: c3.GetId()}))
		for _, c := range must(e.client.ListComments(visitor, &communityv1.ListCommentsRequest{Id: post.GetId()})).GetComments() {
			if c.GetId() == c3.GetId() {
				t.Fatal("deleted comment without replies is still listed")
			}
		}
		_, err := e.client.UpdateComment(jisoo.ctx, &communityv1.UpdateCommentRequest{Id: c3.GetId(), Body: "살려줘"})
		wantCode(t, err, codes.NotFound, "")
	})

	t.Run("staff hide", func(t *testing.T) {
		c := comment(jisoo, "욕설")
		_, err := e.client.HideComment(jisoo.ctx, &communityv1.HideCommentRequest{Id: c.GetId(), Hidden: true})
		wantCode(t, err, codes.PermissionDenied, "")
		before := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetCommentCount()
		must(e.client.HideComment(staff.ctx, &communityv1.HideCommentRequest{Id: c.GetId(), Hidden: true}))
		must(e.client.HideComment(staff.ctx, &communityv1.HideCommentRequest{Id: c.GetId(), Hidden: true}))
		after := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: post.GetId()})).GetPost().GetCommentCount()
		if after != before-1 {
			t.Fatalf("comment_count %d → %d", before, after)
		}
		for _, x := range must(e.client.ListComments(minji.ctx, &communityv1.ListCommentsRequest{Id: post.GetId()})).GetComments() {
			if x.GetId() == c.GetId() {
				t.Fatal("hidden comment listed")
			}
		}
	})

	t.Run("comments page by cursor", func(t *testing.T) {
		p := must(e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "많은 댓글", Body: "."})).GetPost()
		for i := range 5 {
			must(e.client.CreateComment(jisoo.ctx, &communityv1.CreateCommentRequest{Id: p.GetId(), Body: fmt.Sprint(i)}))
		}
		var got []string
		cursor := ""
		for {
			resp := must(e.client.ListComments(visitor, &communityv1.ListCommentsRequest{Id: p.GetId(), Cursor: cursor, PageSize: 2}))
			for _, c := range resp.GetComments() {
				got = append(got, c.GetBody())
			}
			if cursor = resp.GetNextCursor(); cursor == "" {
				break
			}
		}
		if strings.Join(got, "") != "43210" {
			t.Fatalf("pages = %v", got)
		}
	})
}

// TestAnonymity walks an anonymous thread as Everytime shows it, then reads
// every response about it as another member and as a visitor, looking for
// anything that identifies the anonymous participants.
func TestAnonymity(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	op := e.newUser(t, "op_secret", "글쓴이비밀")
	anonA := e.newUser(t, "anon_a", "익명참가자A")
	anonB := e.newUser(t, "anon_b", "익명참가자B")
	named := e.newUser(t, "named", "실명참가자")
	reader := e.newUser(t, "reader", "구경꾼")
	e.boards(t, staff.ctx)

	var responses []proto.Message
	keep := func(m proto.Message) proto.Message { responses = append(responses, m); return m }

	post := keep(must(e.client.CreatePost(op.ctx, &communityv1.CreatePostRequest{
		Slug: "free", Title: "익명으로 고민 상담", Body: "진로 고민이 있어요", Anonymous: true,
	}))).(*communityv1.CreatePostResponse).GetPost()
	if post.GetAuthor().GetDisplayName() != "익명" || post.GetAuthor().GetProfile() != nil || !post.GetViewer().GetMine() {
		t.Fatalf("own anonymous post = %v", post)
	}
	comment := func(u user, body string, anonymous bool) *communityv1.Comment {
		return must(e.client.CreateComment(u.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: body, Anonymous: anonymous})).GetComment()
	}
	reply := func(u user, to *communityv1.Comment, body string, anonymous bool) *communityv1.Comment {
		return must(e.client.CreateReply(u.ctx, &communityv1.CreateReplyRequest{Id: to.GetId(), Body: body, Anonymous: anonymous})).GetReply()
	}
	a1 := comment(anonA, "힘내세요", true)
	comment(named, "저는 실명으로", false)
	b1 := comment(anonB, "저도 그래요", true)
	// The author of an anonymous post stays anonymous even when not asking.
	opReply := reply(op, a1, "고마워요", false)
	if opReply.GetAuthor().GetDisplayName() != "익명(글쓴이)" || !opReply.GetAuthor().GetAnonymous() {
		t.Fatalf("op reply = %v", opReply)
	}
	a2 := reply(anonA, opReply, "언제든요", true) // addresses 익명(글쓴이)
	reply(anonB, a2, "222", true)             // addresses 익명1
	comment(anonA, "하나 더", true)              // still 익명1 in this post

	thread := must(e.client.ListComments(reader.ctx, &communityv1.ListCommentsRequest{Id: post.GetId()}))
	keep(thread)
	got := names(thread.GetComments())
	want := "익명1:하나 더 | 익명2:저도 그래요 | 실명참가자:저는 실명으로 | 익명1:힘내세요[익명(글쓴이):고마워요 익명1:언제든요→익명(글쓴이) 익명2:222→익명1]"
	if got != want {
		t.Fatalf("thread\n got %s\nwant %s", got, want)
	}
	if b1.GetAuthor().GetDisplayName() != "익명2" {
		t.Fatalf("b1 = %v", b1.GetAuthor())
	}

	// Pseudonyms are per post: in another post anonB may be 익명1.
	other := must(e.client.CreatePost(named.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "다른 글", Body: "."})).GetPost()
	if d := must(e.client.CreateComment(anonB.ctx, &communityv1.CreateCommentRequest{Id: other.GetId(), Body: "x", Anonymous: true})).GetComment().GetAuthor().GetDisplayName(); d != "익명1" {
		t.Fatalf("pseudonym in another post = %s", d)
	}

	for _, ctx := range []struct {
		name string
		u    *user
	}{{"reader", &reader}, {"visitor", nil}} {
		c := visitor
		if ctx.u != nil {
			c = ctx.u.ctx
		}
		keep(must(e.client.GetPost(c, &communityv1.GetPostRequest{Id: post.GetId()})))
		keep(must(e.client.ListComments(c, &communityv1.ListCommentsRequest{Id: post.GetId()})))
		keep(must(e.client.ListBoardPosts(c, &communityv1.ListBoardPostsRequest{Slug: "free"})))
	}
	// Likes and scraps by the reader, and the reader's views after them.
	keep(must(e.client.LikePost(reader.ctx, &communityv1.LikePostRequest{Id: post.GetId()})))
	keep(must(e.client.LikeComment(reader.ctx, &communityv1.LikeCommentRequest{Id: a1.GetId()})))
	keep(must(e.client.ScrapPost(reader.ctx, &communityv1.ScrapPostRequest{Id: post.GetId()})))
	keep(must(e.client.ListMyScraps(reader.ctx, &communityv1.ListMyScrapsRequest{})))
	keep(must(e.client.CreateReply(reader.ctx, &communityv1.CreateReplyRequest{Id: a2.GetId(), Body: "저도 응원해요"})))
	// Errors the reader can provoke name nobody either.
	_, err := e.client.UpdatePost(reader.ctx, &communityv1.UpdatePostRequest{Id: post.GetId(), Title: new("x")})
	st := wantCode(t, err, codes.PermissionDenied, "")
	keep(st.Proto())
	_, err = e.client.DeleteComment(reader.ctx, &communityv1.DeleteCommentRequest{Id: a1.GetId()})
	keep(wantCode(t, err, codes.PermissionDenied, "").Proto())

	secrets := func(u user) []string { return []string{u.id, u.username, u.name} }
	for _, m := range responses[1:] { // the first is the author's own CreatePost answer
		for _, u := range []user{op, anonA, anonB} {
			if leaked := leaks(m, secrets(u)...); len(leaked) > 0 {
				t.Fatalf("%T reveals %v:\n%s", m, leaked, jsonOf(m))
			}
		}
	}
	// Nor do the events the thread published.
	rows := must(e.db.Query(t.Context(), `SELECT subject, payload FROM outbox`))
	n := 0
	for rows.Next() {
		var subject string
		var payload []byte
		if err := rows.Scan(&subject, &payload); err != nil {
			t.Fatal(err)
		}
		n++
		for _, u := range []user{op, anonA, anonB} {
			if strings.Contains(string(payload), u.id) && subject != "community.liked" {
				t.Fatalf("%s event names an anonymous author", subject)
			}
		}
	}
	if rows.Err() != nil || n < 10 {
		t.Fatalf("outbox: %d events, %v", n, rows.Err())
	}
	// The named participant is shown, as they chose.
	if leaked := leaks(thread, secrets(named)...); len(leaked) != 3 {
		t.Fatalf("named participant not shown: %v", leaked)
	}
	// mine is only ever the caller's own.
	for _, c := range must(e.client.ListComments(anonA.ctx, &communityv1.ListCommentsRequest{Id: post.GetId()})).GetComments() {
		if c.GetViewer().GetMine() != (c.GetAuthor().GetDisplayName() == "익명1") {
			t.Fatalf("anonA's mine flags wrong: %v", c)
		}
	}
}

// TestPseudonymsUnderConcurrency has 20 members comment anonymously at once,
// twice each: every member keeps one number and the numbers are 1…20.
func TestPseudonymsUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	op := e.newUser(t, "op", "글쓴이")
	e.boards(t, staff.ctx)
	post := must(e.client.CreatePost(op.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "동시에", Body: ".", Anonymous: true})).GetPost()
	users := make([]user, 20)
	for i := range users {
		users[i] = e.newUser(t, "", "")
	}
	pseudonyms := make([][2]string, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		for round := range 2 {
			wg.Go(func() {
				c, err := e.client.CreateComment(u.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "x", Anonymous: true})
				if err != nil {
					t.Error(err)
					return
				}
				pseudonyms[i][round] = c.GetComment().GetAuthor().GetDisplayName()
			})
		}
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, n := range pseudonyms {
		if n[0] != n[1] {
			t.Fatalf("member %d is %s and %s", i, n[0], n[1])
		}
		if seen[n[0]] {
			t.Fatalf("%s given twice", n[0])
		}
		seen[n[0]] = true
	}
	for i := 1; i <= len(users); i++ {
		if !seen[fmt.Sprintf("익명%d", i)] {
			t.Fatalf("익명%d missing: %v", i, seen)
		}
	}
}
