package store

import (
	"context"
	"fmt"
)

// SchoolMember reports whether the user is an approved member of the school.
func (q *Queries) SchoolMember(ctx context.Context, userID, schoolID string) (bool, error) {
	const sql = `SELECT EXISTS (SELECT 1 FROM school_members WHERE user_id = $1 AND school_id = $2 AND status = 'approved')`
	var ok bool
	if err := q.db.QueryRow(ctx, sql, userID, schoolID).Scan(&ok); err != nil {
		return false, fmt.Errorf("db: school member: %w", err)
	}
	return ok, nil
}
