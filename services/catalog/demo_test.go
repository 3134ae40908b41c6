package catalog_test

import (
	"context"
	"testing"
	"time"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	e := start(t)
	began := time.Now()
	if err := e.svc.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("seeding took %v", took)
	}
	if err := e.svc.SeedDemo(context.Background()); err != nil { // a second run keeps the data
		t.Fatal(err)
	}
	list := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{}))
	brands := must(e.client.ListBrands(context.Background(), &catalogv1.ListBrandsRequest{})).GetBrands()
	causes := must(e.client.ListCauses(context.Background(), &catalogv1.ListCausesRequest{})).GetCauses()
	if list.GetTotalCount() < 50 || len(brands) < 5 || len(causes) < 4 {
		t.Fatalf("%d products, %d brands, %d causes", list.GetTotalCount(), len(brands), len(causes))
	}
	for _, b := range brands {
		if b.GetCauseId() == "" {
			t.Fatalf("brand %s has no cause", b.GetName())
		}
	}
	sized := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{Options: map[string]string{"size": "270"}, InStock: true}))
	if sized.GetTotalCount() == 0 {
		t.Fatal("no sneaker in size 270 in stock")
	}
}
