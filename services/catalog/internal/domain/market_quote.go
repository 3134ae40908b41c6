package domain

import "time"

// MarketQuote is a variant's best prices on the resale market as the catalog
// last heard them from the market's quote events.
type MarketQuote struct {
	VariantID string
	// BuyNow is the lowest ask, SellNow the highest bid; nil when none stands.
	BuyNow, SellNow *Money
	// Version orders the variant's quote events: a quote older than the
	// stored one is ignored.
	Version   int64
	UpdatedAt time.Time
}
