package grpcapi

import (
	"context"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
)

// CreateStyle implements communityv1.CommunityServiceServer.
func (s *Server) CreateStyle(ctx context.Context, req *communityv1.CreateStyleRequest) (*communityv1.CreateStyleResponse, error) {
	p, err := s.app.CreateStyle(ctx, caller(ctx), app.NewStyle{MediaIDs: req.GetMediaIds(), Body: req.GetBody(), Products: req.GetProductSlugs()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateStyleResponse{Post: toProtoPost(p)}, nil
}

// ListStyles implements communityv1.CommunityServiceServer.
func (s *Server) ListStyles(ctx context.Context, req *communityv1.ListStylesRequest) (*communityv1.ListStylesResponse, error) {
	posts, next, err := s.app.Styles(ctx, caller(ctx), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListStylesResponse{Posts: toProtoPosts(posts), NextCursor: next}, nil
}

// ListProductStyles implements communityv1.CommunityServiceServer.
func (s *Server) ListProductStyles(ctx context.Context, req *communityv1.ListProductStylesRequest) (*communityv1.ListProductStylesResponse, error) {
	posts, next, err := s.app.ProductStyles(ctx, caller(ctx), req.GetSlug(), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListProductStylesResponse{Posts: toProtoPosts(posts), NextCursor: next}, nil
}

// UploadMedia implements communityv1.CommunityServiceServer.
func (s *Server) UploadMedia(ctx context.Context, req *communityv1.UploadMediaRequest) (*communityv1.UploadMediaResponse, error) {
	m, err := s.app.UploadMedia(ctx, caller(ctx), req.GetContentType(), req.GetData())
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.UploadMediaResponse{Media: &communityv1.Media{
		Id: m.ID, Url: m.URL, ContentType: m.ContentType, SizeBytes: int32(m.Size), // at most MaxMediaBytes
	}}, nil
}
