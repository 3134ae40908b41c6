package events

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// NotificationsConsumer turns the community's own events into members'
// notifications.
var NotificationsConsumer = events.ConsumerConfig{
	Name:    "community-notifications",
	Service: "community",
	Subjects: []string{
		SubjectCommentCreated, SubjectLiked, SubjectFollowed, SubjectMessageSent, SubjectReportResolved,
	},
}

// Notify writes the notifications an event calls for, inside the inbox
// transaction (a redelivered event writes nothing twice). Recipients are
// found in the community's tables, since events never name anonymous
// authors; nobody is notified of their own act.
func Notify(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	q := store.Tx(tx)
	add := func(n domain.Notification) error {
		n.ID, n.CreatedAt = uuid.Must(uuid.NewV7()).String(), time.Now().UTC()
		return q.AddNotification(ctx, n)
	}
	switch d.Subject {
	case SubjectCommentCreated:
		var ev communityv1.CommentCreated
		if err := d.Decode(&ev); err != nil {
			return err
		}
		cm, err := q.Comment(ctx, "", ev.GetCommentId(), false)
		if err != nil {
			return err
		}
		snippet := "“" + excerpt(cm.Body, 40) + "”"
		notified := map[string]bool{cm.AuthorID: true}
		if cm.ParentID != "" {
			parent, err := q.Comment(ctx, "", cm.ParentID, false)
			if err != nil {
				return err
			}
			if !notified[parent.AuthorID] {
				notified[parent.AuthorID] = true
				if err := add(domain.Notification{UserID: parent.AuthorID, Kind: domain.NotifyReply, PostID: cm.PostID, CommentID: cm.ID,
					Text: "내 댓글에 답글이 달렸어요: " + snippet}); err != nil {
					return err
				}
			}
		}
		if notified[cm.PostAuthorID] {
			return nil
		}
		return add(domain.Notification{UserID: cm.PostAuthorID, Kind: domain.NotifyComment, PostID: cm.PostID, CommentID: cm.ID,
			Text: "내 글에 새 댓글이 달렸어요: " + snippet})
	case SubjectLiked:
		var ev communityv1.Liked
		if err := d.Decode(&ev); err != nil {
			return err
		}
		n := domain.Notification{Kind: domain.NotifyLike, PostID: ev.GetPostId()}
		if ev.GetTarget() == communityv1.LikeTarget_LIKE_TARGET_COMMENT {
			cm, err := q.Comment(ctx, "", ev.GetTargetId(), false)
			if err != nil {
				return err
			}
			n.UserID, n.CommentID, n.Text = cm.AuthorID, cm.ID, "누군가 내 댓글을 좋아해요: “"+excerpt(cm.Body, 40)+"”"
		} else {
			p, err := q.Post(ctx, "", ev.GetPostId(), false)
			if err != nil {
				return err
			}
			n.UserID, n.Text = p.AuthorID, "누군가 내 글을 좋아해요: “"+excerpt(p.Title, 40)+"”"
		}
		if n.UserID == ev.GetUserId() {
			return nil
		}
		return add(n)
	case SubjectFollowed:
		var ev communityv1.Followed
		if err := d.Decode(&ev); err != nil {
			return err
		}
		return add(domain.Notification{UserID: ev.GetFolloweeId(), Kind: domain.NotifyFollow,
			Actor: &domain.Profile{UserID: ev.GetFollowerId()}, Text: "새 팔로워가 생겼어요"})
	case SubjectMessageSent:
		var ev communityv1.MessageSent
		if err := d.Decode(&ev); err != nil {
			return err
		}
		conv, to, err := q.MessageRecipient(ctx, ev.GetMessageId())
		if err != nil {
			return err
		}
		return add(domain.Notification{UserID: to, Kind: domain.NotifyMessage, ConversationID: conv, Text: "새 쪽지가 도착했어요"})
	case SubjectReportResolved:
		var ev communityv1.ReportResolved
		if err := d.Decode(&ev); err != nil {
			return err
		}
		r, err := q.ReportByID(ctx, ev.GetReportId())
		if err != nil {
			return err
		}
		text := "신고하신 내용을 검토했어요. 운영 정책에 어긋나지 않아 그대로 두었어요."
		if ev.GetHidden() {
			text = "신고하신 내용을 검토해 숨김 처리했어요. 신고해 주셔서 고마워요."
		}
		if r.ResolutionNote != "" {
			text += " (" + r.ResolutionNote + ")"
		}
		return add(domain.Notification{UserID: r.ReporterID, Kind: domain.NotifyReportResolved, PostID: r.PostID, CommentID: r.CommentID, Text: text})
	}
	return nil
}

// excerpt cuts s to n characters.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
