// Package events defines what the market publishes, on the order service's
// stream (subjects under order.market.): a trade executed and a variant's
// quote changed, written to the outbox in the use case's transaction. It
// also holds the proto form of the market's resources, shared with grpcapi.
package events

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	ordergrpc "github.com/jangteo/jangteo/services/order/internal/grpcapi"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Subjects the market publishes on (stream ORDER).
const (
	SubjectTradeExecuted = "order.market.trade_executed"
	SubjectQuoteChanged  = "order.market.quote_changed"
)

// TradeExecuted announces a trade, for events.EnqueueAll.
func TradeExecuted(ctx context.Context, t domain.Trade) events.Pending {
	return events.Pending{Ctx: ctx, Subject: SubjectTradeExecuted, Msg: &orderv1.TradeExecuted{
		Trade: Trade(t, ""), BuyerId: t.BuyerID, SellerId: t.SellerID,
	}}
}

// QuoteChanged announces the variant's best prices as they are in tx. The
// variant is the event's aggregate, so its quotes carry a sequence in commit
// order (the catalog's projection keeps the highest); callers hold the
// variant's lock, so no two quotes of a variant are computed at once.
func QuoteChanged(ctx context.Context, tx postgres.DB, q store.Quote, variantID string) error {
	ev := &orderv1.QuoteChanged{VariantId: variantID}
	if q.LowestAsk > 0 {
		ev.LowestAsk = Money(q.LowestAsk, q.Currency)
	}
	if q.HighestBid > 0 {
		ev.HighestBid = Money(q.HighestBid, q.Currency)
	}
	_, err := events.Enqueue(ctx, tx, SubjectQuoteChanged, ev, events.Aggregate(variantID))
	return err
}

// Money is an amount in the API's form.
func Money(amount int64, currency string) *typev1.Money {
	return &typev1.Money{Amount: amount, Currency: currency}
}

var sides = map[domain.Side]orderv1.OfferSide{domain.Ask: orderv1.OfferSide_OFFER_SIDE_ASK, domain.Bid: orderv1.OfferSide_OFFER_SIDE_BID}

var offerStatuses = map[domain.OfferStatus]orderv1.OfferStatus{
	domain.OfferOpen: orderv1.OfferStatus_OFFER_STATUS_OPEN, domain.OfferMatched: orderv1.OfferStatus_OFFER_STATUS_MATCHED,
	domain.OfferCancelled: orderv1.OfferStatus_OFFER_STATUS_CANCELLED, domain.OfferExpired: orderv1.OfferStatus_OFFER_STATUS_EXPIRED,
	domain.OfferVoided: orderv1.OfferStatus_OFFER_STATUS_VOIDED,
}

var tradeStatuses = map[domain.TradeStatus]orderv1.TradeStatus{
	domain.TradePendingPayment: orderv1.TradeStatus_TRADE_STATUS_PENDING_PAYMENT,
	domain.TradePaid:           orderv1.TradeStatus_TRADE_STATUS_PAID, domain.TradeVoided: orderv1.TradeStatus_TRADE_STATUS_VOIDED,
	domain.TradeShipped:      orderv1.TradeStatus_TRADE_STATUS_SHIPPED_TO_INSPECTION,
	domain.TradeAtInspection: orderv1.TradeStatus_TRADE_STATUS_AT_INSPECTION,
	domain.TradePassed:       orderv1.TradeStatus_TRADE_STATUS_INSPECTION_PASSED, domain.TradeFailed: orderv1.TradeStatus_TRADE_STATUS_INSPECTION_FAILED,
}

var ledgerKinds = map[domain.LedgerKind]orderv1.LedgerEntryKind{
	domain.LedgerBuyerFee: orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_BUYER_FEE, domain.LedgerSellerFee: orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_SELLER_FEE,
	domain.LedgerPayout: orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PAYOUT, domain.LedgerPenalty: orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PENALTY,
}

// Offer converts an offer.
func Offer(o domain.Offer) *orderv1.Offer {
	return &orderv1.Offer{
		Id: o.ID, Side: sides[o.Side], VariantId: o.VariantID, UserId: o.UserID, Price: Money(o.Price, o.Currency),
		Status: offerStatuses[o.Status], TradeId: o.TradeID,
		ExpireTime: timestamppb.New(o.ExpiresAt), CreateTime: timestamppb.New(o.CreatedAt),
	}
}

// Staff is the viewer of a trade in staff's routes: the order number and the
// buyer's delivery address, which the item ships to after inspection.
const Staff = "staff:"

// Trade converts a trade as userID sees it: the buyer sees the order number,
// the delivery address and the side bid, the seller the side ask and never
// the buyer's address or phone; Staff sees the order number and address;
// "" is neither (events, which carry no address either).
func Trade(t domain.Trade, userID string) *orderv1.Trade {
	out := &orderv1.Trade{
		Id: t.ID, VariantId: t.VariantID, Price: Money(t.Price, t.Currency), BuyerFee: Money(t.BuyerFee, t.Currency),
		SellerFee: Money(t.SellerFee, t.Currency), SellerPayout: Money(t.Payout(), t.Currency),
		AskId: t.AskID, BidId: t.BidID, Status: tradeStatuses[t.Status], CreateTime: timestamppb.New(t.CreatedAt),
		InspectionCarrier: t.InspectionCarrier, InspectionTrackingNumber: t.InspectionTracking,
		DeliveryCarrier: t.DeliveryCarrier, DeliveryTrackingNumber: t.DeliveryTracking,
	}
	if !t.ShippedAt.IsZero() {
		out.ShipTime = timestamppb.New(t.ShippedAt)
	}
	if !t.ReceivedAt.IsZero() {
		out.ReceiveTime = timestamppb.New(t.ReceivedAt)
	}
	deliverTo := false
	switch userID {
	case t.BuyerID:
		out.Side, out.OrderNumber, deliverTo = orderv1.OfferSide_OFFER_SIDE_BID, t.OrderNumber, true
	case t.SellerID:
		out.Side = orderv1.OfferSide_OFFER_SIDE_ASK
	case Staff:
		out.OrderNumber, deliverTo = t.OrderNumber, true
	case "":
		out.OrderNumber = t.OrderNumber
	}
	if deliverTo && t.DeliverTo != (orderdomain.Shipping{}) {
		out.Shipping = ordergrpc.ShippingToProto(t.DeliverTo)
	}
	return out
}

// LedgerEntry converts a ledger entry.
func LedgerEntry(e domain.LedgerEntry) *orderv1.LedgerEntry {
	return &orderv1.LedgerEntry{
		Id: e.ID, Kind: ledgerKinds[e.Kind], Amount: Money(e.Amount, e.Currency), TradeId: e.TradeID,
		Reason: e.Reason, CreateTime: timestamppb.New(e.CreatedAt),
	}
}
