package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// BoardView is a board with whether the caller favours it.
type BoardView = store.BoardRow

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,59}$`)

// CreateBoard creates a board (staff; the access policy checks the role).
func (a *App) CreateBoard(ctx context.Context, b domain.Board) (BoardView, error) {
	var v errs.Violations
	b.Name, b.Category = strings.TrimSpace(b.Name), strings.TrimSpace(b.Category)
	if b.Slug == "" {
		b.Slug = asciiSlug(b.Name)
	}
	if !slugPattern.MatchString(b.Slug) {
		v.Add("slug", "must be 2 to 60 lowercase letters, digits or '-' (give one when the name is not in Latin letters)")
	}
	domain.CheckText(&v, "name", b.Name, 50)
	domain.CheckText(&v, "category", b.Category, 50)
	domain.CheckOptionalText(&v, "description", b.Description, 500)
	for i, l := range b.Labels {
		domain.CheckText(&v, fmt.Sprintf("labels[%d]", i), l, 20)
	}
	if b.Kind == "" {
		b.Kind = domain.BoardGeneral
	}
	if b.Kind == domain.BoardNotice {
		b.AnonymousAllowed = false
	} else if len(b.Labels) > 0 {
		v.Add("labels", "only notice boards carry labels")
	}
	if err := v.Err(); err != nil {
		return BoardView{}, err
	}
	b.ID, b.Labels = newID(), nonNil(b.Labels)
	q := a.store.Read()
	if err := q.CreateBoard(ctx, b); err != nil {
		return BoardView{}, err
	}
	return q.Board(ctx, "", b.Slug)
}

func asciiSlug(name string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			sb.WriteRune(r)
			dash = false
		case !dash && sb.Len() > 0:
			sb.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(sb.String(), "-")
}

// Boards lists the boards a caller sees: global ones and, with schoolID, the
// school's.
func (a *App) Boards(ctx context.Context, c domain.Caller, schoolID, category string) ([]BoardView, error) {
	return a.store.Read().Boards(ctx, c.UserID, schoolID, category)
}

// Board reads one board.
func (a *App) Board(ctx context.Context, c domain.Caller, slug string) (BoardView, error) {
	return a.store.Read().Board(ctx, c.UserID, slug)
}

// SetFavorite pins or unpins a board for the caller.
func (a *App) SetFavorite(ctx context.Context, c domain.Caller, slug string, on bool) (BoardView, error) {
	q := a.store.Read()
	b, err := q.Board(ctx, c.UserID, slug)
	if err != nil {
		return BoardView{}, err
	}
	if err := q.SetFavorite(ctx, c.UserID, b.ID, on); err != nil {
		return BoardView{}, err
	}
	b.Favorite = on
	return b, nil
}

// FavoriteBoards lists the caller's favourite boards.
func (a *App) FavoriteBoards(ctx context.Context, c domain.Caller) ([]BoardView, error) {
	return a.store.Read().FavoriteBoards(ctx, c.UserID)
}

// checkLabel checks a notice label against the board's labels.
func checkLabel(v *errs.Violations, b domain.Board, label string) {
	switch {
	case label == "":
	case b.Kind != domain.BoardNotice:
		v.Add("label", "only notice boards carry labels")
	case !slices.Contains(b.Labels, label):
		v.Add("label", "must be one of "+strings.Join(b.Labels, ", "))
	}
}
