package grpcapi

import (
	"context"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
)

// ListBoardPosts implements communityv1.CommunityServiceServer.
func (s *Server) ListBoardPosts(ctx context.Context, req *communityv1.ListBoardPostsRequest) (*communityv1.ListBoardPostsResponse, error) {
	pg, err := s.app.BoardPosts(ctx, caller(ctx), app.BoardPostsQuery{
		Slug: req.GetSlug(), Label: req.GetLabel(), Cursor: req.GetCursor(),
		Page: int(req.GetPage()), PageSize: int(req.GetPageSize()),
	})
	if err != nil {
		return nil, err
	}
	return &communityv1.ListBoardPostsResponse{
		Board: toProtoBoard(pg.Board), Pinned: toProtoPosts(pg.Pinned), Posts: toProtoPosts(pg.Posts),
		NextCursor: pg.Next, TotalCount: int32(pg.TotalCount), TotalPages: int32(pg.TotalPages), Page: int32(pg.Page),
	}, nil
}

// CreatePost implements communityv1.CommunityServiceServer.
func (s *Server) CreatePost(ctx context.Context, req *communityv1.CreatePostRequest) (*communityv1.CreatePostResponse, error) {
	p, err := s.app.CreatePost(ctx, caller(ctx), app.NewPost{
		BoardSlug: req.GetSlug(), Title: req.GetTitle(), Body: req.GetBody(), MediaIDs: req.GetMediaIds(),
		Anonymous: req.GetAnonymous(), Label: req.GetLabel(), Pinned: req.GetPinned(),
	})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreatePostResponse{Post: toProtoPost(p)}, nil
}

// GetPost implements communityv1.CommunityServiceServer.
func (s *Server) GetPost(ctx context.Context, req *communityv1.GetPostRequest) (*communityv1.GetPostResponse, error) {
	p, err := s.app.Post(ctx, caller(ctx), req.GetId())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetPostResponse{Post: toProtoPost(p)}, nil
}

// UpdatePost implements communityv1.CommunityServiceServer.
func (s *Server) UpdatePost(ctx context.Context, req *communityv1.UpdatePostRequest) (*communityv1.UpdatePostResponse, error) {
	ch := app.PostChange{Title: req.Title, Body: req.Body, Label: req.Label, Pinned: req.Pinned}
	if req.GetMedia() != nil {
		ids := req.GetMedia().GetIds()
		ch.MediaIDs = &ids
	}
	p, err := s.app.UpdatePost(ctx, caller(ctx), req.GetId(), ch)
	if err != nil {
		return nil, err
	}
	return &communityv1.UpdatePostResponse{Post: toProtoPost(p)}, nil
}

// DeletePost implements communityv1.CommunityServiceServer.
func (s *Server) DeletePost(ctx context.Context, req *communityv1.DeletePostRequest) (*communityv1.DeletePostResponse, error) {
	if err := s.app.DeletePost(ctx, caller(ctx), req.GetId()); err != nil {
		return nil, err
	}
	return &communityv1.DeletePostResponse{}, nil
}

// HidePost implements communityv1.CommunityServiceServer.
func (s *Server) HidePost(ctx context.Context, req *communityv1.HidePostRequest) (*communityv1.HidePostResponse, error) {
	p, err := s.app.HidePost(ctx, caller(ctx), req.GetId(), req.GetHidden())
	if err != nil {
		return nil, err
	}
	return &communityv1.HidePostResponse{Post: toProtoPost(p)}, nil
}

// LikePost implements communityv1.CommunityServiceServer.
func (s *Server) LikePost(ctx context.Context, req *communityv1.LikePostRequest) (*communityv1.LikePostResponse, error) {
	t, err := s.app.LikePost(ctx, caller(ctx), req.GetId(), true)
	if err != nil {
		return nil, err
	}
	return &communityv1.LikePostResponse{LikeCount: int32(t.Count), Liked: t.On}, nil
}

// UnlikePost implements communityv1.CommunityServiceServer.
func (s *Server) UnlikePost(ctx context.Context, req *communityv1.UnlikePostRequest) (*communityv1.UnlikePostResponse, error) {
	t, err := s.app.LikePost(ctx, caller(ctx), req.GetId(), false)
	if err != nil {
		return nil, err
	}
	return &communityv1.UnlikePostResponse{LikeCount: int32(t.Count), Liked: t.On}, nil
}

// ScrapPost implements communityv1.CommunityServiceServer.
func (s *Server) ScrapPost(ctx context.Context, req *communityv1.ScrapPostRequest) (*communityv1.ScrapPostResponse, error) {
	t, err := s.app.Scrap(ctx, caller(ctx), req.GetId(), true)
	if err != nil {
		return nil, err
	}
	return &communityv1.ScrapPostResponse{ScrapCount: int32(t.Count), Scrapped: t.On}, nil
}

// UnscrapPost implements communityv1.CommunityServiceServer.
func (s *Server) UnscrapPost(ctx context.Context, req *communityv1.UnscrapPostRequest) (*communityv1.UnscrapPostResponse, error) {
	t, err := s.app.Scrap(ctx, caller(ctx), req.GetId(), false)
	if err != nil {
		return nil, err
	}
	return &communityv1.UnscrapPostResponse{ScrapCount: int32(t.Count), Scrapped: t.On}, nil
}

// ListMyScraps implements communityv1.CommunityServiceServer.
func (s *Server) ListMyScraps(ctx context.Context, req *communityv1.ListMyScrapsRequest) (*communityv1.ListMyScrapsResponse, error) {
	posts, next, err := s.app.Scraps(ctx, caller(ctx), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListMyScrapsResponse{Posts: toProtoPosts(posts), NextCursor: next}, nil
}
