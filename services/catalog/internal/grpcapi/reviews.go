package grpcapi

import (
	"context"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/auth"
)

// ListReviews implements catalogv1.CatalogServiceServer.
func (s *Server) ListReviews(ctx context.Context, req *catalogv1.ListReviewsRequest) (*catalogv1.ListReviewsResponse, error) {
	rp, err := s.app.Reviews(ctx, req.GetSlug(), page(req.GetPage(), req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListReviewsResponse{
		TotalCount: int32(rp.Rating.Count), TotalPages: int32(rp.TotalPages), AverageRating: rp.Rating.Average(),
		Reviews: make([]*catalogv1.Review, 0, len(rp.Reviews)),
	}
	for _, r := range rp.Reviews {
		resp.Reviews = append(resp.Reviews, toProtoReview(r))
	}
	return resp, nil
}

// PutMyReview implements catalogv1.CatalogServiceServer.
func (s *Server) PutMyReview(ctx context.Context, req *catalogv1.PutMyReviewRequest) (*catalogv1.PutMyReviewResponse, error) {
	caller, ok := auth.FromContext(ctx)
	if !ok {
		return nil, auth.ErrNoToken // the policy requires a token; this is defence in depth
	}
	r, tally, err := s.app.PutReview(ctx, req.GetSlug(), caller.UserID, req.GetRating(), req.GetTitle(), req.GetBody())
	if err != nil {
		return nil, err
	}
	return &catalogv1.PutMyReviewResponse{
		Review: toProtoReview(r), ReviewCount: int32(tally.Count), AverageRating: tally.Average(),
	}, nil
}
