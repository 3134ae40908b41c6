package app

import (
	"context"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// NewReport is a report of exactly one of a post, comment or message.
type NewReport struct {
	PostID    string
	CommentID string
	MessageID string
	Reason    string
	Detail    string
}

// CreateReport reports content the caller can see. A second report of the
// same content returns the first and publishes nothing.
func (a *App) CreateReport(ctx context.Context, c domain.Caller, n NewReport) (domain.Report, error) {
	var v errs.Violations
	domain.CheckOptionalText(&v, "detail", n.Detail, 1000)
	if err := v.Err(); err != nil {
		return domain.Report{}, err
	}
	r := domain.Report{ID: newID(), ReporterID: c.UserID, Reason: n.Reason, Detail: strings.TrimSpace(n.Detail), CreatedAt: a.now()}
	q := a.store.Read()
	switch {
	case n.CommentID != "":
		cm, err := q.Comment(ctx, c.UserID, n.CommentID, false)
		if err != nil {
			return domain.Report{}, err
		}
		if cm.Gone(c) {
			return domain.Report{}, domain.ErrCommentNotFound
		}
		r.PostID, r.CommentID, r.Excerpt = cm.PostID, cm.ID, cm.Body
	case n.MessageID != "":
		body, err := q.ReceivedMessage(ctx, c.UserID, n.MessageID)
		if err != nil {
			return domain.Report{}, err
		}
		r.MessageID, r.Excerpt = n.MessageID, body
	default:
		p, err := q.Post(ctx, c.UserID, n.PostID, false)
		if err != nil {
			return domain.Report{}, err
		}
		if !p.Open() {
			return domain.Report{}, domain.ErrPostNotFound
		}
		r.PostID, r.Excerpt = p.ID, p.Title+"\n"+p.Body
	}
	var out domain.Report
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		var created bool
		var err error
		if out, created, err = q.CreateReport(ctx, r); err != nil || !created {
			return err
		}
		return q.Enqueue(ctx, events.SubjectContentReported, events.ContentReported(out))
	})
	return out, err
}

// Reports pages the staff queue of one status (open by default), oldest first.
func (a *App) Reports(ctx context.Context, status, cursor string, size int) ([]domain.Report, string, error) {
	if status == "" {
		status = domain.ReportOpen
	}
	return a.store.Read().Reports(ctx, status, store.Page{After: cursor, Size: pageSize(size, 20)})
}

// ResolveReport hides the reported content (hide) or leaves it, resolving
// every open report of that content; each reporter is told through an event.
func (a *App) ResolveReport(ctx context.Context, id string, hide bool, note string) (domain.Report, error) {
	var out domain.Report
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.Report(ctx, id)
		if err != nil {
			return err
		}
		if r.Status != domain.ReportOpen {
			return domain.ErrReportResolved
		}
		status := domain.ReportDismissed
		if hide {
			status = domain.ReportActioned
			if err := hideContent(ctx, q, r); err != nil {
				return err
			}
		}
		ids, err := q.ResolveReports(ctx, r, status, strings.TrimSpace(note))
		if err != nil {
			return err
		}
		for _, rid := range ids {
			if err := q.Enqueue(ctx, events.SubjectReportResolved, events.ReportResolved(rid, hide, a.now())); err != nil {
				return err
			}
		}
		out, err = q.Report(ctx, id)
		return err
	})
	return out, err
}

func hideContent(ctx context.Context, q *store.Queries, r domain.Report) error {
	switch {
	case r.CommentID != "":
		return hideComment(ctx, q, r.CommentID, true)
	case r.MessageID != "":
		return q.HideMessage(ctx, r.MessageID)
	}
	return q.HidePost(ctx, r.PostID, true)
}
