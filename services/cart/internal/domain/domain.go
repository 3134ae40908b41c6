// Package domain holds the cart's entities, rules and sentinel errors. It knows
// nothing of protobuf, SQL or the catalog's API.
package domain

import (
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Sentinel errors of the cart.
var (
	ErrCartNotFound       = errs.New(errs.NotFound, "CART_NOT_FOUND", "cart not found")
	ErrLineNotFound       = errs.New(errs.NotFound, "CART_LINE_NOT_FOUND", "cart line not found")
	ErrProductNotFound    = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")
	ErrVariantNotFound    = errs.New(errs.NotFound, "VARIANT_NOT_FOUND", "no such variant")
	ErrVariantUnavailable = errs.New(errs.Invalid, "VARIANT_UNAVAILABLE", "this product is not on sale")
	ErrOutOfStock         = errs.New(errs.Invalid, "OUT_OF_STOCK", "this variant is out of stock")
	ErrQuantityCap        = errs.New(errs.Invalid, "QUANTITY_LIMIT", "a cart line holds too many units")
	ErrCatalogUnavailable = errs.New(errs.Unavailable, "CATALOG_UNAVAILABLE", "the catalog cannot be reached; try again")
)

// FieldError derives from sentinel an error naming the request field at fault,
// so clients get the sentinel's reason and a BadRequest field violation.
func FieldError(sentinel *errs.Error, field, description string) error {
	e := sentinel.With("%s: %s", field, description)
	e.Fields = []errs.FieldViolation{errs.Field(field, description)}
	return e
}

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64
	Currency string
}

// DefaultCurrency prices an empty cart.
const DefaultCurrency = "KRW"

// Owner is who a cart belongs to: a signed-in user or the holder of an
// anonymous cart token. Exactly one of the two is set.
type Owner struct {
	UserID string
	// TokenHash is the SHA-256 of the anonymous cart token.
	TokenHash []byte
}

// Anonymous reports whether the owner is a cart-token holder.
func (o Owner) Anonymous() bool { return o.UserID == "" }

// Cart is a shopping cart with its lines, oldest line first.
type Cart struct {
	ID        string
	UserID    string // empty for an anonymous cart
	Lines     []Line
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ItemCount is the number of units in the cart.
func (c Cart) ItemCount() int64 {
	var n int64
	for _, l := range c.Lines {
		n += l.Quantity
	}
	return n
}

// Line is one variant in a cart. The product fields are a copy from the
// catalog, kept fresh by its events; prices are never stored.
type Line struct {
	ID          string
	CartID      string
	VariantID   string
	ProductID   string
	ProductSlug string
	ProductName string
	ImageURL    string
	Options     map[string]string
	Quantity    int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PaidLine is a variant and quantity an order bought.
type PaidLine struct {
	VariantID string
	Quantity  int64
}

// ProductFacts are a product's names as the catalog announced them at At.
type ProductFacts struct {
	ProductID string
	Slug      string
	Name      string
	At        time.Time
}
