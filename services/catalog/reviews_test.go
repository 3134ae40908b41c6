package catalog_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

func TestReviews(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	p := product(t, e, f.sneakers.GetId(), 10)
	buyer := as(e.iss.Token("buyer-1", "customer"))
	review := &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: 4.5, Title: "편해요", Body: "사이즈 정사이즈"}

	_, err := e.client.PutMyReview(context.Background(), review)
	wantCode(t, err, codes.Unauthenticated, "")
	_, err = e.client.PutMyReview(buyer, review)
	wantCode(t, err, codes.PermissionDenied, "")
	if msg := status.Convert(err).Message(); msg != "only a customer with a paid order containing this product can review it" {
		t.Fatalf("403 message = %q", msg)
	}

	// order.paid makes buyer-1 eligible; a redelivered copy (same event id)
	// and a second event for the same purchase are harmless.
	paid := &orderv1.OrderPaid{OrderId: newID(), UserId: "buyer-1", Lines: []*orderv1.OrderPaid_Line{
		{ProductId: p.GetId(), VariantId: p.GetVariants()[0].GetId(), Quantity: 2},
	}}
	eventID := newID()
	publishOrderPaid(t, e.js, eventID, paid)
	publishOrderPaid(t, e.js, eventID, paid)
	var got *catalogv1.PutMyReviewResponse
	eventually(t, "the purchase to be recorded", func() bool {
		got, err = e.client.PutMyReview(buyer, review)
		return err == nil
	})
	if got.GetReviewCount() != 1 || got.GetAverageRating() != 4.5 || got.GetReview().GetRating() != 4.5 || got.GetReview().GetUserId() != "buyer-1" {
		t.Fatalf("review = %v", got)
	}
	// Editing keeps one review per user and moves the average.
	review.Rating, review.Title = 3, "그럭저럭"
	got = must(e.client.PutMyReview(buyer, review))
	if got.GetReviewCount() != 1 || got.GetAverageRating() != 3 || got.GetReview().GetTitle() != "그럭저럭" {
		t.Fatalf("edited = %v", got)
	}
	// Popularity counts units sold once, despite the redelivery.
	popular := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{Sort: "popular"}))
	if popular.GetProducts()[0].GetId() != p.GetId() {
		t.Fatalf("popular first = %v", popular.GetProducts()[0])
	}

	for _, r := range []float64{0, 0.3, 5.5, 4.25} {
		_, err := e.client.PutMyReview(buyer, &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: r, Title: "x"})
		wantCode(t, err, codes.InvalidArgument, "rating")
	}
	_, err = e.client.PutMyReview(buyer, &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: 5})
	wantCode(t, err, codes.InvalidArgument, "title")
	_, err = e.client.PutMyReview(buyer, &catalogv1.PutMyReviewRequest{Slug: "nope", Rating: 5, Title: "x"})
	wantCode(t, err, codes.NotFound, "")
}

func TestConcurrentReviewsKeepTheAverageExact(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	p := product(t, e, f.sneakers.GetId(), 10)
	const users = 40
	lines := []*orderv1.OrderPaid_Line{{ProductId: p.GetId(), Quantity: 1}}
	for i := range users {
		publishOrderPaid(t, e.js, newID(), &orderv1.OrderPaid{OrderId: newID(), UserId: fmt.Sprintf("u%d", i), Lines: lines})
	}
	eventually(t, "every purchase", func() bool {
		_, err := e.client.PutMyReview(as(e.iss.Token(fmt.Sprintf("u%d", users-1))), &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: 1, Title: "t"})
		return err == nil
	})
	// Every user writes twice at once (a first review racing its own edit),
	// ending on rating (i%10+1)/2.
	var wg sync.WaitGroup
	var want float64
	for i := range users {
		final := float64(i%10+1) / 2
		want += final
		ctx := as(e.iss.Token(fmt.Sprintf("u%d", i)))
		wg.Go(func() {
			if _, err := e.client.PutMyReview(ctx, &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: 5, Title: "first"}); err != nil {
				t.Error(err)
			}
			if _, err := e.client.PutMyReview(ctx, &catalogv1.PutMyReviewRequest{Slug: p.GetSlug(), Rating: final, Title: "final"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := must(e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})).GetProduct()
	if got.GetReviewCount() != users || got.GetAverageRating() != want/users {
		t.Fatalf("count %d avg %v; want %d, %v", got.GetReviewCount(), got.GetAverageRating(), users, want/users)
	}
	list := must(e.client.ListReviews(context.Background(), &catalogv1.ListReviewsRequest{Slug: p.GetSlug(), PageSize: 15, Page: 3}))
	if list.GetTotalCount() != users || list.GetTotalPages() != 3 || len(list.GetReviews()) != 10 || list.GetAverageRating() != want/users {
		t.Fatalf("page 3 = %d reviews, %d total, %d pages", len(list.GetReviews()), list.GetTotalCount(), list.GetTotalPages())
	}
	first := must(e.client.ListReviews(context.Background(), &catalogv1.ListReviewsRequest{Slug: p.GetSlug()})).GetReviews()
	for i := 1; i < len(first); i++ {
		if first[i].GetCreateTime().AsTime().After(first[i-1].GetCreateTime().AsTime()) {
			t.Fatal("reviews not newest first")
		}
	}
}
