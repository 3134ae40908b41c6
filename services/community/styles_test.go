package community_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
)

func TestStyles(t *testing.T) {
	t.Parallel()
	e := startWith(t, options{catalog: true})
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	cat := must(e.catalog.CreateCategory(staff.ctx, &catalogv1.CreateCategoryRequest{Name: "Shoes"})).GetCategory()
	product := func(name string) *catalogv1.Product {
		return must(e.catalog.CreateProduct(staff.ctx, &catalogv1.CreateProductRequest{
			Name: name, CategoryId: cat.GetId(), Price: &typev1.Money{Amount: 99000, Currency: "KRW"}, Stock: 5,
			ImageUrls: []string{"https://img.example/" + name + ".jpg"},
		})).GetProduct()
	}
	runner, bag := product("Runner"), product("Tote")

	style := must(e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{
		MediaIds: []string{e.upload(t, minji).GetId()}, Body: "오늘의 코디",
		ProductSlugs: []string{runner.GetSlug(), bag.GetId(), runner.GetSlug()},
	})).GetPost()
	if style.GetBoardSlug() != "style" || len(style.GetProducts()) != 2 || style.GetProducts()[0].GetSlug() != runner.GetSlug() ||
		style.GetProducts()[1].GetName() != "Tote" || style.GetProducts()[0].GetImageUrl() != "https://img.example/Runner.jpg" {
		t.Fatalf("style = %v", style)
	}
	must(e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{MediaIds: []string{e.upload(t, minji).GetId()}, ProductSlugs: []string{bag.GetSlug()}}))

	feed := must(e.client.ListStyles(visitor, &communityv1.ListStylesRequest{})).GetPosts()
	if len(feed) != 2 || len(feed[1].GetProducts()) != 2 {
		t.Fatalf("style feed = %v", feed)
	}
	forRunner := must(e.client.ListProductStyles(visitor, &communityv1.ListProductStylesRequest{Slug: runner.GetSlug()})).GetPosts()
	if len(forRunner) != 1 || forRunner[0].GetId() != style.GetId() {
		t.Fatalf("runner's styles = %v", forRunner)
	}
	if n := len(must(e.client.ListProductStyles(visitor, &communityv1.ListProductStylesRequest{Slug: bag.GetSlug()})).GetPosts()); n != 2 {
		t.Fatalf("bag's styles = %d", n)
	}
	if got := must(e.client.GetPost(visitor, &communityv1.GetPostRequest{Id: style.GetId()})).GetPost(); len(got.GetProducts()) != 2 {
		t.Fatalf("GetPost of a style = %v", got)
	}

	_, err := e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{MediaIds: []string{e.upload(t, minji).GetId()}, ProductSlugs: []string{runner.GetSlug(), "no-such-shoe"}})
	wantCode(t, err, codes.InvalidArgument, "product_slugs[1]")
	_, err = e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{Body: "사진 없음"})
	wantCode(t, err, codes.InvalidArgument, "media_ids")
	_, err = e.client.ListProductStyles(visitor, &communityv1.ListProductStylesRequest{Slug: "no-such-shoe"})
	wantCode(t, err, codes.NotFound, "slug")
	_, err = e.client.CreatePost(minji.ctx, &communityv1.CreatePostRequest{Slug: "style", Title: "t", Body: "b"})
	wantCode(t, err, codes.InvalidArgument, "slug")
}

func TestStylesCatalogDown(t *testing.T) {
	t.Parallel()
	e := start(t) // the catalog endpoint answers nothing
	minji := e.newUser(t, "minji", "김민지")
	_, err := e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{MediaIds: []string{e.upload(t, minji).GetId()}, ProductSlugs: []string{"runner"}})
	wantCode(t, err, codes.Unavailable, "")
	// Without tags the catalog is not needed.
	must(e.client.CreateStyle(minji.ctx, &communityv1.CreateStyleRequest{MediaIds: []string{e.upload(t, minji).GetId()}}))
}
