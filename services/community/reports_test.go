package community_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
)

// kinds lists a member's notifications as "kind:text" once count have arrived.
func (e *env) notifications(t *testing.T, u user, count int) []*communityv1.Notification {
	t.Helper()
	var ns []*communityv1.Notification
	eventually(t, fmt.Sprintf("%d notifications for %s", count, u.username), func() bool {
		ns = must(e.client.ListNotifications(u.ctx, &communityv1.ListNotificationsRequest{})).GetNotifications()
		return len(ns) >= count
	})
	if len(ns) != count {
		t.Fatalf("%s has %d notifications, want %d: %v", u.username, len(ns), count, ns)
	}
	return ns
}

func kinds(ns []*communityv1.Notification) string {
	var s []string
	for _, n := range ns {
		s = append(s, strings.TrimPrefix(n.GetKind().String(), "NOTIFICATION_KIND_"))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	author := e.newUser(t, "author", "작가")
	commenter := e.newUser(t, "commenter", "댓글러")
	replier := e.newUser(t, "replier", "답글러")
	e.boards(t, staff.ctx)
	post := must(e.client.CreatePost(author.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "알림 테스트", Body: ".", Anonymous: true})).GetPost()
	c := must(e.client.CreateComment(commenter.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "첫 댓글", Anonymous: true})).GetComment()
	must(e.client.CreateReply(replier.ctx, &communityv1.CreateReplyRequest{Id: c.GetId(), Body: "답글", Anonymous: true}))
	must(e.client.CreateComment(author.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "내 글에 내 댓글"}))
	must(e.client.LikePost(replier.ctx, &communityv1.LikePostRequest{Id: post.GetId()}))
	must(e.client.LikePost(author.ctx, &communityv1.LikePostRequest{Id: post.GetId()})) // self: no notification
	must(e.client.LikeComment(author.ctx, &communityv1.LikeCommentRequest{Id: c.GetId()}))
	must(e.client.FollowProfile(commenter.ctx, &communityv1.FollowProfileRequest{Username: "author"}))
	must(e.client.MessageCommentAuthor(author.ctx, &communityv1.MessageCommentAuthorRequest{Id: c.GetId(), Body: "고마워요"}))

	// author: comment, reply-on-own-post (as post author), like, follow.
	an := e.notifications(t, author, 4)
	if got := kinds(an); got != "COMMENT,COMMENT,FOLLOW,LIKE" {
		t.Fatalf("author's notifications = %s", got)
	}
	for _, n := range an {
		if n.GetKind() == communityv1.NotificationKind_NOTIFICATION_KIND_FOLLOW && n.GetActor().GetUsername() != "commenter" {
			t.Fatalf("follow without its actor: %v", n)
		}
		if n.GetKind() != communityv1.NotificationKind_NOTIFICATION_KIND_FOLLOW {
			if leaked := leaks(n, commenter.id, commenter.username, commenter.name, replier.id, replier.username, replier.name); len(leaked) > 0 {
				t.Fatalf("notification reveals an anonymous participant: %v", n)
			}
		}
	}
	// commenter: reply, like, message.
	cn := e.notifications(t, commenter, 3)
	if got := kinds(cn); got != "LIKE,MESSAGE,REPLY" {
		t.Fatalf("commenter's notifications = %s", got)
	}
	for _, n := range cn {
		if leaked := leaks(n, author.id, author.username, author.name); len(leaked) > 0 {
			t.Fatalf("notification reveals the anonymous author: %v", n)
		}
	}
	resp := must(e.client.ListNotifications(commenter.ctx, &communityv1.ListNotificationsRequest{}))
	if resp.GetUnreadCount() != 3 {
		t.Fatalf("unread = %d", resp.GetUnreadCount())
	}
	if n := must(e.client.MarkNotificationsRead(commenter.ctx, &communityv1.MarkNotificationsReadRequest{Ids: []string{cn[0].GetId()}})).GetUnreadCount(); n != 2 {
		t.Fatalf("unread after one = %d", n)
	}
	if n := must(e.client.MarkNotificationsRead(commenter.ctx, &communityv1.MarkNotificationsReadRequest{})).GetUnreadCount(); n != 0 {
		t.Fatalf("unread after all = %d", n)
	}
	// Someone else's notification ids change nothing of theirs.
	must(e.client.MarkNotificationsRead(replier.ctx, &communityv1.MarkNotificationsReadRequest{Ids: []string{an[0].GetId()}}))
	if n := must(e.client.ListNotifications(author.ctx, &communityv1.ListNotificationsRequest{})).GetUnreadCount(); n != 4 {
		t.Fatalf("author's unread = %d", n)
	}
}

func TestReports(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := e.newUser(t, "staff", "운영자", "staff")
	author := e.newUser(t, "author", "작가")
	r1 := e.newUser(t, "reporter1", "신고자1")
	r2 := e.newUser(t, "reporter2", "신고자2")
	e.boards(t, staff.ctx)
	post := must(e.client.CreatePost(author.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "광고합니다", Body: "싸게 팝니다", Anonymous: true})).GetPost()
	comment := must(e.client.CreateComment(author.ctx, &communityv1.CreateCommentRequest{Id: post.GetId(), Body: "댓글도 광고"})).GetComment()

	first := must(e.client.CreateReport(r1.ctx, &communityv1.CreateReportRequest{
		Target: &communityv1.CreateReportRequest_PostId{PostId: post.GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_SPAM, Detail: "도배",
	})).GetReport()
	again := must(e.client.CreateReport(r1.ctx, &communityv1.CreateReportRequest{
		Target: &communityv1.CreateReportRequest_PostId{PostId: post.GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_ABUSE,
	})).GetReport()
	if again.GetId() != first.GetId() || first.GetExcerpt() != "" || first.GetStatus() != communityv1.ReportStatus_REPORT_STATUS_OPEN {
		t.Fatalf("reports = %v / %v", first, again)
	}
	must(e.client.CreateReport(r2.ctx, &communityv1.CreateReportRequest{
		Target: &communityv1.CreateReportRequest_PostId{PostId: post.GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_SPAM,
	}))
	onComment := must(e.client.CreateReport(r2.ctx, &communityv1.CreateReportRequest{
		Target: &communityv1.CreateReportRequest_CommentId{CommentId: comment.GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_OTHER,
	})).GetReport()

	_, err := e.client.CreateReport(r1.ctx, &communityv1.CreateReportRequest{Reason: communityv1.ReportReason_REPORT_REASON_SPAM})
	wantCode(t, err, codes.InvalidArgument, "")
	_, err = e.client.CreateReport(r1.ctx, &communityv1.CreateReportRequest{Target: &communityv1.CreateReportRequest_PostId{PostId: post.GetId()}})
	wantCode(t, err, codes.InvalidArgument, "reason")
	_, err = e.client.ListReports(r1.ctx, &communityv1.ListReportsRequest{})
	wantCode(t, err, codes.PermissionDenied, "")

	queue := must(e.client.ListReports(staff.ctx, &communityv1.ListReportsRequest{})).GetReports()
	if len(queue) != 3 || queue[0].GetExcerpt() != "광고합니다\n싸게 팝니다" || queue[0].GetDetail() != "도배" {
		t.Fatalf("queue = %v", queue)
	}
	resolved := must(e.client.ResolveReport(staff.ctx, &communityv1.ResolveReportRequest{
		Id: first.GetId(), Action: communityv1.ReportAction_REPORT_ACTION_HIDE, Note: "광고 금지",
	})).GetReport()
	if resolved.GetStatus() != communityv1.ReportStatus_REPORT_STATUS_ACTIONED || resolved.GetResolveTime() == nil {
		t.Fatalf("resolved = %v", resolved)
	}
	_, err = e.client.GetPost(r1.ctx, &communityv1.GetPostRequest{Id: post.GetId()})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.ResolveReport(staff.ctx, &communityv1.ResolveReportRequest{Id: first.GetId(), Action: communityv1.ReportAction_REPORT_ACTION_DISMISS})
	wantCode(t, err, codes.FailedPrecondition, "")
	// Both reporters of the post are told; the comment's report stays open.
	for _, u := range []user{r1, r2} {
		ns := e.notifications(t, u, 1)
		if ns[0].GetKind() != communityv1.NotificationKind_NOTIFICATION_KIND_REPORT_RESOLVED || !strings.Contains(ns[0].GetText(), "숨김") ||
			!strings.Contains(ns[0].GetText(), "광고 금지") {
			t.Fatalf("%s told %v", u.username, ns[0])
		}
	}
	open := must(e.client.ListReports(staff.ctx, &communityv1.ListReportsRequest{})).GetReports()
	if len(open) != 1 || open[0].GetId() != onComment.GetId() {
		t.Fatalf("open = %v", open)
	}
	must(e.client.ResolveReport(staff.ctx, &communityv1.ResolveReportRequest{Id: onComment.GetId(), Action: communityv1.ReportAction_REPORT_ACTION_DISMISS}))
	if ns := e.notifications(t, r2, 2); !strings.Contains(ns[0].GetText(), "그대로") {
		t.Fatalf("dismissal told as %v", ns[0])
	}
	if n := len(must(e.client.ListReports(staff.ctx, &communityv1.ListReportsRequest{Status: communityv1.ReportStatus_REPORT_STATUS_ACTIONED})).GetReports()); n != 2 {
		t.Fatalf("actioned = %d", n)
	}

	t.Run("messages", func(t *testing.T) {
		named := must(e.client.CreatePost(author.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: "연락 주세요", Body: "."})).GetPost()
		sent := must(e.client.MessagePostAuthor(r1.ctx, &communityv1.MessagePostAuthorRequest{Id: named.GetId(), Body: "욕설 쪽지"}))
		_, err := e.client.CreateReport(r1.ctx, &communityv1.CreateReportRequest{
			Target: &communityv1.CreateReportRequest_MessageId{MessageId: sent.GetMessage().GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_ABUSE,
		})
		wantCode(t, err, codes.NotFound, "") // one's own message
		_, err = e.client.CreateReport(r2.ctx, &communityv1.CreateReportRequest{
			Target: &communityv1.CreateReportRequest_MessageId{MessageId: sent.GetMessage().GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_ABUSE,
		})
		wantCode(t, err, codes.NotFound, "") // not in the conversation
		rep := must(e.client.CreateReport(author.ctx, &communityv1.CreateReportRequest{
			Target: &communityv1.CreateReportRequest_MessageId{MessageId: sent.GetMessage().GetId()}, Reason: communityv1.ReportReason_REPORT_REASON_ABUSE,
		})).GetReport()
		must(e.client.ResolveReport(staff.ctx, &communityv1.ResolveReportRequest{Id: rep.GetId(), Action: communityv1.ReportAction_REPORT_ACTION_HIDE}))
		th := must(e.client.GetConversation(author.ctx, &communityv1.GetConversationRequest{Id: sent.GetConversation().GetId()}))
		if len(th.GetMessages()) != 0 || th.GetConversation().GetLastMessage() != nil {
			t.Fatalf("hidden message still shown: %v", th)
		}
		// The inbox still pages past a conversation whose last message is hidden.
		must(e.client.MessagePostAuthor(r2.ctx, &communityv1.MessagePostAuthorRequest{Id: named.GetId(), Body: "먼저 온 쪽지"}))
		must(e.client.SendMessage(r1.ctx, &communityv1.SendMessageRequest{Id: sent.GetConversation().GetId(), Body: "이건 괜찮은 쪽지"}))
		must(e.client.CreateReport(author.ctx, &communityv1.CreateReportRequest{Target: &communityv1.CreateReportRequest_MessageId{
			MessageId: must(e.client.GetConversation(author.ctx, &communityv1.GetConversationRequest{Id: sent.GetConversation().GetId()})).GetMessages()[0].GetId(),
		}, Reason: communityv1.ReportReason_REPORT_REASON_SPAM}))
		for _, r := range must(e.client.ListReports(staff.ctx, &communityv1.ListReportsRequest{})).GetReports() {
			must(e.client.ResolveReport(staff.ctx, &communityv1.ResolveReportRequest{Id: r.GetId(), Action: communityv1.ReportAction_REPORT_ACTION_HIDE}))
		}
		first := must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{PageSize: 1}))
		if first.GetNextCursor() == "" {
			t.Fatalf("inbox page = %v", first)
		}
		must(e.client.ListConversations(author.ctx, &communityv1.ListConversationsRequest{PageSize: 1, Cursor: first.GetNextCursor()}))
	})

	// content_reported names neither the reporter nor the author.
	rows := must(e.db.Query(t.Context(), `SELECT payload FROM outbox WHERE subject = 'community.content_reported'`))
	n := 0
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		n++
		for _, id := range []string{r1.id, r2.id, author.id} {
			if strings.Contains(string(payload), id) {
				t.Fatal("content_reported names a member")
			}
		}
	}
	if n != 5 {
		t.Fatalf("content_reported events = %d, want 5 (a repeated report publishes nothing)", n)
	}
}
