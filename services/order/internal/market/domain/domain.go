// Package domain holds the resale market's entities and rules: asks and bids
// (offers), the trades they make, fees and the ledger, and the sentinel
// errors the market's use cases return. It knows neither protobuf nor SQL.
package domain

import (
	"fmt"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
)

// OrderKind is the kind of the order a trade's buyer pays.
const OrderKind = "market"

// Side is ask (sell) or bid (buy).
type Side string

// The sides of an offer.
const (
	Ask Side = "ask"
	Bid Side = "bid"
)

// Opposite is the side an offer trades against.
func (s Side) Opposite() Side {
	if s == Ask {
		return Bid
	}
	return Ask
}

// OfferStatus is where an offer is.
type OfferStatus string

// The statuses of an offer.
const (
	OfferOpen      OfferStatus = "open"
	OfferMatched   OfferStatus = "matched"
	OfferCancelled OfferStatus = "cancelled"
	OfferExpired   OfferStatus = "expired"
	OfferVoided    OfferStatus = "voided"
)

// TradeStatus is where a trade is.
type TradeStatus string

// The statuses of a trade.
const (
	TradePendingPayment TradeStatus = "pending_payment"
	TradePaid           TradeStatus = "paid" // awaiting the seller's shipment to inspection
	TradeShipped        TradeStatus = "shipped_to_inspection"
	TradeAtInspection   TradeStatus = "at_inspection"
	TradeVoided         TradeStatus = "voided"
	TradePassed         TradeStatus = "inspection_passed"
	TradeFailed         TradeStatus = "inspection_failed"
)

// Known says whether s is one of the statuses above.
func (s TradeStatus) Known() bool {
	switch s {
	case TradePendingPayment, TradePaid, TradeShipped, TradeAtInspection, TradeVoided, TradePassed, TradeFailed:
		return true
	}
	return false
}

// ExpiryDays are the lifetimes an offer may ask for.
var ExpiryDays = []int32{1, 3, 7, 14, 30}

// Offer is an ask or a bid for one unit of a variant.
type Offer struct {
	ID        string
	Side      Side
	UserID    string
	VariantID string
	Price     int64
	Currency  string
	Status    OfferStatus
	TradeID   string
	ExpiresAt time.Time
	CreatedAt time.Time
	// Shipping is a bid's delivery address (zero for asks and for bids
	// placed before addresses were taken).
	Shipping orderdomain.Shipping
}

// Crosses says whether a standing offer trades with an incoming one at price.
func (standing Offer) Crosses(incoming Side, price int64) bool {
	if incoming == Bid {
		return standing.Price <= price
	}
	return standing.Price >= price
}

// Trade is an ask and a bid that met at the standing offer's price.
type Trade struct {
	ID          string
	VariantID   string
	AskID       string
	BidID       string
	SellerID    string
	BuyerID     string
	Price       int64
	Currency    string
	BuyerFee    int64
	SellerFee   int64
	OrderID     string
	OrderNumber string
	Status      TradeStatus
	CreatedAt   time.Time
	// DeliverTo is the buyer's delivery address (the order's shipping); the
	// seller never sees it.
	DeliverTo orderdomain.Shipping
	Shipment
}

// Shipment is the item's way: from the seller to inspection (carrier and
// tracking number, when it left and arrived) and, once it passed, to the buyer.
type Shipment struct {
	InspectionCarrier, InspectionTracking string
	ShippedAt, ReceivedAt                 time.Time // zero until then
	DeliveryCarrier, DeliveryTracking     string
}

// Payout is what the seller is owed.
func (t Trade) Payout() int64 { return t.Price - t.SellerFee }

// Fees are the market's charges: the seller's a percentage with a minimum
// (never more than the price), the buyer's a percentage; a penalty for a
// buyer who does not pay is a percentage of the price with a minimum.
type Fees struct {
	SellerBP, BuyerBP, PenaltyBP  int
	SellerMinimum, PenaltyMinimum int64
}

// percent is amount × bp / 10000 rounded half up.
func percent(amount int64, bp int) int64 { return (amount*int64(bp) + 5000) / 10000 }

// Seller is the seller's fee on price.
func (f Fees) Seller(price int64) int64 {
	return min(max(percent(price, f.SellerBP), f.SellerMinimum), price)
}

// Buyer is the buyer's fee on price.
func (f Fees) Buyer(price int64) int64 { return percent(price, f.BuyerBP) }

// Penalty is what a buyer who lets a trade lapse is charged.
func (f Fees) Penalty(price int64) int64 { return max(percent(price, f.PenaltyBP), f.PenaltyMinimum) }

// ExplainSeller spells out the seller's fee rule for a price.
func (f Fees) ExplainSeller(price int64) string {
	return fmt.Sprintf("seller fee %d.%02d%% of %d, at least %d: %d; payout %d",
		f.SellerBP/100, f.SellerBP%100, price, f.SellerMinimum, f.Seller(price), price-f.Seller(price))
}

// LedgerKind says what a ledger entry records.
type LedgerKind string

// The kinds of ledger entries.
const (
	LedgerBuyerFee  LedgerKind = "buyer_fee"
	LedgerSellerFee LedgerKind = "seller_fee"
	LedgerPayout    LedgerKind = "payout"
	LedgerPenalty   LedgerKind = "penalty"
)

// LedgerEntry is one fee, payout or penalty of a user on a trade.
type LedgerEntry struct {
	ID        string
	UserID    string
	TradeID   string
	Kind      LedgerKind
	Amount    int64
	Currency  string
	Reason    string
	CreatedAt time.Time
}

// Sentinel errors of the market.
var (
	ErrOfferNotFound   = errs.New(errs.NotFound, "OFFER_NOT_FOUND", "offer not found")
	ErrOfferNotOpen    = errs.New(errs.Conflict, "OFFER_NOT_OPEN", "the offer is no longer in the book")
	ErrSelfTrade       = errs.New(errs.Conflict, "SELF_TRADE", "the offer would trade with your own offer")
	ErrPriceMoved      = errs.New(errs.Conflict, "PRICE_MOVED", "the best price is no longer the expected one")
	ErrNoOffer         = errs.New(errs.Conflict, "NO_OFFER", "nothing stands on the other side of the book")
	ErrVariantNotFound = errs.New(errs.NotFound, "VARIANT_NOT_FOUND", "variant not found")
	ErrTradeNotFound   = errs.New(errs.NotFound, "TRADE_NOT_FOUND", "trade not found")
	ErrTradeState      = errs.New(errs.Conflict, "TRADE_STATE_CONFLICT", "the trade cannot change that way now")
)

// ErrProductNotFound is a public market page of an unknown product.
var ErrProductNotFound = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")

// Quote is a variant's market: best prices (0: none), counts and last trade.
type Quote struct {
	VariantID             string
	LowestAsk, HighestBid int64
	AskCount, BidCount    int32
	LastPrice             int64
	LastTradeAt           time.Time
}

// PublicTrade is a trade as the public sees it.
type PublicTrade struct {
	VariantID string
	Price     int64
	Currency  string
	At        time.Time
}

// Candle is the trades of one interval.
type Candle struct {
	Start                  time.Time
	Open, High, Low, Close int64
	Currency               string
	Volume                 int32
}
