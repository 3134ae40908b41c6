package catalog_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

func TestTaxonomy(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	ctx := context.Background()

	if f.cause.GetSlug() != "haeyang-peulraseutik" || f.brandA.GetSlug() != "badasalrim" || f.brandA.GetCauseSlug() != f.cause.GetSlug() {
		t.Fatalf("slugs: cause %q brand %q (cause %q)", f.cause.GetSlug(), f.brandA.GetSlug(), f.brandA.GetCauseSlug())
	}
	// Same Korean name → a readable unique slug.
	again := must(e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "바다살림"})).GetBrand()
	if again.GetSlug() != "badasalrim-2" {
		t.Fatalf("second slug = %q", again.GetSlug())
	}
	_, err := e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "x", Slug: "badasalrim"})
	wantCode(t, err, codes.AlreadyExists, "")
	_, err = e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "x", CauseId: newID()})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: "x", HomepageUrl: "ftp://x"})
	wantCode(t, err, codes.InvalidArgument, "homepage_url")
	_, err = e.client.CreateCause(as(e.iss.Token("u", "customer")), &catalogv1.CreateCauseRequest{Name: "x"})
	wantCode(t, err, codes.PermissionDenied, "")

	p := product(t, e, f.bags.GetId(), 1)
	must(e.client.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: p.GetId(), BrandId: &f.brandA.Id}))

	// Public reads.
	causes := must(e.client.ListCauses(ctx, &catalogv1.ListCausesRequest{})).GetCauses()
	if len(causes) != 1 {
		t.Fatalf("causes = %v", causes)
	}
	cause := must(e.client.GetCause(ctx, &catalogv1.GetCauseRequest{Slug: f.cause.GetSlug()})).GetCause()
	if len(cause.GetBrands()) != 1 || cause.GetBrands()[0].GetId() != f.brandA.GetId() {
		t.Fatalf("cause brands = %v", cause.GetBrands())
	}
	brands := must(e.client.ListBrands(ctx, &catalogv1.ListBrandsRequest{})).GetBrands()
	if len(brands) != 3 {
		t.Fatalf("brands = %v", brands)
	}
	byCause := must(e.client.ListBrands(ctx, &catalogv1.ListBrandsRequest{Cause: f.cause.GetSlug()})).GetBrands()
	if len(byCause) != 1 {
		t.Fatalf("brands of cause = %v", byCause)
	}
	brand := must(e.client.GetBrand(ctx, &catalogv1.GetBrandRequest{Slug: f.brandA.GetSlug()}))
	if brand.GetBrand().GetName() != "바다살림" || brand.GetTotalCount() != 1 || brand.GetProducts()[0].GetId() != p.GetId() {
		t.Fatalf("brand page = %v", brand)
	}
	_, err = e.client.GetBrand(ctx, &catalogv1.GetBrandRequest{Slug: "nope"})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.GetCause(ctx, &catalogv1.GetCauseRequest{Slug: "nope"})
	wantCode(t, err, codes.NotFound, "")

	// Updates change only what they name.
	summary := "줄이고 다시 쓰기"
	upd := must(e.client.UpdateBrand(staff, &catalogv1.UpdateBrandRequest{Id: f.brandA.GetId(), Summary: &summary})).GetBrand()
	if upd.GetSummary() != summary || upd.GetName() != "바다살림" || upd.GetCauseId() != f.cause.GetId() {
		t.Fatalf("updated brand = %v", upd)
	}
	name := "Ocean Plastic"
	uc := must(e.client.UpdateCause(staff, &catalogv1.UpdateCauseRequest{Id: f.cause.GetId(), Name: &name})).GetCause()
	if uc.GetName() != name || uc.GetSlug() != f.cause.GetSlug() {
		t.Fatalf("updated cause = %v", uc)
	}
	parent := f.bags.GetId()
	moved := must(e.client.UpdateCategory(staff, &catalogv1.UpdateCategoryRequest{Id: f.shoes.GetId(), ParentId: &parent})).GetCategory()
	if moved.GetParentId() != parent {
		t.Fatalf("moved = %v", moved)
	}
	loop := f.sneakers.GetId()
	_, err = e.client.UpdateCategory(staff, &catalogv1.UpdateCategoryRequest{Id: f.shoes.GetId(), ParentId: &loop})
	wantCode(t, err, codes.InvalidArgument, "")
	tree := must(e.client.ListCategories(ctx, &catalogv1.ListCategoriesRequest{})).GetCategories()
	if len(tree) != 1 || tree[0].GetChildren()[0].GetChildren()[0].GetId() != f.sneakers.GetId() {
		t.Fatalf("tree = %v", tree)
	}

	// Deletes refuse what is still in use.
	_, err = e.client.DeleteBrand(staff, &catalogv1.DeleteBrandRequest{Id: f.brandA.GetId()})
	wantCode(t, err, codes.FailedPrecondition, "")
	_, err = e.client.DeleteCategory(staff, &catalogv1.DeleteCategoryRequest{Id: f.shoes.GetId()})
	wantCode(t, err, codes.FailedPrecondition, "")
	must(e.client.DeleteCategory(staff, &catalogv1.DeleteCategoryRequest{Id: f.sneakers.GetId()}))
	must(e.client.DeleteBrand(staff, &catalogv1.DeleteBrandRequest{Id: again.GetId()}))
	_, err = e.client.DeleteBrand(staff, &catalogv1.DeleteBrandRequest{Id: again.GetId()})
	wantCode(t, err, codes.NotFound, "")
	// Deleting a cause leaves its brands without one.
	must(e.client.DeleteCause(staff, &catalogv1.DeleteCauseRequest{Id: f.cause.GetId()}))
	b := must(e.client.GetBrand(ctx, &catalogv1.GetBrandRequest{Slug: f.brandA.GetSlug()})).GetBrand()
	if b.GetCauseId() != "" {
		t.Fatalf("brand keeps a deleted cause: %v", b)
	}
}
