// Package grpcapi serves space rental over gRPC: proto ⇄ domain and the
// caller from the access policy; the use cases do the rest.
package grpcapi

import (
	"context"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/order/internal/bookings/app"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// Server implements orderv1.BookingServiceServer.
type Server struct {
	orderv1.UnimplementedBookingServiceServer
	app *app.App
}

// New returns the gRPC server of the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// viewer is the caller if signed in, else "".
func viewer(ctx context.Context) string {
	p, _ := auth.FromContext(ctx)
	return p.UserID
}

func toDomainOptions(in []*orderv1.SpaceOptionInput) (opts []domain.SpaceOption, currency string) {
	currency = "KRW"
	for _, o := range in {
		kind := domain.Option(o.GetKind())
		hours := domain.DefaultHours[kind]
		if o.StartHour != nil {
			hours[0] = int(o.GetStartHour())
		}
		if o.EndHour != nil {
			hours[1] = int(o.GetEndHour())
		}
		if c := o.GetPrice().GetCurrency(); c != "" {
			currency = c
		}
		opts = append(opts, domain.SpaceOption{Kind: kind, Price: o.GetPrice().GetAmount(), StartHour: hours[0], EndHour: hours[1]})
	}
	return opts, currency
}

// CreateSpace implements orderv1.BookingServiceServer.
func (s *Server) CreateSpace(ctx context.Context, req *orderv1.CreateSpaceRequest) (*orderv1.CreateSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	opts, currency := toDomainOptions(req.GetOptions())
	sp, err := s.app.CreateSpace(ctx, userID, domain.Space{
		Name: req.GetName(), District: req.GetDistrict(), Address: req.GetAddress(), MinPeople: int(req.GetMinPeople()),
		MaxPeople: int(req.GetMaxPeople()), Currency: currency, Category: req.GetCategory(), Facilities: req.GetFacilities(),
		Description: req.GetDescription(), ContactEmail: req.GetContactEmail(), Options: opts,
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.CreateSpaceResponse{Space: toProtoSpace(sp)}, nil
}

// UpdateSpace implements orderv1.BookingServiceServer.
func (s *Server) UpdateSpace(ctx context.Context, req *orderv1.UpdateSpaceRequest) (*orderv1.UpdateSpaceResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.UserID == "" {
		return nil, auth.ErrNoToken
	}
	e := app.SpaceEdit{
		Name: req.Name, District: req.District, Address: req.Address, Category: req.Category, Description: req.Description,
		MinPeople: intPtr(req.MinPeople), MaxPeople: intPtr(req.MaxPeople), Facilities: req.GetFacilities(),
		ContactEmail: req.ContactEmail,
	}
	e.Options, _ = toDomainOptions(req.GetOptions())
	sp, err := s.app.EditSpace(ctx, p.UserID, p.IsStaff(), req.GetSpace(), e)
	if err != nil {
		return nil, err
	}
	return &orderv1.UpdateSpaceResponse{Space: toProtoSpace(sp)}, nil
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// GetSpace implements orderv1.BookingServiceServer.
func (s *Server) GetSpace(ctx context.Context, req *orderv1.GetSpaceRequest) (*orderv1.GetSpaceResponse, error) {
	sp, err := s.app.Space(ctx, req.GetSpace(), viewer(ctx))
	if err != nil {
		return nil, err
	}
	return &orderv1.GetSpaceResponse{Space: toProtoSpace(sp)}, nil
}

// ListSpaces implements orderv1.BookingServiceServer.
func (s *Server) ListSpaces(ctx context.Context, req *orderv1.ListSpacesRequest) (*orderv1.ListSpacesResponse, error) {
	list, total, err := s.app.Spaces(ctx, domain.Search{
		District: req.GetDistrict(), Category: req.GetCategory(), People: int(req.GetPeople()), Date: req.GetDate(),
		Option: domain.Option(req.GetOption()), Sort: domain.Sort(req.GetSort()), Page: int(req.GetPage()), PageSize: int(req.GetPageSize()),
	}, viewer(ctx))
	if err != nil {
		return nil, err
	}
	resp := &orderv1.ListSpacesResponse{TotalCount: int32(total)}
	for _, sp := range list {
		resp.Spaces = append(resp.Spaces, toProtoSpace(sp))
	}
	return resp, nil
}

// GetSpaceAvailability implements orderv1.BookingServiceServer.
func (s *Server) GetSpaceAvailability(ctx context.Context, req *orderv1.GetSpaceAvailabilityRequest) (*orderv1.GetSpaceAvailabilityResponse, error) {
	days, err := s.app.Availability(ctx, req.GetSpace(), req.GetMonth())
	if err != nil {
		return nil, err
	}
	resp := &orderv1.GetSpaceAvailabilityResponse{}
	for _, d := range days {
		resp.Days = append(resp.Days, &orderv1.SpaceDay{Date: d.Date, Free: kinds(d.Free), Taken: kinds(d.Taken)})
	}
	return resp, nil
}

func kinds(os []domain.Option) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = string(o)
	}
	return out
}

// LikeSpace implements orderv1.BookingServiceServer.
func (s *Server) LikeSpace(ctx context.Context, req *orderv1.LikeSpaceRequest) (*orderv1.LikeSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.app.Like(ctx, userID, req.GetSpace(), true)
	if err != nil {
		return nil, err
	}
	return &orderv1.LikeSpaceResponse{LikeCount: int32(n)}, nil
}

// UnlikeSpace implements orderv1.BookingServiceServer.
func (s *Server) UnlikeSpace(ctx context.Context, req *orderv1.UnlikeSpaceRequest) (*orderv1.UnlikeSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.app.Like(ctx, userID, req.GetSpace(), false)
	if err != nil {
		return nil, err
	}
	return &orderv1.UnlikeSpaceResponse{LikeCount: int32(n)}, nil
}

// CreateBooking implements orderv1.BookingServiceServer.
func (s *Server) CreateBooking(ctx context.Context, req *orderv1.CreateBookingRequest) (*orderv1.CreateBookingResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	if req.GetSpace() == "" {
		return nil, errs.InvalidFields(errs.Field("space", "a space slug or id is required"))
	}
	b, err := s.app.Book(ctx, userID, domain.Request{
		Space: req.GetSpace(), Date: req.GetDate(), Option: req.GetOption(), People: int(req.GetPeople()), Note: req.GetNote(),
		Email: req.GetEmail(),
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.CreateBookingResponse{Booking: toProtoBooking(b)}, nil
}

// GetBooking implements orderv1.BookingServiceServer.
func (s *Server) GetBooking(ctx context.Context, req *orderv1.GetBookingRequest) (*orderv1.GetBookingResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.app.Booking(ctx, userID, req.GetId())
	if err != nil {
		return nil, err
	}
	return &orderv1.GetBookingResponse{Booking: toProtoBooking(b)}, nil
}

// ListMyBookings implements orderv1.BookingServiceServer.
func (s *Server) ListMyBookings(ctx context.Context, req *orderv1.ListMyBookingsRequest) (*orderv1.ListMyBookingsResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	list, total, err := s.app.Bookings(ctx, userID, int(req.GetPage()), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &orderv1.ListMyBookingsResponse{TotalCount: int32(total)}
	for _, b := range list {
		resp.Bookings = append(resp.Bookings, toProtoBooking(b))
	}
	return resp, nil
}

// ListHostedBookings implements orderv1.BookingServiceServer.
func (s *Server) ListHostedBookings(ctx context.Context, req *orderv1.ListHostedBookingsRequest) (*orderv1.ListHostedBookingsResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.UserID == "" {
		return nil, auth.ErrNoToken
	}
	list, total, err := s.app.HostedBookings(ctx, p.UserID, p.IsStaff(), req.GetSpace(), int(req.GetPage()), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &orderv1.ListHostedBookingsResponse{TotalCount: int32(total)}
	for _, b := range list {
		resp.Bookings = append(resp.Bookings, toProtoBooking(b))
	}
	return resp, nil
}

// PayBooking implements orderv1.BookingServiceServer.
func (s *Server) PayBooking(ctx context.Context, req *orderv1.PayBookingRequest) (*orderv1.PayBookingResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	md, _ := metadata.FromIncomingContext(ctx)
	key := ""
	if v := md.Get("idempotency-key"); len(v) > 0 {
		key = v[0]
	}
	if key == "" {
		return nil, errs.InvalidFields(errs.Field("Idempotency-Key", "the Idempotency-Key header is required"))
	}
	p, err := s.app.Pay(ctx, userID, req.GetId(), app.PaymentRequest{
		Provider: req.GetProvider(), ReturnURL: req.GetReturnUrl(), CancelURL: req.GetCancelUrl(), IdempotencyKey: "booking:" + key,
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.PayBookingResponse{Payment: p}, nil
}

// CancelBooking implements orderv1.BookingServiceServer.
func (s *Server) CancelBooking(ctx context.Context, req *orderv1.CancelBookingRequest) (*orderv1.CancelBookingResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.app.Cancel(ctx, userID, req.GetId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelBookingResponse{Booking: toProtoBooking(b)}, nil
}

func money(amount int64, currency string) *typev1.Money {
	return &typev1.Money{Amount: amount, Currency: currency}
}

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

func toProtoSpace(sp domain.Space) *orderv1.Space {
	out := &orderv1.Space{
		Id: sp.ID, Slug: sp.Slug, HostId: sp.HostID, Name: sp.Name, District: sp.District, Address: sp.Address,
		MinPeople: int32(sp.MinPeople), MaxPeople: int32(sp.MaxPeople), CreateTime: ts(sp.CreatedAt),
		Category: sp.Category, Facilities: sp.Facilities, Description: sp.Description,
		LikeCount: int32(sp.LikeCount), LikedByMe: sp.LikedByMe,
	}
	for _, o := range sp.Options {
		out.Options = append(out.Options, &orderv1.SpaceOption{
			Kind: string(o.Kind), Price: money(o.Price, sp.Currency), StartHour: int32(o.StartHour), EndHour: int32(o.EndHour),
		})
	}
	return out
}

func toProtoBooking(b domain.Booking) *orderv1.Booking {
	return &orderv1.Booking{
		Id: b.ID, Number: b.Number, SpaceId: b.SpaceID, SpaceName: b.SpaceName, UserId: b.UserID,
		Date: b.Date.Format(time.DateOnly), Option: string(b.Option), People: int32(b.People), Note: b.Note,
		Status: string(b.Status), StartTime: ts(b.Start), EndTime: ts(b.End), Price: money(b.Price, b.Currency),
		HoldUntil: ts(b.HoldUntil), PaymentId: b.PaymentID, Refunded: money(b.Refunded, b.Currency), CreateTime: ts(b.CreatedAt),
		Email: b.Email,
	}
}
