package app

import (
	"context"
	"errors"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Page sizes of order lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page is one page of orders.
type Page struct {
	Orders        []domain.Order
	NextPageToken string
	TotalCount    int // the buyer's order count (ListOrders only)
}

var errBadPageToken = errs.InvalidFields(errs.Field("page_token", "is not a token this listing returned"))

// Order returns one of the user's orders by number; another user's order is
// domain.ErrOrderNotFound, as if it did not exist.
func (a *App) Order(ctx context.Context, userID, number string) (domain.Order, error) {
	o, err := a.store.Get(ctx, store.Key{Number: number})
	if err != nil {
		return domain.Order{}, err
	}
	if o.UserID != userID {
		return domain.Order{}, domain.ErrOrderNotFound
	}
	return o, nil
}

// AnyOrder returns any order by number, for staff.
func (a *App) AnyOrder(ctx context.Context, number string) (domain.Order, error) {
	return a.store.Get(ctx, store.Key{Number: number})
}

// Orders lists the user's orders newest first, with their count.
func (a *App) Orders(ctx context.Context, userID string, size int, token string) (Page, error) {
	p, err := a.list(ctx, store.Filter{UserID: userID}, size, token)
	if err != nil {
		return Page{}, err
	}
	if p.TotalCount, err = a.store.CountByUser(ctx, userID); err != nil {
		return Page{}, err
	}
	return p, nil
}

// AllOrders lists every order matching f, newest first, for staff.
func (a *App) AllOrders(ctx context.Context, f store.Filter, size int, token string) (Page, error) {
	return a.list(ctx, f, size, token)
}

func (a *App) list(ctx context.Context, f store.Filter, size int, token string) (Page, error) {
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	var after *store.Cursor
	if token != "" {
		c, ok := store.DecodeCursor(token)
		if !ok {
			return Page{}, errBadPageToken
		}
		after = &c
	}
	orders, more, err := a.store.List(ctx, f, after, size)
	if err != nil {
		return Page{}, err
	}
	p := Page{Orders: orders}
	if more {
		last := orders[len(orders)-1]
		p.NextPageToken = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	return p, nil
}

// isNotFound reports a missing order.
func isNotFound(err error) bool { return errors.Is(err, domain.ErrOrderNotFound) }
