// Package domain holds the catalog's entities, rules and sentinel errors. It
// knows nothing of protobuf or SQL.
package domain

import (
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Sentinel errors of the catalog.
var (
	ErrProductNotFound  = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")
	ErrCategoryNotFound = errs.New(errs.NotFound, "CATEGORY_NOT_FOUND", "category not found")
	ErrSlugTaken        = errs.New(errs.Conflict, "SLUG_TAKEN", "slug is already in use")
)

// Money is an amount in minor units of a currency.
type Money struct {
	Amount   int64
	Currency string
}

// Category is a node of the category tree.
type Category struct {
	ID          string
	Slug        string
	Name        string
	Description string
	ParentID    string
	ImageURL    string
	Children    []Category
}

// Product is something the shop sells.
type Product struct {
	ID           string
	Slug         string
	Name         string
	Description  string
	CategoryID   string
	CategorySlug string
	Price        Money
	Available    bool
	Archived     bool
	ImageURLs    []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Page is a page/size request with the defaults and cap the API documents.
type Page struct {
	Number int // 1-based
	Size   int
}

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// NewPage applies the defaults to a requested page and size.
func NewPage(number, size int) Page {
	if number < 1 {
		number = 1
	}
	if size < 1 {
		size = DefaultPageSize
	}
	return Page{Number: number, Size: min(size, MaxPageSize)}
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// TotalPages is how many pages total items fill.
func (p Page) TotalPages(total int64) int {
	return int((total + int64(p.Size) - 1) / int64(p.Size))
}

// ProductFilter narrows a product listing.
type ProductFilter struct {
	CategorySlug string
	Page         Page
}
