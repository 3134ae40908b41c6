// Package events names what the community publishes and builds its payloads.
// No payload names the author of anonymous content.
package events

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// Subjects the community publishes on its COMMUNITY stream.
const (
	SubjectPostCreated     = "community.post_created"
	SubjectCommentCreated  = "community.comment_created"
	SubjectLiked           = "community.liked"
	SubjectFollowed        = "community.followed"
	SubjectMessageSent     = "community.message_sent"
	SubjectContentReported = "community.content_reported"
	SubjectReportResolved  = "community.report_resolved"
)

// PostCreated describes a new post; the author only when named.
func PostCreated(p domain.Post) *communityv1.PostCreated {
	return &communityv1.PostCreated{
		PostId: p.ID, BoardId: p.BoardID, AuthorId: namedAuthor(p.AuthorID, p.Anonymous),
		Anonymous: p.Anonymous, OccurTime: timestamppb.New(p.CreatedAt),
	}
}

// CommentCreated describes a new comment or reply; the author only when named.
func CommentCreated(c domain.Comment) *communityv1.CommentCreated {
	return &communityv1.CommentCreated{
		CommentId: c.ID, PostId: c.PostID, ParentId: c.ParentID, AuthorId: namedAuthor(c.AuthorID, c.Anonymous),
		Anonymous: c.Anonymous, OccurTime: timestamppb.New(c.CreatedAt),
	}
}

// LikedPost describes a new like of a post.
func LikedPost(postID, userID string, count int, at time.Time) *communityv1.Liked {
	return &communityv1.Liked{
		Target: communityv1.LikeTarget_LIKE_TARGET_POST, TargetId: postID, PostId: postID,
		UserId: userID, LikeCount: int32(count), OccurTime: timestamppb.New(at),
	}
}

// LikedComment describes a new like of a comment or reply.
func LikedComment(commentID, postID, userID string, count int, at time.Time) *communityv1.Liked {
	return &communityv1.Liked{
		Target: communityv1.LikeTarget_LIKE_TARGET_COMMENT, TargetId: commentID, PostId: postID,
		UserId: userID, LikeCount: int32(count), OccurTime: timestamppb.New(at),
	}
}

func namedAuthor(id string, anonymous bool) string {
	if anonymous {
		return ""
	}
	return id
}

// Followed describes a new follow.
func Followed(follower, followee string, at time.Time) *communityv1.Followed {
	return &communityv1.Followed{FollowerId: follower, FolloweeId: followee, OccurTime: timestamppb.New(at)}
}

// MessageSent describes a delivered direct message; it names no member.
func MessageSent(messageID, conversationID string, at time.Time) *communityv1.MessageSent {
	return &communityv1.MessageSent{MessageId: messageID, ConversationId: conversationID, OccurTime: timestamppb.New(at)}
}

// ContentReported describes a new report; it names neither the reporter
// nor the content's author.
func ContentReported(r domain.Report) *communityv1.ContentReported {
	return &communityv1.ContentReported{
		ReportId: r.ID, PostId: r.PostID, CommentId: r.CommentID, MessageId: r.MessageID, OccurTime: timestamppb.New(r.CreatedAt),
	}
}

// ReportResolved describes staff's decision on one report.
func ReportResolved(reportID string, hidden bool, at time.Time) *communityv1.ReportResolved {
	return &communityv1.ReportResolved{ReportId: reportID, Hidden: hidden, OccurTime: timestamppb.New(at)}
}
