package cart_test

import (
	"sync/atomic"
	"testing"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/services/cart"
)

func krw(amount int64) *typev1.Money { return &typev1.Money{Amount: amount, Currency: "KRW"} }

// shop is a small catalog created through the catalog's own API.
type shop struct {
	// shoe comes in sizes 260 and 270 at ₩100,000; 270 costs ₩120,000 and
	// has 2 in stock, 260 has 50.
	shoe *catalogv1.Product
	// bag has no options: one variant at ₩19,000 with 10 in stock.
	bag *catalogv1.Product
	// cap has one size, out of stock.
	cap *catalogv1.Product
}

func newShop(t *testing.T, e *env) shop {
	t.Helper()
	staff := e.staff()
	cat := must(e.catalog.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "Goods"})).GetCategory()
	return shop{
		shoe: must(e.catalog.CreateProduct(staff, &catalogv1.CreateProductRequest{
			Name: "Runner", CategoryId: cat.GetId(), Price: krw(100000), Stock: 50,
			ImageUrls: []string{"https://img.example/runner.jpg"},
			Options:   []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"260", "270"}}},
			Variants: []*catalogv1.VariantInput{
				{Options: map[string]string{"size": "270"}, Sku: "RUN-270", Stock: 2, PriceOverride: krw(120000)},
			},
		})).GetProduct(),
		bag: must(e.catalog.CreateProduct(staff, &catalogv1.CreateProductRequest{
			Name: "Eco bag", CategoryId: cat.GetId(), Price: krw(19000), Stock: 10, Sku: "BAG",
		})).GetProduct(),
		cap: must(e.catalog.CreateProduct(staff, &catalogv1.CreateProductRequest{
			Name: "Cap", CategoryId: cat.GetId(), Price: krw(5000), Stock: 0,
		})).GetProduct(),
	}
}

// variant returns p's variant with the given size ("" for a product without options).
func variant(t *testing.T, p *catalogv1.Product, size string) *catalogv1.Variant {
	t.Helper()
	for _, v := range p.GetVariants() {
		if v.GetOptions()["size"] == size {
			return v
		}
	}
	t.Fatalf("%s has no variant of size %q", p.GetSlug(), size)
	return nil
}

func size(s string) map[string]string { return map[string]string{"size": s} }

type cartConfig = cart.Config

// atomic64 counts successes across goroutines.
type atomic64 struct{ v atomic.Int64 }

func (a *atomic64) add(n int64) { a.v.Add(n) }
func (a *atomic64) load() int64 { return a.v.Load() }
