package catalog

import (
	"github.com/jackc/pgx/v5"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/platform/service"
	spacesapp "github.com/jangteo/jangteo/services/catalog/internal/spaces/app"
	spacesevents "github.com/jangteo/jangteo/services/catalog/internal/spaces/events"
	spacesgrpc "github.com/jangteo/jangteo/services/catalog/internal/spaces/grpcapi"
)

// registerSpaces serves the SpaceService and keeps the availability
// projection from the order service's booking events.
func registerSpaces(rt *service.Runtime, pics images.Store) *spacesapp.App {
	a := spacesapp.New(rt.Pool, pics)
	catalogv1.RegisterSpaceServiceServer(rt.GRPC, spacesgrpc.New(a))
	rt.Consume(spacesevents.BookingSlotsConsumer, spacesevents.BookingSlots(func(tx pgx.Tx) spacesevents.SlotRecorder {
		return a.WithTx(tx)
	}))
	return a
}
