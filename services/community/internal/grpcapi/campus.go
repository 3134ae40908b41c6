package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/campus"
)

// Campus implements communityv1.CampusServiceServer.
type Campus struct {
	communityv1.UnimplementedCampusServiceServer
	campus *campus.Campus
}

// NewCampus returns the campus gRPC server over its use cases.
func NewCampus(c *campus.Campus) *Campus { return &Campus{campus: c} }

// ListSchools implements communityv1.CampusServiceServer.
func (s *Campus) ListSchools(ctx context.Context, r *communityv1.ListSchoolsRequest) (*communityv1.ListSchoolsResponse, error) {
	schools, err := s.campus.Schools(ctx, r.GetQ(), int(r.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &communityv1.ListSchoolsResponse{Schools: make([]*communityv1.School, len(schools))}
	for i, sc := range schools {
		out.Schools[i] = toProtoSchool(sc)
	}
	return out, nil
}

// GetSchool implements communityv1.CampusServiceServer.
func (s *Campus) GetSchool(ctx context.Context, r *communityv1.GetSchoolRequest) (*communityv1.GetSchoolResponse, error) {
	sc, err := s.campus.School(ctx, r.GetSlug())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetSchoolResponse{School: toProtoSchool(sc)}, nil
}

// CreateSchool implements communityv1.CampusServiceServer.
func (s *Campus) CreateSchool(ctx context.Context, r *communityv1.CreateSchoolRequest) (*communityv1.CreateSchoolResponse, error) {
	sc, err := s.campus.CreateSchool(ctx, campus.School{Slug: r.GetSlug(), Name: r.GetName(), EmailDomain: r.GetEmailDomain(), Region: r.GetRegion()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateSchoolResponse{School: toProtoSchool(sc)}, nil
}

// SetMySchool implements communityv1.CampusServiceServer.
func (s *Campus) SetMySchool(ctx context.Context, r *communityv1.SetMySchoolRequest) (*communityv1.SetMySchoolResponse, error) {
	m, err := s.campus.SetSchool(ctx, caller(ctx).UserID, r.GetSchool(), int(r.GetAdmissionYear()), r.GetSchoolEmail())
	if err != nil {
		return nil, err
	}
	return &communityv1.SetMySchoolResponse{Membership: toProtoMembership(m)}, nil
}

// GetMySchool implements communityv1.CampusServiceServer.
func (s *Campus) GetMySchool(ctx context.Context, _ *communityv1.GetMySchoolRequest) (*communityv1.GetMySchoolResponse, error) {
	m, err := s.campus.MySchool(ctx, caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return &communityv1.GetMySchoolResponse{Membership: toProtoMembership(m)}, nil
}

// VerifySchoolEmail implements communityv1.CampusServiceServer.
func (s *Campus) VerifySchoolEmail(ctx context.Context, r *communityv1.VerifySchoolEmailRequest) (*communityv1.VerifySchoolEmailResponse, error) {
	m, err := s.campus.VerifySchoolEmail(ctx, r.GetToken())
	if err != nil {
		return nil, err
	}
	return &communityv1.VerifySchoolEmailResponse{Membership: toProtoMembership(m)}, nil
}

// ApproveSchoolMember implements communityv1.CampusServiceServer.
func (s *Campus) ApproveSchoolMember(ctx context.Context, r *communityv1.ApproveSchoolMemberRequest) (*communityv1.ApproveSchoolMemberResponse, error) {
	m, err := s.campus.Approve(ctx, r.GetSlug(), r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &communityv1.ApproveSchoolMemberResponse{Membership: toProtoMembership(m)}, nil
}

// DeclineSchoolMember implements communityv1.CampusServiceServer.
func (s *Campus) DeclineSchoolMember(ctx context.Context, r *communityv1.DeclineSchoolMemberRequest) (*communityv1.DeclineSchoolMemberResponse, error) {
	if err := s.campus.Decline(ctx, r.GetSlug(), r.GetUserId()); err != nil {
		return nil, err
	}
	return &communityv1.DeclineSchoolMemberResponse{}, nil
}

// ListPendingMemberships implements communityv1.CampusServiceServer.
func (s *Campus) ListPendingMemberships(ctx context.Context, r *communityv1.ListPendingMembershipsRequest) (*communityv1.ListPendingMembershipsResponse, error) {
	size := int(r.GetPageSize())
	if size <= 0 {
		size = 20
	}
	pg, err := s.campus.Pending(ctx, r.GetSchool(), int(r.GetPage()), size)
	if err != nil {
		return nil, err
	}
	out := &communityv1.ListPendingMembershipsResponse{
		Page: int32(pg.Page), TotalCount: int32(pg.Total), TotalPages: int32((pg.Total + size - 1) / size),
	}
	for _, m := range pg.Members {
		out.Memberships = append(out.Memberships, &communityv1.PendingMembership{
			Membership: toProtoMembership(m.Membership), Username: m.Username, Name: m.Name,
			RequestTime: timestamppb.New(m.RequestedAt),
		})
	}
	return out, nil
}

// ImportLectures implements communityv1.CampusServiceServer.
func (s *Campus) ImportLectures(ctx context.Context, r *communityv1.ImportLecturesRequest) (*communityv1.ImportLecturesResponse, error) {
	n, err := s.campus.ImportLectures(ctx, r.GetSlug(), r.GetTerm(), r.GetCsv())
	if err != nil {
		return nil, err
	}
	return &communityv1.ImportLecturesResponse{Imported: int32(n)}, nil
}

// ListLectures implements communityv1.CampusServiceServer.
func (s *Campus) ListLectures(ctx context.Context, r *communityv1.ListLecturesRequest) (*communityv1.ListLecturesResponse, error) {
	size := int(r.GetPageSize())
	if size <= 0 {
		size = 20
	}
	pg, err := s.campus.Lectures(ctx, campus.LectureQuery{
		Slug: r.GetSlug(), Term: r.GetTerm(), Q: r.GetQ(), Professor: r.GetProfessor(), Day: int(r.GetDay()),
		Page: int(r.GetPage()), PageSize: size,
	})
	if err != nil {
		return nil, err
	}
	return &communityv1.ListLecturesResponse{
		Lectures: toProtoLectures(pg.Lectures), TotalCount: int32(pg.Total), TotalPages: int32((pg.Total + size - 1) / size),
	}, nil
}

// GetLecture implements communityv1.CampusServiceServer.
func (s *Campus) GetLecture(ctx context.Context, r *communityv1.GetLectureRequest) (*communityv1.GetLectureResponse, error) {
	l, err := s.campus.Lecture(ctx, r.GetId())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetLectureResponse{Lecture: toProtoLecture(l)}, nil
}

// ListMyTimetables implements communityv1.CampusServiceServer.
func (s *Campus) ListMyTimetables(ctx context.Context, r *communityv1.ListMyTimetablesRequest) (*communityv1.ListMyTimetablesResponse, error) {
	ts, err := s.campus.Timetables(ctx, caller(ctx).UserID, r.GetTerm())
	if err != nil {
		return nil, err
	}
	out := &communityv1.ListMyTimetablesResponse{Timetables: make([]*communityv1.Timetable, len(ts))}
	for i, t := range ts {
		out.Timetables[i] = toProtoTimetable(t)
	}
	return out, nil
}

// CreateTimetable implements communityv1.CampusServiceServer.
func (s *Campus) CreateTimetable(ctx context.Context, r *communityv1.CreateTimetableRequest) (*communityv1.CreateTimetableResponse, error) {
	t, err := s.campus.CreateTimetable(ctx, caller(ctx).UserID, r.GetTerm(), r.GetName(), r.GetPrimary())
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateTimetableResponse{Timetable: toProtoTimetable(t)}, nil
}

// UpdateTimetable implements communityv1.CampusServiceServer.
func (s *Campus) UpdateTimetable(ctx context.Context, r *communityv1.UpdateTimetableRequest) (*communityv1.UpdateTimetableResponse, error) {
	t, err := s.campus.UpdateTimetable(ctx, caller(ctx).UserID, r.GetId(), r.Name, r.Primary)
	if err != nil {
		return nil, err
	}
	return &communityv1.UpdateTimetableResponse{Timetable: toProtoTimetable(t)}, nil
}

// DeleteTimetable implements communityv1.CampusServiceServer.
func (s *Campus) DeleteTimetable(ctx context.Context, r *communityv1.DeleteTimetableRequest) (*communityv1.DeleteTimetableResponse, error) {
	if err := s.campus.DeleteTimetable(ctx, caller(ctx).UserID, r.GetId()); err != nil {
		return nil, err
	}
	return &communityv1.DeleteTimetableResponse{}, nil
}

// AddTimetableLecture implements communityv1.CampusServiceServer.
func (s *Campus) AddTimetableLecture(ctx context.Context, r *communityv1.AddTimetableLectureRequest) (*communityv1.AddTimetableLectureResponse, error) {
	t, err := s.campus.AddLecture(ctx, caller(ctx).UserID, r.GetId(), r.GetLectureId())
	if err != nil {
		return nil, err
	}
	return &communityv1.AddTimetableLectureResponse{Timetable: toProtoTimetable(t)}, nil
}

// RemoveTimetableLecture implements communityv1.CampusServiceServer.
func (s *Campus) RemoveTimetableLecture(ctx context.Context, r *communityv1.RemoveTimetableLectureRequest) (*communityv1.RemoveTimetableLectureResponse, error) {
	t, err := s.campus.RemoveLecture(ctx, caller(ctx).UserID, r.GetId(), r.GetLectureId())
	if err != nil {
		return nil, err
	}
	return &communityv1.RemoveTimetableLectureResponse{Timetable: toProtoTimetable(t)}, nil
}

// AddTimetableEntry implements communityv1.CampusServiceServer.
func (s *Campus) AddTimetableEntry(ctx context.Context, r *communityv1.AddTimetableEntryRequest) (*communityv1.AddTimetableEntryResponse, error) {
	m, err := fromProtoMeeting("meeting", r.GetMeeting())
	if err != nil {
		return nil, err
	}
	t, err := s.campus.AddEntry(ctx, caller(ctx).UserID, r.GetId(), campus.Entry{Title: r.GetTitle(), Meeting: m})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.AddTimetableEntryResponse{Timetable: toProtoTimetable(t)}, nil
}

// RemoveTimetableEntry implements communityv1.CampusServiceServer.
func (s *Campus) RemoveTimetableEntry(ctx context.Context, r *communityv1.RemoveTimetableEntryRequest) (*communityv1.RemoveTimetableEntryResponse, error) {
	t, err := s.campus.RemoveEntry(ctx, caller(ctx).UserID, r.GetId(), r.GetEntryId())
	if err != nil {
		return nil, err
	}
	return &communityv1.RemoveTimetableEntryResponse{Timetable: toProtoTimetable(t)}, nil
}

// ListLectureReviews implements communityv1.CampusServiceServer.
func (s *Campus) ListLectureReviews(ctx context.Context, r *communityv1.ListLectureReviewsRequest) (*communityv1.ListLectureReviewsResponse, error) {
	sum, rs, err := s.campus.Reviews(ctx, caller(ctx).UserID, r.GetId())
	if err != nil {
		return nil, err
	}
	out := &communityv1.ListLectureReviewsResponse{Summary: toProtoSummary(sum), Reviews: make([]*communityv1.LectureReview, len(rs))}
	for i, rv := range rs {
		out.Reviews[i] = toProtoReview(rv)
	}
	return out, nil
}

// PutMyLectureReview implements communityv1.CampusServiceServer.
func (s *Campus) PutMyLectureReview(ctx context.Context, r *communityv1.PutMyLectureReviewRequest) (*communityv1.PutMyLectureReviewResponse, error) {
	rv, sum, err := s.campus.PutReview(ctx, caller(ctx).UserID, r.GetId(), campus.Review{
		Rating: int(r.GetRating()), Difficulty: int(r.GetDifficulty()), Workload: int(r.GetWorkload()),
		TermTaken: r.GetTermTaken(), Body: r.GetBody(),
	})
	if err != nil {
		return nil, err
	}
	return &communityv1.PutMyLectureReviewResponse{Review: toProtoReview(rv), Summary: toProtoSummary(sum)}, nil
}

func toProtoSchool(s campus.School) *communityv1.School {
	return &communityv1.School{Id: s.ID, Slug: s.Slug, Name: s.Name, EmailDomain: s.EmailDomain, Region: s.Region}
}

func toProtoMembership(m campus.Membership) *communityv1.SchoolMembership {
	st := communityv1.MembershipStatus_MEMBERSHIP_STATUS_PENDING
	if m.Status == campus.Approved {
		st = communityv1.MembershipStatus_MEMBERSHIP_STATUS_APPROVED
	}
	method := communityv1.JoinMethod_JOIN_METHOD_STAFF_APPROVAL
	if m.JoinMethod == campus.ByEmail {
		method = communityv1.JoinMethod_JOIN_METHOD_SCHOOL_EMAIL
	}
	return &communityv1.SchoolMembership{
		UserId: m.UserID, School: toProtoSchool(m.School), AdmissionYear: int32(m.AdmissionYear), Status: st,
		JoinMethod: method, SchoolEmail: m.SchoolEmail,
	}
}

func toProtoMeeting(m campus.Meeting) *communityv1.Meeting {
	return &communityv1.Meeting{Day: communityv1.Weekday(m.Day), Start: campus.Clock(m.Start), End: campus.Clock(m.End), Room: m.Room}
}

// fromProtoMeeting reads a meeting; bad times are field violations.
func fromProtoMeeting(field string, m *communityv1.Meeting) (campus.Meeting, error) {
	var v errs.Violations
	start, ok := campus.ParseClock(m.GetStart())
	if !ok {
		v.Add(field+".start", "must be a time HH:MM")
	}
	end, ok := campus.ParseClock(m.GetEnd())
	if !ok {
		v.Add(field+".end", "must be a time HH:MM")
	}
	return campus.Meeting{Day: int(m.GetDay()), Start: start, End: end, Room: m.GetRoom()}, v.Err()
}

func toProtoSummary(s campus.Summary) *communityv1.ReviewSummary {
	return &communityv1.ReviewSummary{Count: int32(s.Count), RatingAverage: s.Rating, DifficultyAverage: s.Difficulty, WorkloadAverage: s.Workload}
}

func toProtoLecture(l campus.Lecture) *communityv1.Lecture {
	out := &communityv1.Lecture{
		Id: l.ID, SchoolSlug: l.SchoolSlug, Term: l.Term, Code: l.Code, Title: l.Title, Professor: l.Professor,
		Credits: int32(l.Credits), Reviews: toProtoSummary(l.Reviews), Meetings: make([]*communityv1.Meeting, len(l.Meetings)),
	}
	for i, m := range l.Meetings {
		out.Meetings[i] = toProtoMeeting(m)
	}
	return out
}

func toProtoLectures(ls []campus.Lecture) []*communityv1.Lecture {
	out := make([]*communityv1.Lecture, len(ls))
	for i, l := range ls {
		out[i] = toProtoLecture(l)
	}
	return out
}

func toProtoTimetable(t campus.Timetable) *communityv1.Timetable {
	out := &communityv1.Timetable{
		Id: t.ID, Term: t.Term, Name: t.Name, Primary: t.Primary, Lectures: toProtoLectures(t.Lectures),
		Entries: make([]*communityv1.TimetableEntry, len(t.Entries)), TotalCredits: int32(t.TotalCredits()),
	}
	for i, e := range t.Entries {
		out.Entries[i] = &communityv1.TimetableEntry{Id: e.ID, Title: e.Title, Meeting: toProtoMeeting(e.Meeting)}
	}
	return out
}

func toProtoReview(r campus.Review) *communityv1.LectureReview {
	return &communityv1.LectureReview{
		Rating: int32(r.Rating), Difficulty: int32(r.Difficulty), Workload: int32(r.Workload),
		TermTaken: r.TermTaken, Body: r.Body, Mine: r.Mine,
	}
}

// SendFriendRequest implements communityv1.CampusServiceServer.
func (s *Campus) SendFriendRequest(ctx context.Context, r *communityv1.SendFriendRequestRequest) (*communityv1.SendFriendRequestResponse, error) {
	f, friends, err := s.campus.RequestFriend(ctx, caller(ctx).UserID, r.GetUsername())
	if err != nil {
		return nil, err
	}
	state := communityv1.FriendshipState_FRIENDSHIP_STATE_REQUESTED
	if friends {
		state = communityv1.FriendshipState_FRIENDSHIP_STATE_FRIENDS
	}
	return &communityv1.SendFriendRequestResponse{Friend: toProtoFriend(f), State: state}, nil
}

// ListFriendRequests implements communityv1.CampusServiceServer.
func (s *Campus) ListFriendRequests(ctx context.Context, _ *communityv1.ListFriendRequestsRequest) (*communityv1.ListFriendRequestsResponse, error) {
	in, out, err := s.campus.FriendRequests(ctx, caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return &communityv1.ListFriendRequestsResponse{Incoming: toProtoFriends(in), Outgoing: toProtoFriends(out)}, nil
}

// AcceptFriendRequest implements communityv1.CampusServiceServer.
func (s *Campus) AcceptFriendRequest(ctx context.Context, r *communityv1.AcceptFriendRequestRequest) (*communityv1.AcceptFriendRequestResponse, error) {
	f, err := s.campus.AcceptFriend(ctx, caller(ctx).UserID, r.GetUsername())
	if err != nil {
		return nil, err
	}
	return &communityv1.AcceptFriendRequestResponse{Friend: toProtoFriend(f)}, nil
}

// DeclineFriendRequest implements communityv1.CampusServiceServer.
func (s *Campus) DeclineFriendRequest(ctx context.Context, r *communityv1.DeclineFriendRequestRequest) (*communityv1.DeclineFriendRequestResponse, error) {
	if err := s.campus.DeclineFriend(ctx, caller(ctx).UserID, r.GetUsername()); err != nil {
		return nil, err
	}
	return &communityv1.DeclineFriendRequestResponse{}, nil
}

// ListFriends implements communityv1.CampusServiceServer.
func (s *Campus) ListFriends(ctx context.Context, _ *communityv1.ListFriendsRequest) (*communityv1.ListFriendsResponse, error) {
	fs, err := s.campus.Friends(ctx, caller(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return &communityv1.ListFriendsResponse{Friends: toProtoFriends(fs)}, nil
}

// DeleteFriend implements communityv1.CampusServiceServer.
func (s *Campus) DeleteFriend(ctx context.Context, r *communityv1.DeleteFriendRequest) (*communityv1.DeleteFriendResponse, error) {
	if err := s.campus.Unfriend(ctx, caller(ctx).UserID, r.GetUsername()); err != nil {
		return nil, err
	}
	return &communityv1.DeleteFriendResponse{}, nil
}

var visibilities = map[communityv1.TimetableVisibility]string{
	communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_FRIENDS: campus.VisibleToFriends,
	communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_PUBLIC:  campus.VisibleToAll,
	communityv1.TimetableVisibility_TIMETABLE_VISIBILITY_PRIVATE: campus.VisibleToNone,
}

// SetTimetableVisibility implements communityv1.CampusServiceServer.
func (s *Campus) SetTimetableVisibility(ctx context.Context, r *communityv1.SetTimetableVisibilityRequest) (*communityv1.SetTimetableVisibilityResponse, error) {
	if err := s.campus.SetVisibility(ctx, caller(ctx).UserID, visibilities[r.GetVisibility()]); err != nil {
		return nil, err
	}
	return &communityv1.SetTimetableVisibilityResponse{Visibility: r.GetVisibility()}, nil
}

// GetFriendTimetable implements communityv1.CampusServiceServer.
func (s *Campus) GetFriendTimetable(ctx context.Context, r *communityv1.GetFriendTimetableRequest) (*communityv1.GetFriendTimetableResponse, error) {
	f, t, err := s.campus.FriendTimetable(ctx, caller(ctx).UserID, r.GetUsername(), r.GetTerm())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetFriendTimetableResponse{Owner: toProtoFriend(f), Timetable: toProtoTimetable(t)}, nil
}

func toProtoFriend(f campus.Friend) *communityv1.Friend {
	return &communityv1.Friend{Username: f.Username, Name: f.Name, AvatarUrl: f.AvatarURL}
}

func toProtoFriends(fs []campus.Friend) []*communityv1.Friend {
	out := make([]*communityv1.Friend, len(fs))
	for i, f := range fs {
		out[i] = toProtoFriend(f)
	}
	return out
}
