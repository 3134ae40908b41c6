package community_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

func TestMessages(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	author := e.newUser(t, "secret_author", "숨은작가")
	fan := e.newUser(t, "fan", "팬")
	other := e.newUser(t, "other", "남")
	e.boards(t, staff.ctx)
	anonPost := must(e.client.CreatePost(author.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "익명 고민", Body: ".", Anonymous: true})).GetPost()
	namedPost := must(e.client.CreatePost(author.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "실명 글", Body: "."})).GetPost()
	anonComment := must(e.client.CreateComment(author.ctx, &communityv1.CreateCommentRequest{Id: namedPost.GetId(), Body: "익명 댓글", Anonymous: true})).GetComment()

	var seenByFan []proto.Message
	keep := func(m proto.Message) proto.Message { seenByFan = append(seenByFan, m); return m }

	// To an anonymous post's author: both sides are anonymous.
	first := keep(must(e.client.MessagePostAuthor(fan.ctx, &communityv1.MessagePostAuthorRequest{Id: anonPost.GetId(), Body: "안녕하세요"}))).(*communityv1.MessagePostAuthorResponse)
	conv := first.GetConversation()
	if conv.GetCounterpart().GetDisplayName() != "익명" || conv.GetCounterpart().GetProfile() != nil || !conv.GetAnonymous() ||
		conv.GetSubject().GetPostId() != anonPost.GetId() || !first.GetMessage().GetMine() {
		t.Fatalf("fan's conversation = %v", first)
	}
	again := keep(must(e.client.MessagePostAuthor(fan.ctx, &communityv1.MessagePostAuthorRequest{Id: anonPost.GetId(), Body: "또 보내요"}))).(*communityv1.MessagePostAuthorResponse)
	if again.GetConversation().GetId() != conv.GetId() {
		t.Fatal("a second message opened another conversation")
	}

	inbox := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{}))
	if inbox.GetUnreadTotal() != 2 || len(inbox.GetConversations()) != 1 {
		t.Fatalf("author's inbox = %v", inbox)
	}
	ac := inbox.GetConversations()[0]
	if ac.GetCounterpart().GetDisplayName() != "익명" || ac.GetUnreadCount() != 2 || ac.GetLastMessage().GetBody() != "또 보내요" || ac.GetLastMessage().GetMine() {
		t.Fatalf("author sees %v", ac)
	}
	if leaked := leaks(inbox, fan.id, fan.username, fan.name); len(leaked) > 0 {
		t.Fatalf("author learns who wrote: %v", leaked)
	}
	must(e.client.SendMessage(author.ctx, &communityv1.SendMessageRequest{Id: ac.GetId(), Body: "네 반가워요"}))
	read := must(e.client.MarkConversationRead(author.ctx, &communityv1.MarkConversationReadRequest{Id: ac.GetId()})).GetConversation()
	if read.GetUnreadCount() != 0 {
		t.Fatalf("after read = %v", read)
	}
	thread := keep(must(e.client.GetConversation(fan.ctx, &communityv1.GetConversationRequest{Id: conv.GetId()}))).(*communityv1.GetConversationResponse)
	var bodies []string
	for _, m := range thread.GetMessages() {
		bodies = append(bodies, m.GetBody())
	}
	if strings.Join(bodies, "/") != "네 반가워요/또 보내요/안녕하세요" || thread.GetMessages()[0].GetMine() || !thread.GetMessages()[1].GetMine() {
		t.Fatalf("thread = %v", thread.GetMessages())
	}
	keep(must(e.client.ListConversations(fan.ctx, &communityv1.ListConversationsRequest{})))
	for _, m := range seenByFan {
		if leaked := leaks(m, author.id, author.username, author.name); len(leaked) > 0 {
			t.Fatalf("%T reveals the anonymous author: %v", m, leaked)
		}
	}

	// To a named post's author, sender named: both named.
	named := must(e.client.MessagePostAuthor(fan.ctx, &communityv1.MessagePostAuthorRequest{Id: namedPost.GetId(), Body: "팬이에요"})).GetConversation()
	if named.GetCounterpart().GetProfile().GetUsername() != "secret_author" || named.GetAnonymous() {
		t.Fatalf("named conversation = %v", named)
	}
	// To an anonymous comment's author (on a named post): anonymous.
	toComment := must(e.client.MessageCommentAuthor(other.ctx, &communityv1.MessageCommentAuthorRequest{Id: anonComment.GetId(), Body: "댓글 보고 연락드려요"}))
	if toComment.GetConversation().GetCounterpart().GetProfile() != nil || toComment.GetConversation().GetSubject().GetCommentId() != anonComment.GetId() {
		t.Fatalf("comment conversation = %v", toComment)
	}
	if leaked := leaks(toComment, author.id, author.username, author.name); len(leaked) > 0 {
		t.Fatalf("comment conversation reveals: %v", leaked)
	}

	t.Run("another member's conversation is not found", func(t *testing.T) {
		_, err := e.client.GetConversation(other.ctx, &communityv1.GetConversationRequest{Id: conv.GetId()})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.SendMessage(other.ctx, &communityv1.SendMessageRequest{Id: conv.GetId(), Body: "끼어들기"})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.MarkConversationRead(other.ctx, &communityv1.MarkConversationReadRequest{Id: conv.GetId()})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.BlockConversation(other.ctx, &communityv1.BlockConversationRequest{Id: conv.GetId(), Blocked: true})
		wantCode(t, err, codes.NotFound, "")
		_, err = e.client.MessagePostAuthor(author.ctx, &communityv1.MessagePostAuthorRequest{Id: anonPost.GetId(), Body: "나에게"})
		wantCode(t, err, codes.InvalidArgument, "")
		_, err = e.client.MessagePostAuthor(fan.ctx, &communityv1.MessagePostAuthorRequest{Id: anonPost.GetId(), Body: ""})
		wantCode(t, err, codes.InvalidArgument, "body")
	})

	t.Run("a block withholds without telling", func(t *testing.T) {
		before := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{})).GetUnreadTotal()
		b := must(e.client.BlockConversation(author.ctx, &communityv1.BlockConversationRequest{Id: ac.GetId(), Blocked: true})).GetConversation()
		if !b.GetBlocked() {
			t.Fatal("not blocked")
		}
		// The fan still sends without error, here and on another post.
		must(e.client.SendMessage(fan.ctx, &communityv1.SendMessageRequest{Id: conv.GetId(), Body: "차단됐나요?"}))
		must(e.client.MessageCommentAuthor(fan.ctx, &communityv1.MessageCommentAuthorRequest{Id: anonComment.GetId(), Body: "다른 경로"}))
		if last := must(e.client.GetConversation(fan.ctx, &communityv1.GetConversationRequest{Id: conv.GetId()})).GetMessages()[0]; last.GetBody() != "차단됐나요?" {
			t.Fatalf("the sender does not see their message: %v", last)
		}
		ib := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{}))
		if ib.GetUnreadTotal() != before {
			t.Fatalf("blocked messages reached the author: %v", ib)
		}
		for _, c := range ib.GetConversations() {
			if c.GetLastMessage().GetBody() == "차단됐나요?" || c.GetLastMessage().GetBody() == "다른 경로" {
				t.Fatalf("withheld message shown: %v", c)
			}
			// The block shows only where it was made: no link between anonymous counterparts.
			if c.GetId() != ac.GetId() && c.GetBlocked() {
				t.Fatalf("block shows on another conversation: %v", c)
			}
		}
		must(e.client.BlockConversation(author.ctx, &communityv1.BlockConversationRequest{Id: ac.GetId(), Blocked: false}))
		must(e.client.SendMessage(fan.ctx, &communityv1.SendMessageRequest{Id: conv.GetId(), Body: "다시"}))
		if n := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{})).GetUnreadTotal(); n != before+1 {
			t.Fatalf("unread after unblock = %d", n)
		}
	})

	t.Run("inbox pages by cursor", func(t *testing.T) {
		p1 := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{PageSize: 1}))
		p2 := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{PageSize: 1, Cursor: p1.GetNextCursor()}))
		if len(p1.GetConversations()) != 1 || len(p2.GetConversations()) != 1 || p1.GetConversations()[0].GetId() == p2.GetConversations()[0].GetId() {
			t.Fatalf("pages = %v / %v", p1, p2)
		}
	})
}
