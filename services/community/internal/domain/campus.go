package domain

import "github.com/jangteo/jangteo/platform/errs"

// ErrSchoolMembersOnly refuses a school's boards, and reviews of its
// lectures, to anyone but its approved members.
var ErrSchoolMembersOnly = errs.New(errs.PermissionDenied, "SCHOOL_MEMBERS_ONLY", "only members of this school may do this")
