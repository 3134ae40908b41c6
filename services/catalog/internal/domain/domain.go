// Package domain holds the catalog's entities, rules and sentinel errors. It
// knows nothing of protobuf or SQL.
package domain

import (
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/paging"
)

// Sentinel errors of the catalog.
var (
	ErrProductNotFound     = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")
	ErrCategoryNotFound    = errs.New(errs.NotFound, "CATEGORY_NOT_FOUND", "category not found")
	ErrBrandNotFound       = errs.New(errs.NotFound, "BRAND_NOT_FOUND", "brand not found")
	ErrCauseNotFound       = errs.New(errs.NotFound, "CAUSE_NOT_FOUND", "cause not found")
	ErrVariantNotFound     = errs.New(errs.NotFound, "VARIANT_NOT_FOUND", "variant not found")
	ErrSlugTaken           = errs.New(errs.Conflict, "SLUG_TAKEN", "slug is already in use")
	ErrSKUTaken            = errs.New(errs.Conflict, "SKU_TAKEN", "sku is already in use")
	ErrCategoryInUse       = errs.New(errs.FailedPrecondition, "CATEGORY_IN_USE", "category still has sub-categories or products")
	ErrBrandInUse          = errs.New(errs.FailedPrecondition, "BRAND_IN_USE", "brand still has products")
	ErrCategoryCycle       = errs.New(errs.Invalid, "CATEGORY_CYCLE", "a category cannot be moved under itself or its descendants")
	ErrProductArchived     = errs.New(errs.FailedPrecondition, "PRODUCT_ARCHIVED", "product is archived")
	ErrOutOfStock          = errs.New(errs.FailedPrecondition, "OUT_OF_STOCK", "not enough stock")
	ErrNotOnSale           = errs.New(errs.FailedPrecondition, "NOT_ON_SALE", "product is not on sale")
	ErrReservationNotFound = errs.New(errs.NotFound, "RESERVATION_NOT_FOUND", "no reservation for this order")
	ErrReservationReleased = errs.New(errs.FailedPrecondition, "RESERVATION_RELEASED", "the order's reservation was released")
	ErrReservationMismatch = errs.New(errs.Conflict, "RESERVATION_MISMATCH", "the order already holds a reservation with other lines")
	ErrNotPurchased        = errs.New(errs.PermissionDenied, "REVIEW_NEEDS_PURCHASE", "only a customer with a paid order containing this product can review it")
)

// Money is an amount in minor units of a currency.
type Money struct {
	Amount   int64
	Currency string
}

// DefaultCurrency is used when a price names none.
const DefaultCurrency = "KRW"

// Page is a page/size request.
type Page = paging.Page

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// NewPage applies the defaults and cap the API documents to a requested page
// and size.
func NewPage(number, size int) Page { return paging.New(number, size, DefaultPageSize, MaxPageSize) }
