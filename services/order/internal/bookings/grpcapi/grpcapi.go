// Package grpcapi serves bookings over gRPC: proto ⇄ domain and the
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

func toProtoBooking(b domain.Booking) *orderv1.Booking {
	return &orderv1.Booking{
		Id: b.ID, Number: b.Number, SpaceId: b.SpaceID, SpaceName: b.SpaceName, UserId: b.UserID,
		Date: b.Date.Format(time.DateOnly), Option: string(b.Option), People: int32(b.People), Note: b.Note,
		Status: string(b.Status), StartTime: ts(b.Start), EndTime: ts(b.End), Price: money(b.Price, b.Currency),
		HoldUntil: ts(b.HoldUntil), PaymentId: b.PaymentID, Refunded: money(b.Refunded, b.Currency), CreateTime: ts(b.CreatedAt),
		Email: b.Email, SpaceSlug: b.SpaceSlug, HostId: b.HostID,
	}
}
