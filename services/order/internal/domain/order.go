// Package domain holds the order service's entities and rules: the order, its
// lines and amounts, its life cycle and the sentinel errors use cases return.
// It knows neither protobuf nor SQL.
package domain

import (
	"crypto/rand"
	"fmt"
	"time"
)

// Status is where an order is in its life.
type Status string

// The statuses of an order (see the README's diagram).
const (
	StatusPendingPayment    Status = "pending_payment"
	StatusPaid              Status = "paid"
	StatusPreparing         Status = "preparing"
	StatusShipped           Status = "shipped"
	StatusDelivered         Status = "delivered"
	StatusCompleted         Status = "completed"
	StatusCancelled         Status = "cancelled"
	StatusRefunded          Status = "refunded"
	StatusPartiallyRefunded Status = "partially_refunded"
)

// Cancellable lists the statuses a buyer may cancel from: before shipping.
var Cancellable = []Status{StatusPendingPayment, StatusPaid, StatusPreparing}

// Refundable lists the statuses staff may refund from: money was taken and
// not all of it given back.
var Refundable = []Status{StatusPaid, StatusPreparing, StatusShipped, StatusDelivered, StatusCompleted, StatusPartiallyRefunded, StatusCancelled}

// advances says which status staff may move an order to from which.
var advances = map[Status]Status{
	StatusPreparing: StatusPaid,
	StatusShipped:   StatusPreparing,
	StatusDelivered: StatusShipped,
	StatusCompleted: StatusDelivered,
}

// AdvanceFrom returns the status an order must be in to be advanced to to.
func AdvanceFrom(to Status) (Status, bool) {
	from, ok := advances[to]
	return from, ok
}

// KindGoods is an order of shipped goods from a cart.
const KindGoods = "goods"

// Money is an amount in minor units of a currency.
type Money struct {
	Amount   int64
	Currency string
}

// Shipping is who receives the order and where.
type Shipping struct {
	Name, Phone, Email, Line1, Line2, PostalCode, City, Country, Note string
}

// Line is one product line as it was at checkout.
type Line struct {
	Number           int32
	ProductID        string
	VariantID        string
	ProductName      string
	ProductSlug      string
	SKU              string
	Options          map[string]string
	UnitPrice        int64
	Quantity         int32
	RefundedQuantity int32
}

// Total is unit price × quantity.
func (l Line) Total() int64 { return l.UnitPrice * int64(l.Quantity) }

// Amounts are an order's totals, all in Currency.
type Amounts struct {
	Currency    string
	Subtotal    int64
	Tax         int64
	ShippingFee int64
	GrandTotal  int64
}

// Event is one status change in an order's history.
type Event struct {
	At    time.Time
	Actor string
	From  Status // empty for the creation
	To    Status
	Note  string
}

// Order is a buyer's order.
type Order struct {
	ID             string
	Number         string
	UserID         string
	CartID         string
	Kind           string
	Status         Status
	Lines          []Line
	Amounts        Amounts
	RefundedAmount int64
	Shipping       Shipping
	PayableUntil   time.Time
	PaymentID      string
	Carrier        string
	TrackingNumber string
	History        []Event
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PaidAt         time.Time
}

// ItemCount is the number of units over all lines.
func (o Order) ItemCount() int32 {
	var n int32
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// Refundable is how much of what was paid can still be given back.
func (o Order) Refundable() int64 {
	if o.PaymentID == "" {
		return 0
	}
	return o.Amounts.GrandTotal - o.RefundedAmount
}

// Summary names the order for a payment page or a mail subject:
// "Runner" or "Runner 외 2건" ("and 2 more").
func (o Order) Summary() string {
	if len(o.Lines) == 0 {
		return o.Number
	}
	if len(o.Lines) == 1 {
		return o.Lines[0].ProductName
	}
	return fmt.Sprintf("%s 외 %d건", o.Lines[0].ProductName, len(o.Lines)-1)
}

// Actors recorded in the history.
const (
	ActorBuyer   = "buyer"
	ActorPayment = "payment"
	ActorSystem  = "system"
)

// StaffActor names a staff member in the history.
func StaffActor(userID string) string { return "staff:" + userID }

// Pricing is how checkout computes the amounts.
type Pricing struct {
	// TaxRateBP is the tax rate in basis points, as the cart applies it.
	TaxRateBP int
	// ShippingFee is the flat fee in minor units.
	ShippingFee int64
	// FreeShippingFrom waives the fee when the subtotal reaches it; 0 never waives.
	FreeShippingFrom int64
}

// Tax is amount × basisPoints / 10000 rounded half up to a whole minor unit,
// exactly as the cart shows it.
func Tax(amount int64, basisPoints int) int64 {
	return (amount*int64(basisPoints) + 5000) / 10000
}

// Price computes the amounts of lines in currency.
func (p Pricing) Price(lines []Line, currency string) Amounts {
	a := Amounts{Currency: currency}
	for _, l := range lines {
		a.Subtotal += l.Total()
	}
	a.Tax = Tax(a.Subtotal, p.TaxRateBP)
	if p.FreeShippingFrom <= 0 || a.Subtotal < p.FreeShippingFrom {
		a.ShippingFee = p.ShippingFee
	}
	a.GrandTotal = a.Subtotal + a.Tax + a.ShippingFee
	return a
}

// numberAlphabet is Crockford's base 32: no I, L, O or U to misread.
const numberAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewNumber returns a human-readable order number for an order placed at t:
// "JT-" + YYMMDD (UTC) + "-" + five random characters, e.g. JT-261201-7K3QF.
// 32⁵ ≈ 33.5 million numbers a day; the store's unique index catches the rare
// clash and checkout draws again.
func NewNumber(t time.Time) string { return Number("JT-", t) }

// DrawNumber gives o a new number (NewNumber at its creation time): the
// first draw, and again when the store finds it taken.
func (o *Order) DrawNumber() { o.Number = NewNumber(o.CreatedAt) }

// Number draws a readable number for something placed at t: prefix + YYMMDD
// (UTC) + "-" + five random characters of Crockford's base 32 (bookings use
// it with their own prefix).
func Number(prefix string, t time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = numberAlphabet[int(b[i])%len(numberAlphabet)]
	}
	return prefix + t.UTC().Format("060102") + "-" + string(b[:])
}
