package domain

import (
	"cmp"
	"slices"
	"time"
)

// ReservationStatus is where a reservation is in its life.
type ReservationStatus string

// Reservation statuses.
const (
	ReservationActive    ReservationStatus = "active"
	ReservationCommitted ReservationStatus = "committed"
	ReservationReleased  ReservationStatus = "released"
)

// Reservation holds stock for one order; the order id identifies it, which
// makes every call about it idempotent.
type Reservation struct {
	OrderID   string
	Status    ReservationStatus
	Lines     []ReservationLine
	ExpiresAt time.Time
}

// ReservationLine holds units of one variant.
type ReservationLine struct {
	VariantID string
	Quantity  int64
}

// Reservation TTLs.
const (
	DefaultReservationTTL = 15 * time.Minute
	MaxReservationTTL     = 24 * time.Hour
)

// NormalizeLines merges lines of the same variant and sorts them by variant
// id, so concurrent reservations lock variant rows in one order and cannot
// deadlock, and a repeated request compares equal to the stored one.
func NormalizeLines(lines []ReservationLine) []ReservationLine {
	sum := map[string]int64{}
	for _, l := range lines {
		sum[l.VariantID] += l.Quantity
	}
	out := make([]ReservationLine, 0, len(sum))
	for id, q := range sum {
		out = append(out, ReservationLine{VariantID: id, Quantity: q})
	}
	slices.SortFunc(out, func(a, b ReservationLine) int { return cmp.Compare(a.VariantID, b.VariantID) })
	return out
}

// StockChange is a movement of one variant's stock, published as catalog.stock_changed.
type StockChange struct {
	VariantID string
	ProductID string
	Reason    StockReason
	Delta     int64
	Stock     int64
	OrderID   string
}

// StockReason says why stock moved.
type StockReason int

// Stock reasons.
const (
	StockReserved StockReason = iota + 1
	StockReleased
	StockAdjusted
)

// VariantDetail is what a cart needs to show and price a variant.
type VariantDetail struct {
	Variant
	ProductSlug string
	ProductName string
	ImageURL    string
	UnitPrice   Money
	Available   bool
}
