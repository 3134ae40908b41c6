package order

import (
	"context"

	"google.golang.org/grpc"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/order/internal/clients"
	marketapp "github.com/jangteo/jangteo/services/order/internal/market/app"
	marketclients "github.com/jangteo/jangteo/services/order/internal/market/clients"
	marketdomain "github.com/jangteo/jangteo/services/order/internal/market/domain"
	marketapi "github.com/jangteo/jangteo/services/order/internal/market/grpcapi"
	marketstore "github.com/jangteo/jangteo/services/order/internal/market/store"
	marketsubs "github.com/jangteo/jangteo/services/order/internal/market/subscribers"
	markettimers "github.com/jangteo/jangteo/services/order/internal/market/timers"
	"github.com/jangteo/jangteo/services/order/internal/timers"
)

// registerMarket adds the resale market beside the orders: its gRPC API,
// its offer expiry timer and the consumers that settle trades from their
// orders' events.
func (s *Service) registerMarket(catalogConn *grpc.ClientConn, cfg Config) error {
	m := cfg.Market
	// Each hot variant's matcher holds one connection while its batch commits.
	matching, err := s.rt.SiblingPool(matchingConns)
	if err != nil {
		return err
	}
	a := marketapp.New(marketapp.Deps{
		Store:       marketstore.New(s.rt.Pool),
		Catalog:     clients.NewCatalog(catalogv1.NewCatalogServiceClient(catalogConn)),
		Products:    marketclients.NewProducts(catalogv1.NewCatalogServiceClient(catalogConn)),
		OfferTimers: markettimers.New(s.rt.Jobs),
		OrderTimers: timers.New(s.rt.Jobs),
		Matching:    matching,
	}, marketapp.Config{
		Fees: marketdomain.Fees{
			SellerBP: m.SellerFeeBP, SellerMinimum: m.SellerFeeMinimum, BuyerBP: m.BuyerFeeBP,
			PenaltyBP: m.PenaltyBP, PenaltyMinimum: m.PenaltyMinimum,
		},
		PaymentWindow: cfg.PaymentWindow,
	}, s.rt.Log.Named("market"))
	orderv1.RegisterMarketServiceServer(s.rt.GRPC, marketapi.New(a))
	// Placements are decided in batches by the variant's matcher, outside the
	// key's transaction: each offer's id is derived from the key.
	s.rt.Keys.RunOutside(orderv1.MarketService_PlaceAsk_FullMethodName, orderv1.MarketService_PlaceBid_FullMethodName,
		orderv1.MarketService_BuyNow_FullMethodName, orderv1.MarketService_SellNow_FullMethodName)
	// An offer that traded or was cancelled meanwhile is left alone.
	service.Work(s.rt, func(ctx context.Context, j markettimers.ExpireArgs) error { return a.Expire(ctx, j.OfferID) })
	h := marketsubs.New(a)
	s.rt.Consume(marketsubs.OrderPaidConsumer, h.OrderPaid)
	s.rt.Consume(marketsubs.OrderCancelledConsumer, h.OrderCancelled)
	return nil
}

// matchingConns bounds the market's matcher transactions running at once
// (one per variant deciding a batch).
const matchingConns = 8
