package app

import (
	"context"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// checkSchoolBoard lets anyone use a global board (schoolID empty) and only
// approved members of the school (and staff) use a school's board.
func (a *App) checkSchoolBoard(ctx context.Context, c domain.Caller, schoolID string) error {
	if schoolID == "" || c.Staff {
		return nil
	}
	if c.SignedIn() {
		ok, err := a.store.Read().SchoolMember(ctx, c.UserID, schoolID)
		if err != nil || ok {
			return err
		}
	}
	return domain.ErrSchoolMembersOnly.With("this board is for members of its school")
}

// checkSchoolContent applies checkSchoolBoard to the board of a post (or of
// a comment's post) before a like or a scrap.
func (a *App) checkSchoolContent(ctx context.Context, c domain.Caller, postID, commentID string) error {
	school, err := a.store.Read().SchoolOf(ctx, postID, commentID)
	if err != nil {
		return err
	}
	return a.checkSchoolBoard(ctx, c, school)
}
