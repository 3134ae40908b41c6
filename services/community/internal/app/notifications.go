package app

import (
	"context"

	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Notifications pages the caller's notifications and counts the unread.
func (a *App) Notifications(ctx context.Context, c domain.Caller, cursor string, size int) ([]domain.Notification, string, int, error) {
	q := a.store.Read()
	ns, next, err := q.Notifications(ctx, c.UserID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", 0, err
	}
	unread, err := q.UnreadNotifications(ctx, c.UserID)
	return ns, next, unread, err
}

// MarkNotificationsRead marks the caller's notifications read (all when ids
// is empty) and returns the unread count left.
func (a *App) MarkNotificationsRead(ctx context.Context, c domain.Caller, ids []string) (int, error) {
	q := a.store.Read()
	if err := q.MarkNotificationsRead(ctx, c.UserID, ids); err != nil {
		return 0, err
	}
	return q.UnreadNotifications(ctx, c.UserID)
}
