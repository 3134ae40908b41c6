package catalog_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
)

func TestProductVariants(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))

	plain := must(e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "에코백", CategoryId: f.bags.GetId(), Price: krw(19000), Stock: 7, Sku: "BAG-1",
	})).GetProduct()
	if len(plain.GetVariants()) != 1 || plain.GetVariants()[0].GetStock() != 7 || plain.GetVariants()[0].GetSku() != "BAG-1" ||
		len(plain.GetVariants()[0].GetOptions()) != 0 || !plain.GetInStock() {
		t.Fatalf("product without options: variants %v", plain.GetVariants())
	}

	shoe := must(e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "러닝화", CategoryId: f.sneakers.GetId(), BrandId: f.brandA.GetId(), Price: krw(99000), Stock: 3,
		Options: []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"260", "270"}}, {Name: "colour", Values: []string{"black", "white"}}},
		Variants: []*catalogv1.VariantInput{
			{Options: map[string]string{"size": "270", "colour": "black"}, Sku: "RUN-270-BK", Stock: 0, PriceOverride: krw(109000)},
		},
	})).GetProduct()
	if len(shoe.GetVariants()) != 4 {
		t.Fatalf("variants = %v, want 4 combinations", shoe.GetVariants())
	}
	for _, v := range shoe.GetVariants() {
		special := v.GetOptions()["size"] == "270" && v.GetOptions()["colour"] == "black"
		switch {
		case special && (v.GetStock() != 0 || v.GetPrice().GetAmount() != 109000 || v.GetPriceOverride().GetAmount() != 109000 || v.GetSku() != "RUN-270-BK"):
			t.Errorf("270/black = %v", v)
		case !special && (v.GetStock() != 3 || v.GetPrice().GetAmount() != 99000 || v.GetPriceOverride() != nil):
			t.Errorf("other variant = %v", v)
		}
	}
	if shoe.GetBrandName() != "바다살림" || shoe.GetBrandSlug() != f.brandA.GetSlug() {
		t.Fatalf("brand = %q %q", shoe.GetBrandName(), shoe.GetBrandSlug())
	}

	// Staff change a variant's stock and price.
	var target *catalogv1.Variant
	for _, v := range shoe.GetVariants() {
		if v.GetSku() == "RUN-270-BK" {
			target = v
		}
	}
	stock := int32(5)
	upd := must(e.client.UpdateVariant(staff, &catalogv1.UpdateVariantRequest{Id: target.GetId(), Stock: &stock, ClearPriceOverride: true})).GetProduct()
	for _, v := range upd.GetVariants() {
		if v.GetId() == target.GetId() && (v.GetStock() != 5 || v.GetPriceOverride() != nil || v.GetPrice().GetAmount() != 99000) {
			t.Fatalf("updated variant = %v", v)
		}
	}

	bad := []struct {
		name  string
		req   *catalogv1.CreateProductRequest
		code  codes.Code
		field string
	}{
		{"unknown combination", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1),
			Options:  []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"S"}}},
			Variants: []*catalogv1.VariantInput{{Options: map[string]string{"size": "XL"}}}}, codes.InvalidArgument, "variants[0].options"},
		{"duplicate option", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1),
			Options: []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"S"}}, {Name: "size", Values: []string{"M"}}}}, codes.InvalidArgument, "options[1].name"},
		{"duplicate value", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1),
			Options: []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"S", "S"}}}}, codes.InvalidArgument, "options[0].values"},
		{"negative stock", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1), Stock: -1}, codes.InvalidArgument, "stock"},
		{"unknown brand", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1), BrandId: newID()}, codes.NotFound, ""},
		{"sku taken", &catalogv1.CreateProductRequest{Name: "x", CategoryId: f.bags.GetId(), Price: krw(1), Sku: "BAG-1"}, codes.AlreadyExists, ""},
		{"slug taken", &catalogv1.CreateProductRequest{Name: "x", Slug: plain.GetSlug(), CategoryId: f.bags.GetId(), Price: krw(1)}, codes.AlreadyExists, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateProduct(staff, tt.req)
			wantCode(t, err, tt.code, tt.field)
		})
	}
	_, err := e.client.UpdateVariant(staff, &catalogv1.UpdateVariantRequest{Id: newID(), Stock: &stock})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.UpdateVariant(staff, &catalogv1.UpdateVariantRequest{Id: target.GetId(), PriceOverride: krw(1), ClearPriceOverride: true})
	wantCode(t, err, codes.InvalidArgument, "clear_price_override")
	_, err = e.client.UpdateVariant(as(e.iss.Token("u", "customer")), &catalogv1.UpdateVariantRequest{Id: target.GetId(), Stock: &stock})
	wantCode(t, err, codes.PermissionDenied, "")
}

func TestBrowseProducts(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	create := func(req *catalogv1.CreateProductRequest) *catalogv1.Product {
		t.Helper()
		return must(e.client.CreateProduct(staff, req)).GetProduct()
	}
	sizes := []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"260", "270", "280"}}}
	airforce := create(&catalogv1.CreateProductRequest{Name: "나이키 에어포스 1 화이트", CategoryId: f.sneakers.GetId(), Price: krw(139000),
		Options: sizes, Stock: 2, Description: "Classic leather sneaker"})
	samba := create(&catalogv1.CreateProductRequest{Name: "아디다스 삼바", CategoryId: f.sneakers.GetId(), BrandId: f.brandB.GetId(), Price: krw(129000),
		Options: sizes, Stock: 0, Variants: []*catalogv1.VariantInput{{Options: map[string]string{"size": "270"}, Stock: 1}}})
	tote := create(&catalogv1.CreateProductRequest{Name: "Recycled Tote", CategoryId: f.bags.GetId(), BrandId: f.brandA.GetId(), Price: krw(29000),
		Description: "폐어망을 재활용한 토트백", Stock: 0})
	boots := create(&catalogv1.CreateProductRequest{Name: "Hiking Boots 100%", CategoryId: f.shoes.GetId(), Price: krw(199000), Stock: 4})

	names := func(req *catalogv1.ListProductsRequest) []string {
		t.Helper()
		resp := must(e.client.ListProducts(context.Background(), req))
		var out []string
		for _, p := range resp.GetProducts() {
			out = append(out, p.GetSlug())
		}
		if int(resp.GetTotalCount()) != len(out) && req.GetPageSize() == 0 {
			t.Fatalf("total_count %d for %d items", resp.GetTotalCount(), len(out))
		}
		return out
	}
	p100 := int64(100000)
	p150 := int64(150000)
	tests := []struct {
		name string
		req  *catalogv1.ListProductsRequest
		want []string
	}{
		{"newest", &catalogv1.ListProductsRequest{}, []string{boots.GetSlug(), tote.GetSlug(), samba.GetSlug(), airforce.GetSlug()}},
		{"korean substring of a name", &catalogv1.ListProductsRequest{Q: "에어포스"}, []string{airforce.GetSlug()}},
		{"korean substring of a description", &catalogv1.ListProductsRequest{Q: "폐어망"}, []string{tote.GetSlug()}},
		{"english, any case", &catalogv1.ListProductsRequest{Q: "LEATHER"}, []string{airforce.GetSlug()}},
		{"brand name", &catalogv1.ListProductsRequest{Q: "바다살"}, []string{tote.GetSlug()}},
		{"brand name in english", &catalogv1.ListProductsRequest{Q: "northw"}, []string{samba.GetSlug()}},
		{"like wildcards are literal", &catalogv1.ListProductsRequest{Q: "100%"}, []string{boots.GetSlug()}},
		{"no match", &catalogv1.ListProductsRequest{Q: "없는상품"}, nil},
		{"category with sub-categories", &catalogv1.ListProductsRequest{Category: f.shoes.GetSlug(), Sort: "price_asc"}, []string{samba.GetSlug(), airforce.GetSlug(), boots.GetSlug()}},
		{"brand", &catalogv1.ListProductsRequest{Brand: f.brandB.GetSlug()}, []string{samba.GetSlug()}},
		{"cause", &catalogv1.ListProductsRequest{Cause: f.cause.GetSlug()}, []string{tote.GetSlug()}},
		{"price range", &catalogv1.ListProductsRequest{MinPrice: &p100, MaxPrice: &p150, Sort: "price_desc"}, []string{airforce.GetSlug(), samba.GetSlug()}},
		{"option", &catalogv1.ListProductsRequest{Options: map[string]string{"size": "270"}, Sort: "price_asc"}, []string{samba.GetSlug(), airforce.GetSlug()}},
		{"option in stock", &catalogv1.ListProductsRequest{Options: map[string]string{"size": "280"}, InStock: true}, []string{airforce.GetSlug()}},
		{"in stock", &catalogv1.ListProductsRequest{InStock: true, Sort: "price_asc"}, []string{samba.GetSlug(), airforce.GetSlug(), boots.GetSlug()}},
		{"price_asc", &catalogv1.ListProductsRequest{Sort: "price_asc"}, []string{tote.GetSlug(), samba.GetSlug(), airforce.GetSlug(), boots.GetSlug()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(tt.req)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}

	// Paging: total_count and total_pages describe the whole result.
	page := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{PageSize: 3, Page: 2}))
	if page.GetTotalCount() != 4 || page.GetTotalPages() != 2 || len(page.GetProducts()) != 1 || page.GetPage() != 2 {
		t.Fatalf("page 2 = %v", page)
	}
	past := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{PageSize: 3, Page: 9}))
	if past.GetTotalCount() != 4 || len(past.GetProducts()) != 0 {
		t.Fatalf("past the end = %v", past)
	}

	neg := int64(-1)
	bad := []struct {
		name  string
		req   *catalogv1.ListProductsRequest
		field string
	}{
		{"bad sort", &catalogv1.ListProductsRequest{Sort: "cheapest"}, "sort"},
		{"negative min price", &catalogv1.ListProductsRequest{MinPrice: &neg}, "min_price"},
		{"negative max price", &catalogv1.ListProductsRequest{MaxPrice: &neg}, "max_price"},
		{"page size over the cap", &catalogv1.ListProductsRequest{PageSize: 101}, "page_size"},
		{"negative page", &catalogv1.ListProductsRequest{Page: -1}, "page"},
		{"min above max", &catalogv1.ListProductsRequest{MinPrice: &p150, MaxPrice: &p100}, "max_price"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.ListProducts(context.Background(), tt.req)
			wantCode(t, err, codes.InvalidArgument, tt.field)
		})
	}
}

func TestUpdateAndArchiveProduct(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	changes := catalogEvents(t, e.js, "catalog.product_changed")
	p := must(e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{Name: "Canvas Bag", CategoryId: f.bags.GetId(), Price: krw(10000), Stock: 1})).GetProduct()

	name := "Canvas Bag II"
	upd := must(e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: p.GetId(), Name: &name})).GetProduct()
	if upd.GetName() != name || upd.GetSlug() != p.GetSlug() || upd.GetPrice().GetAmount() != 10000 {
		t.Fatalf("renamed = %v", upd)
	}
	upd = must(e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: p.GetId(), Price: krw(12000), BrandId: &f.brandA.Id})).GetProduct()
	if upd.GetPrice().GetAmount() != 12000 || upd.GetBrandId() != f.brandA.GetId() {
		t.Fatalf("re-priced = %v", upd)
	}
	_, err := e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: p.GetId(), Price: &typev1.Money{Amount: 1, Currency: "USD"}})
	wantCode(t, err, codes.InvalidArgument, "price.currency")

	archived := must(e.client.ArchiveProduct(staff, &catalogv1.ArchiveProductRequest{Id: p.GetId()})).GetProduct()
	if !archived.GetArchived() {
		t.Fatal("not archived")
	}
	// Archiving again changes nothing; editing an archived product is refused.
	must(e.client.ArchiveProduct(staff, &catalogv1.ArchiveProductRequest{Id: p.GetId()}))
	_, err = e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: p.GetId(), Name: &name})
	wantCode(t, err, codes.FailedPrecondition, "")

	// Hidden from lists, readable by slug.
	list := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{}))
	if list.GetTotalCount() != 0 {
		t.Fatalf("archived product listed: %v", list)
	}
	got := must(e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})).GetProduct()
	if !got.GetArchived() || got.GetName() != name {
		t.Fatalf("archived page = %v", got)
	}
	_, err = e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: newID(), Name: &name})
	wantCode(t, err, codes.NotFound, "")

	want := []catalogv1.ProductChanged_Change{
		catalogv1.ProductChanged_CHANGE_CREATED, catalogv1.ProductChanged_CHANGE_UPDATED,
		catalogv1.ProductChanged_CHANGE_PRICE, catalogv1.ProductChanged_CHANGE_ARCHIVED,
	}
	for i, w := range want {
		var ev catalogv1.ProductChanged
		nextEvent(t, changes, &ev)
		if ev.GetChange() != w || ev.GetProductId() != p.GetId() {
			t.Fatalf("event %d = %v, want %v", i, &ev, w)
		}
		if w == catalogv1.ProductChanged_CHANGE_PRICE && ev.GetPrice().GetAmount() != 12000 {
			t.Fatalf("price event = %v", &ev)
		}
	}
}
