package domain

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Product is something the shop sells. Every product has at least one
// variant, so carts, orders and reservations always name a variant.
type Product struct {
	ID           string
	Slug         string
	Name         string
	Description  string
	CategoryID   string
	CategorySlug string
	BrandID      string
	BrandSlug    string
	BrandName    string
	Price        Money
	Available    bool
	Archived     bool
	ImageURLs    []string
	Options      []Option
	Variants     []Variant // filled by single-product reads
	InStock      bool
	ReviewCount  int64
	RatingSum    Rating // sum of all ratings
	SoldCount    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AverageRating is the mean review rating, 0 without reviews.
func (p Product) AverageRating() float64 {
	if p.ReviewCount == 0 {
		return 0
	}
	return p.RatingSum.Stars() / float64(p.ReviewCount)
}

// OnSale reports whether the product can be bought.
func (p Product) OnSale() bool { return p.Available && !p.Archived }

// Option is a dimension a product varies in, e.g. size with its values.
type Option struct {
	Name   string
	Values []string
}

// Variant is one option combination of a product: a SKU with its own stock
// and optional price.
type Variant struct {
	ID            string
	ProductID     string
	SKU           string
	Options       map[string]string
	Stock         int64
	PriceOverride *Money
	// BuyNow and SellNow are the resale market's lowest ask and highest bid
	// (nil when none stands), attached by the get-product use case from the
	// market quote projection.
	BuyNow, SellNow *Money
}

// Price is what one unit of v costs given the product's base price.
func (v Variant) Price(base Money) Money {
	if v.PriceOverride != nil {
		return *v.PriceOverride
	}
	return base
}

// VariantSpec sets the SKU, stock and price of one combination of a new product.
type VariantSpec struct {
	Options       map[string]string
	SKU           string
	Stock         int64
	PriceOverride *Money
}

// MaxVariants caps the option combinations of one product.
const MaxVariants = 1000

// BuildVariants returns one variant per combination of options' values, in
// option order, taking SKU, stock and price from the matching spec and
// defaultStock (and, without options, defaultSKU) otherwise. A spec naming a
// combination that does not exist, or naming one twice, is bad input.
func BuildVariants(options []Option, specs []VariantSpec, defaultStock int64, defaultSKU string, base Money) ([]Variant, error) {
	var v errs.Violations
	names := map[string]bool{}
	combos := 1
	for i, o := range options {
		if names[o.Name] {
			v.Add(fmt.Sprintf("options[%d].name", i), "option names must be unique")
		}
		names[o.Name] = true
		combos *= len(o.Values)
	}
	if combos > MaxVariants {
		v.Add("options", fmt.Sprintf("at most %d option combinations", MaxVariants))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	variants := []Variant{{Options: map[string]string{}, Stock: defaultStock}}
	if len(options) == 0 {
		variants[0].SKU = defaultSKU
	}
	for _, o := range options {
		next := make([]Variant, 0, len(variants)*len(o.Values))
		for _, partial := range variants {
			for _, val := range o.Values {
				m := maps.Clone(partial.Options)
				m[o.Name] = val
				next = append(next, Variant{Options: m, Stock: defaultStock})
			}
		}
		variants = next
	}
	index := map[string]int{}
	for i, vr := range variants {
		index[ComboKey(vr.Options)] = i
	}
	used := map[int]bool{}
	for i, s := range specs {
		field := fmt.Sprintf("variants[%d]", i)
		at, ok := index[ComboKey(s.Options)]
		if !ok || len(s.Options) != len(options) {
			v.Add(field+".options", "must name one value of every option of the product")
			continue
		}
		if used[at] {
			v.Add(field+".options", "combination listed twice")
			continue
		}
		used[at] = true
		if s.PriceOverride != nil && s.PriceOverride.Currency != base.Currency {
			v.Add(field+".price_override.currency", "must be the currency of the base price")
		}
		variants[at].SKU, variants[at].Stock, variants[at].PriceOverride = s.SKU, s.Stock, s.PriceOverride
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return variants, nil
}

// ComboKey is a canonical string for an option combination.
func ComboKey(options map[string]string) string {
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	// A tiny insertion sort: combinations have at most a few options.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(options[k])
		b.WriteByte(0)
	}
	return b.String()
}

// ProductChange says what a write did to a product; it becomes the
// product_changed event's change.
type ProductChange int

// Product changes.
const (
	ProductCreated ProductChange = iota + 1
	ProductUpdated
	ProductPriceChanged
	ProductArchived
)

// ProductPatch lists the product fields an update changes; nil leaves a field.
type ProductPatch struct {
	Name, Slug, Description, CategoryID, BrandID *string
	Price                                        *Money
	Available                                    *bool
	ImageURLs                                    *[]string
}

// Apply changes p by the patch and says what kind of change it was. A new
// price must keep the currency, because variants' overrides share it.
func (pp ProductPatch) Apply(p *Product) (ProductChange, error) {
	change := ProductUpdated
	if pp.Price != nil {
		if pp.Price.Currency == "" {
			pp.Price.Currency = p.Price.Currency
		}
		if pp.Price.Currency != p.Price.Currency {
			return 0, errs.InvalidFields(errs.Field("price.currency", "must stay "+p.Price.Currency))
		}
		if pp.Price.Amount != p.Price.Amount {
			change = ProductPriceChanged
		}
		p.Price = *pp.Price
	}
	set(&p.Name, pp.Name)
	set(&p.Slug, pp.Slug)
	set(&p.Description, pp.Description)
	set(&p.CategoryID, pp.CategoryID)
	set(&p.BrandID, pp.BrandID)
	set(&p.Available, pp.Available)
	set(&p.ImageURLs, pp.ImageURLs)
	return change, nil
}

// Sort orders a product listing.
type Sort string

// Sorts the listing accepts.
const (
	SortNewest    Sort = "newest"
	SortPriceAsc  Sort = "price_asc"
	SortPriceDesc Sort = "price_desc"
	SortRating    Sort = "rating"
	SortPopular   Sort = "popular"
)

// ProductFilter narrows a product listing.
type ProductFilter struct {
	Query        string
	CategorySlug string
	BrandSlug    string
	CauseSlug    string
	MinPrice     *int64
	MaxPrice     *int64
	Options      map[string]string
	InStock      bool
	Sort         Sort
	Page         Page
}

// Check reports contradictory filters.
func (f ProductFilter) Check() error {
	if f.MinPrice != nil && f.MaxPrice != nil && *f.MinPrice > *f.MaxPrice {
		return errs.InvalidFields(errs.Field("max_price", "must not be below min_price"))
	}
	return nil
}
