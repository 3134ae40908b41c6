package domain

// LineStatus says whether a line can be bought as it is.
type LineStatus int

// Line statuses, from best to worst.
const (
	LineOK LineStatus = iota + 1
	LineInsufficientStock
	LineOutOfStock
	LineUnavailable
	LineUnpriced
)

// PricedLine is a line with the catalog's current facts.
type PricedLine struct {
	Line
	SKU               string
	UnitPrice         Money
	LineTotal         Money
	Status            LineStatus
	AvailableQuantity int64
}

// PricedCart is a cart priced now. Totals cover the LineOK lines only.
type PricedCart struct {
	Cart
	Lines         []PricedLine
	ItemCount     int64
	TaxRateBP     int
	Subtotal      Money
	Tax           Money
	GrandTotal    Money
	Priced        bool
	CheckoutReady bool
}

// Tax is amount × basisPoints / 10000 rounded half up to a whole minor unit
// (₩1 for KRW): 2 % of ₩12,345 is ₩246.9 → ₩247; of ₩12,325 is ₩246.5 → ₩247.
func Tax(amount int64, basisPoints int) int64 {
	return (amount*int64(basisPoints) + 5000) / 10000
}

// Price prices c with the catalog's variants (keyed by id) at taxBP basis
// points. A variant missing from variants has left the catalog.
func Price(c Cart, variants map[string]Variant, taxBP int) PricedCart {
	out := PricedCart{Cart: c, ItemCount: c.ItemCount(), TaxRateBP: taxBP, Priced: true}
	currency := ""
	var subtotal int64
	ready := len(c.Lines) > 0
	for _, l := range c.Lines {
		pl := PricedLine{Line: l, Status: LineUnavailable}
		if v, ok := variants[l.VariantID]; ok {
			// The catalog's live facts win over the stored copy.
			pl.ProductSlug, pl.ProductName, pl.ImageURL, pl.SKU = v.ProductSlug, v.ProductName, v.ImageURL, v.SKU
			if len(v.Options) > 0 {
				pl.Options = v.Options
			}
			pl.UnitPrice = v.UnitPrice
			pl.LineTotal = Money{Amount: v.UnitPrice.Amount * l.Quantity, Currency: v.UnitPrice.Currency}
			pl.Status = lineStatus(v, l.Quantity)
			if pl.Status == LineInsufficientStock || pl.Status == LineOutOfStock {
				pl.AvailableQuantity = max(v.Stock, 0)
			}
			if pl.Status == LineOK && currency == "" {
				currency = v.UnitPrice.Currency
			}
			if pl.Status == LineOK && v.UnitPrice.Currency != currency {
				pl.Status = LineUnavailable // one currency per cart; the shop sells in one
			}
		}
		if pl.Status == LineOK {
			subtotal += pl.LineTotal.Amount
		} else {
			ready = false
		}
		out.Lines = append(out.Lines, pl)
	}
	if currency == "" {
		currency = DefaultCurrency
	}
	tax := Tax(subtotal, taxBP)
	out.Subtotal = Money{Amount: subtotal, Currency: currency}
	out.Tax = Money{Amount: tax, Currency: currency}
	out.GrandTotal = Money{Amount: subtotal + tax, Currency: currency}
	out.CheckoutReady = ready
	return out
}

func lineStatus(v Variant, quantity int64) LineStatus {
	switch {
	case !v.Available:
		return LineUnavailable
	case v.Stock <= 0:
		return LineOutOfStock
	case v.Stock < quantity:
		return LineInsufficientStock
	}
	return LineOK
}

// Unpriced is c shown without the catalog: stored names, no prices.
func Unpriced(c Cart, taxBP int) PricedCart {
	out := PricedCart{Cart: c, ItemCount: c.ItemCount(), TaxRateBP: taxBP}
	for _, l := range c.Lines {
		out.Lines = append(out.Lines, PricedLine{Line: l, Status: LineUnpriced})
	}
	zero := Money{Currency: DefaultCurrency}
	out.Subtotal, out.Tax, out.GrandTotal = zero, zero, zero
	return out
}
