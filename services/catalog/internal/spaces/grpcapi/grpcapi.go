// Package grpcapi serves spaces over gRPC: proto ⇄ domain and the
// caller from the access policy; the use cases do the rest.
package grpcapi

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/app"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/domain"
)

// Server implements catalogv1.SpaceServiceServer.
type Server struct {
	catalogv1.UnimplementedSpaceServiceServer
	app *app.App
}

// New returns the gRPC server of the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// viewer is the caller if signed in, else "".
func viewer(ctx context.Context) string {
	p, _ := auth.FromContext(ctx)
	return p.UserID
}

func toDomainOptions(in []*catalogv1.SpaceOptionInput) (opts []domain.SpaceOption, currency string) {
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

// CreateSpace implements catalogv1.SpaceServiceServer.
func (s *Server) CreateSpace(ctx context.Context, req *catalogv1.CreateSpaceRequest) (*catalogv1.CreateSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	opts, currency := toDomainOptions(req.GetOptions())
	sp, err := s.app.CreateSpace(ctx, userID, domain.Space{
		Name: req.GetName(), District: req.GetDistrict(), Address: req.GetAddress(), MinPeople: int(req.GetMinPeople()),
		MaxPeople: int(req.GetMaxPeople()), Currency: currency, Category: req.GetCategory(), Facilities: req.GetFacilities(),
		Description: req.GetDescription(), ContactEmail: req.GetContactEmail(), Options: opts,
		Latitude: req.Latitude, Longitude: req.Longitude,
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateSpaceResponse{Space: toProtoSpace(sp)}, nil
}

// UpdateSpace implements catalogv1.SpaceServiceServer.
func (s *Server) UpdateSpace(ctx context.Context, req *catalogv1.UpdateSpaceRequest) (*catalogv1.UpdateSpaceResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.UserID == "" {
		return nil, auth.ErrNoToken
	}
	e := app.SpaceEdit{
		Name: req.Name, District: req.District, Address: req.Address, Category: req.Category, Description: req.Description,
		MinPeople: intPtr(req.MinPeople), MaxPeople: intPtr(req.MaxPeople), Facilities: req.GetFacilities(),
		ContactEmail: req.ContactEmail, Latitude: req.Latitude, Longitude: req.Longitude,
	}
	e.Options, _ = toDomainOptions(req.GetOptions())
	sp, err := s.app.EditSpace(ctx, p.UserID, p.IsStaff(), req.GetSpace(), e)
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateSpaceResponse{Space: toProtoSpace(sp)}, nil
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// GetSpace implements catalogv1.SpaceServiceServer.
func (s *Server) GetSpace(ctx context.Context, req *catalogv1.GetSpaceRequest) (*catalogv1.GetSpaceResponse, error) {
	sp, err := s.app.Space(ctx, req.GetSpace(), viewer(ctx))
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetSpaceResponse{Space: toProtoSpace(sp)}, nil
}

// ListSpaces implements catalogv1.SpaceServiceServer.
func (s *Server) ListSpaces(ctx context.Context, req *catalogv1.ListSpacesRequest) (*catalogv1.ListSpacesResponse, error) {
	list, total, err := s.app.Spaces(ctx, domain.Search{
		District: req.GetDistrict(), Category: req.GetCategory(), People: int(req.GetPeople()), Date: req.GetDate(),
		Option: domain.Option(req.GetOption()), Sort: domain.Sort(req.GetSort()), Page: int(req.GetPage()), PageSize: int(req.GetPageSize()),
	}, viewer(ctx))
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListSpacesResponse{TotalCount: int32(total)}
	for _, sp := range list {
		resp.Spaces = append(resp.Spaces, toProtoSpace(sp))
	}
	return resp, nil
}

// GetSpaceAvailability implements catalogv1.SpaceServiceServer.
func (s *Server) GetSpaceAvailability(ctx context.Context, req *catalogv1.GetSpaceAvailabilityRequest) (*catalogv1.GetSpaceAvailabilityResponse, error) {
	days, err := s.app.Availability(ctx, req.GetSpace(), req.GetMonth())
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.GetSpaceAvailabilityResponse{}
	for _, d := range days {
		resp.Days = append(resp.Days, &catalogv1.SpaceDay{Date: d.Date, Free: kinds(d.Free), Taken: kinds(d.Taken)})
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

// LikeSpace implements catalogv1.SpaceServiceServer.
func (s *Server) LikeSpace(ctx context.Context, req *catalogv1.LikeSpaceRequest) (*catalogv1.LikeSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.app.Like(ctx, userID, req.GetSpace(), true)
	if err != nil {
		return nil, err
	}
	return &catalogv1.LikeSpaceResponse{LikeCount: int32(n)}, nil
}

// UnlikeSpace implements catalogv1.SpaceServiceServer.
func (s *Server) UnlikeSpace(ctx context.Context, req *catalogv1.UnlikeSpaceRequest) (*catalogv1.UnlikeSpaceResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.app.Like(ctx, userID, req.GetSpace(), false)
	if err != nil {
		return nil, err
	}
	return &catalogv1.UnlikeSpaceResponse{LikeCount: int32(n)}, nil
}

func money(amount int64, currency string) *typev1.Money {
	return &typev1.Money{Amount: amount, Currency: currency}
}

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

func toProtoSpace(sp domain.Space) *catalogv1.Space {
	out := &catalogv1.Space{
		Id: sp.ID, Slug: sp.Slug, HostId: sp.HostID, Name: sp.Name, District: sp.District, Address: sp.Address,
		MinPeople: int32(sp.MinPeople), MaxPeople: int32(sp.MaxPeople), CreateTime: ts(sp.CreatedAt),
		Category: sp.Category, Facilities: sp.Facilities, Description: sp.Description,
		LikeCount: int32(sp.LikeCount), LikedByMe: sp.LikedByMe, Latitude: sp.Latitude, Longitude: sp.Longitude,
		ImageUrls: sp.ImageURLs,
	}
	for _, o := range sp.Options {
		out.Options = append(out.Options, toProtoOption(o, sp.Currency))
	}
	return out
}

func toProtoOption(o domain.SpaceOption, currency string) *catalogv1.SpaceOption {
	return &catalogv1.SpaceOption{
		Kind: string(o.Kind), Price: money(o.Price, currency), StartHour: int32(o.StartHour), EndHour: int32(o.EndHour),
	}
}

// UploadSpaceImage implements catalogv1.SpaceServiceServer.
func (s *Server) UploadSpaceImage(ctx context.Context, req *catalogv1.UploadSpaceImageRequest) (*catalogv1.UploadSpaceImageResponse, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.UserID == "" {
		return nil, auth.ErrNoToken
	}
	url, sp, err := s.app.UploadImage(ctx, p.UserID, p.IsStaff(), req.GetSpace(), req.GetContentType(), req.GetData())
	if err != nil {
		return nil, err
	}
	return &catalogv1.UploadSpaceImageResponse{Url: url, Space: toProtoSpace(sp)}, nil
}

// GetBookableSpace implements catalogv1.SpaceServiceServer.
func (s *Server) GetBookableSpace(ctx context.Context, req *catalogv1.GetBookableSpaceRequest) (*catalogv1.GetBookableSpaceResponse, error) {
	b, err := s.app.Bookable(ctx, req.GetSpace(), req.GetDate(), domain.Option(req.GetOption()))
	if err != nil {
		return nil, err
	}
	sp := b.Space
	resp := &catalogv1.GetBookableSpaceResponse{
		Id: sp.ID, Slug: sp.Slug, Name: sp.Name, HostId: sp.HostID, ContactEmail: sp.ContactEmail,
		MinPeople: int32(sp.MinPeople), MaxPeople: int32(sp.MaxPeople),
	}
	if b.Option != nil {
		resp.Option, resp.StartTime, resp.EndTime = toProtoOption(*b.Option, sp.Currency), ts(b.Start), ts(b.End)
	}
	return resp, nil
}
