package events

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// SubjectSchoolMembershipChanged is the community's campus confirming (or
// no longer confirming) a user's school.
const SubjectSchoolMembershipChanged = "community.school_membership_changed"

// SchoolMembershipConsumer keeps users' schools from the community's stream.
var SchoolMembershipConsumer = events.ConsumerConfig{
	Name:     "identity-school-membership",
	Service:  "community",
	Subjects: []string{SubjectSchoolMembershipChanged},
}

// SchoolRecorder stores a user's school as of a time, keeping the newest.
type SchoolRecorder interface {
	SetSchool(ctx context.Context, userID string, school domain.School, at time.Time) error
}

// SchoolMembershipChanged applies the event in the inbox transaction (so a
// redelivery changes nothing); the newest occur_time wins, so a late event
// cannot undo a newer one.
func SchoolMembershipChanged(recorder func(tx pgx.Tx) SchoolRecorder) events.Handler {
	return func(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
		var ev communityv1.SchoolMembershipChanged
		if err := d.Decode(&ev); err != nil {
			return err
		}
		var s domain.School
		if ev.GetApproved() {
			s = domain.School{ID: ev.GetSchoolId(), Slug: ev.GetSchoolSlug(), Name: ev.GetSchoolName(), AdmissionYear: int(ev.GetAdmissionYear())}
		}
		return recorder(tx).SetSchool(ctx, ev.GetUserId(), s, ev.GetOccurTime().AsTime())
	}
}
