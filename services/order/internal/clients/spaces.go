package clients

import (
	"context"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/errs"
	bookings "github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Spaces is space rental's bookingapp.Spaces over the catalog's SpaceService
// (GetBookableSpace, an internal RPC: the connection carries the order
// service's identity).
type Spaces struct {
	api catalogv1.SpaceServiceClient
}

// NewSpaces returns the catalog client of space rental.
func NewSpaces(api catalogv1.SpaceServiceClient) *Spaces { return &Spaces{api: api} }

// Bookable implements bookingapp.Spaces; the catalog's client-facing errors
// (SPACE_NOT_FOUND, a date or option that does not fit) pass through.
func (s *Spaces) Bookable(ctx context.Context, key, date, option string) (bookings.Space, error) {
	resp, err := s.api.GetBookableSpace(ctx, &catalogv1.GetBookableSpaceRequest{Space: key, Date: date, Option: option})
	if err != nil {
		if _, clientFacing := errs.ToStatus(err); clientFacing && reason(err) != "" {
			return bookings.Space{}, err
		}
		return bookings.Space{}, unavailable(err, domain.ErrCatalogDown, "catalog: bookable space")
	}
	return bookings.Space{
		ID: resp.GetId(), Slug: resp.GetSlug(), Name: resp.GetName(), HostID: resp.GetHostId(), ContactEmail: resp.GetContactEmail(),
		MinPeople: int(resp.GetMinPeople()), MaxPeople: int(resp.GetMaxPeople()),
		Currency: resp.GetOption().GetPrice().GetCurrency(), Price: resp.GetOption().GetPrice().GetAmount(),
		Start: resp.GetStartTime().AsTime(), End: resp.GetEndTime().AsTime(),
	}, nil
}
