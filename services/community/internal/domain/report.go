package domain

import (
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Errors of reports.
var (
	ErrReportNotFound  = errs.New(errs.NotFound, "REPORT_NOT_FOUND", "report not found")
	ErrMessageNotFound = errs.New(errs.NotFound, "MESSAGE_NOT_FOUND", "message not found")
	ErrReportResolved  = errs.New(errs.FailedPrecondition, "REPORT_RESOLVED", "this report is already resolved")
)

// Report statuses.
const (
	ReportOpen      = "open"
	ReportActioned  = "actioned"
	ReportDismissed = "dismissed"
)

// Report is a member's report of a post, comment or message.
type Report struct {
	ID             string
	ReporterID     string
	PostID         string
	CommentID      string
	MessageID      string
	Reason         string
	Detail         string
	Excerpt        string
	Status         string
	ResolutionNote string
	CreatedAt      time.Time
	ResolvedAt     *time.Time
}

// Notification kinds.
const (
	NotifyComment        = "comment"
	NotifyReply          = "reply"
	NotifyLike           = "like"
	NotifyFollow         = "follow"
	NotifyMessage        = "message"
	NotifyReportResolved = "report_resolved"
)

// Notification is an entry of a member's notification inbox.
type Notification struct {
	ID             string
	UserID         string
	Kind           string
	Text           string
	PostID         string
	CommentID      string
	ConversationID string
	// Actor is set only for acts that are never anonymous (follows).
	Actor     *Profile
	Read      bool
	CreatedAt time.Time
}
