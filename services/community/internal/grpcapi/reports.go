package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

var reasons = map[communityv1.ReportReason]string{
	communityv1.ReportReason_REPORT_REASON_SPAM:    "spam",
	communityv1.ReportReason_REPORT_REASON_ABUSE:   "abuse",
	communityv1.ReportReason_REPORT_REASON_SEXUAL:  "sexual",
	communityv1.ReportReason_REPORT_REASON_ILLEGAL: "illegal",
	communityv1.ReportReason_REPORT_REASON_PRIVACY: "privacy",
	communityv1.ReportReason_REPORT_REASON_OTHER:   "other",
}

var statuses = map[communityv1.ReportStatus]string{
	communityv1.ReportStatus_REPORT_STATUS_OPEN:      domain.ReportOpen,
	communityv1.ReportStatus_REPORT_STATUS_ACTIONED:  domain.ReportActioned,
	communityv1.ReportStatus_REPORT_STATUS_DISMISSED: domain.ReportDismissed,
}

func invert[K comparable, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	reasonOf = invert(reasons)
	statusOf = invert(statuses)
)

// toProtoReport renders a report; the excerpt only for staff.
func toProtoReport(r domain.Report, staff bool) *communityv1.Report {
	out := &communityv1.Report{
		Id: r.ID, PostId: r.PostID, CommentId: r.CommentID, MessageId: r.MessageID, Reason: reasonOf[r.Reason],
		Detail: r.Detail, Status: statusOf[r.Status], ResolutionNote: r.ResolutionNote, CreateTime: timestamppb.New(r.CreatedAt),
	}
	if staff {
		out.Excerpt = r.Excerpt
	}
	if r.ResolvedAt != nil {
		out.ResolveTime = timestamppb.New(*r.ResolvedAt)
	}
	return out
}

// CreateReport implements communityv1.CommunityServiceServer.
func (s *Server) CreateReport(ctx context.Context, req *communityv1.CreateReportRequest) (*communityv1.CreateReportResponse, error) {
	r, err := s.app.CreateReport(ctx, caller(ctx), app.NewReport{
		PostID: req.GetPostId(), CommentID: req.GetCommentId(), MessageID: req.GetMessageId(),
		Reason: reasons[req.GetReason()], Detail: req.GetDetail(),
	})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateReportResponse{Report: toProtoReport(r, false)}, nil
}

// ListReports implements communityv1.CommunityServiceServer.
func (s *Server) ListReports(ctx context.Context, req *communityv1.ListReportsRequest) (*communityv1.ListReportsResponse, error) {
	rs, next, err := s.app.Reports(ctx, statuses[req.GetStatus()], req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListReportsResponse{NextCursor: next, Reports: make([]*communityv1.Report, len(rs))}
	for i, r := range rs {
		resp.Reports[i] = toProtoReport(r, true)
	}
	return resp, nil
}

// ResolveReport implements communityv1.CommunityServiceServer.
func (s *Server) ResolveReport(ctx context.Context, req *communityv1.ResolveReportRequest) (*communityv1.ResolveReportResponse, error) {
	r, err := s.app.ResolveReport(ctx, req.GetId(), req.GetAction() == communityv1.ReportAction_REPORT_ACTION_HIDE, req.GetNote())
	if err != nil {
		return nil, err
	}
	return &communityv1.ResolveReportResponse{Report: toProtoReport(r, true)}, nil
}

var notificationKinds = map[string]communityv1.NotificationKind{
	domain.NotifyComment:        communityv1.NotificationKind_NOTIFICATION_KIND_COMMENT,
	domain.NotifyReply:          communityv1.NotificationKind_NOTIFICATION_KIND_REPLY,
	domain.NotifyLike:           communityv1.NotificationKind_NOTIFICATION_KIND_LIKE,
	domain.NotifyFollow:         communityv1.NotificationKind_NOTIFICATION_KIND_FOLLOW,
	domain.NotifyMessage:        communityv1.NotificationKind_NOTIFICATION_KIND_MESSAGE,
	domain.NotifyReportResolved: communityv1.NotificationKind_NOTIFICATION_KIND_REPORT_RESOLVED,
}

// ListNotifications implements communityv1.CommunityServiceServer.
func (s *Server) ListNotifications(ctx context.Context, req *communityv1.ListNotificationsRequest) (*communityv1.ListNotificationsResponse, error) {
	ns, next, unread, err := s.app.Notifications(ctx, caller(ctx), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListNotificationsResponse{NextCursor: next, UnreadCount: int32(unread), Notifications: make([]*communityv1.Notification, len(ns))}
	for i, n := range ns {
		pn := &communityv1.Notification{
			Id: n.ID, Kind: notificationKinds[n.Kind], Text: n.Text, PostId: n.PostID, CommentId: n.CommentID,
			ConversationId: n.ConversationID, Read: n.Read, CreateTime: timestamppb.New(n.CreatedAt),
		}
		if n.Actor != nil {
			pn.Actor = toProtoProfileRef(*n.Actor)
		}
		resp.Notifications[i] = pn
	}
	return resp, nil
}

// MarkNotificationsRead implements communityv1.CommunityServiceServer.
func (s *Server) MarkNotificationsRead(ctx context.Context, req *communityv1.MarkNotificationsReadRequest) (*communityv1.MarkNotificationsReadResponse, error) {
	unread, err := s.app.MarkNotificationsRead(ctx, caller(ctx), req.GetIds())
	if err != nil {
		return nil, err
	}
	return &communityv1.MarkNotificationsReadResponse{UnreadCount: int32(unread)}, nil
}
