package grpcserver_test

import (
	"context"
	"math"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

// Every string field of every request refuses NUL, and every float refuses
// NaN and Infinity, whatever the .proto says, naming the field's path.
func TestValuesEveryFieldObeys(t *testing.T) {
	t.Parallel()
	client, _, iss := start(t)
	staff := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+iss.Token("staff-1", "staff"))

	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"NUL in a top-level string", func() error {
			_, err := client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: "a\x00b"})
			return err
		}, "slug"},
		{"NUL in a list element", func() error {
			_, err := client.CreateProduct(staff, &catalogv1.CreateProductRequest{Name: "ok", ImageUrls: []string{"x", "y\x00"}})
			return err
		}, "image_urls[1]"},
		{"NUL in a nested map value", func() error {
			_, err := client.CreateProduct(staff, &catalogv1.CreateProductRequest{Name: "ok",
				Variants: []*catalogv1.VariantInput{{Options: map[string]string{"size": "27\x000"}}}})
			return err
		}, `variants[0].options["size"]`},
		{"infinite rating", func() error {
			_, err := client.PutMyReview(staff, &catalogv1.PutMyReviewRequest{Slug: "x", Rating: math.Inf(1), Title: "t", Body: "b"})
			return err
		}, "rating"},
		{"huge rating", func() error {
			_, err := client.PutMyReview(staff, &catalogv1.PutMyReviewRequest{Slug: "x", Rating: 1e20, Title: "t", Body: "b"})
			return err
		}, "rating"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := status.Convert(tt.call())
			if st.Code() != codes.InvalidArgument {
				t.Fatalf("= %v %q; want InvalidArgument", st.Code(), st.Message())
			}
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					for _, f := range br.GetFieldViolations() {
						if f.GetField() == tt.field {
							return
						}
					}
				}
			}
			t.Fatalf("no violation of %s in %v", tt.field, st.Details())
		})
	}
}
