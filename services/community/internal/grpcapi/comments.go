package grpcapi

import (
	"context"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
)

// ListComments implements communityv1.CommunityServiceServer.
func (s *Server) ListComments(ctx context.Context, req *communityv1.ListCommentsRequest) (*communityv1.ListCommentsResponse, error) {
	c := caller(ctx)
	pg, err := s.app.Comments(ctx, c, app.CommentsQuery{PostID: req.GetId(), Cursor: req.GetCursor(), PageSize: int(req.GetPageSize())})
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListCommentsResponse{
		Comments: make([]*communityv1.Comment, 0, len(pg.Comments)), NextCursor: pg.Next, ViewerSignedIn: c.SignedIn(),
	}
	for _, cm := range pg.Comments {
		resp.Comments = append(resp.Comments, toProtoComment(cm))
	}
	return resp, nil
}

// CreateComment implements communityv1.CommunityServiceServer.
func (s *Server) CreateComment(ctx context.Context, req *communityv1.CreateCommentRequest) (*communityv1.CreateCommentResponse, error) {
	cm, err := s.app.CreateComment(ctx, caller(ctx), app.NewComment{Target: req.GetId(), Body: req.GetBody(), Anonymous: req.GetAnonymous()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateCommentResponse{Comment: toProtoComment(cm)}, nil
}

// CreateReply implements communityv1.CommunityServiceServer.
func (s *Server) CreateReply(ctx context.Context, req *communityv1.CreateReplyRequest) (*communityv1.CreateReplyResponse, error) {
	r, err := s.app.CreateReply(ctx, caller(ctx), app.NewComment{Target: req.GetId(), Body: req.GetBody(), Anonymous: req.GetAnonymous()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateReplyResponse{Reply: toProtoComment(r)}, nil
}

// UpdateComment implements communityv1.CommunityServiceServer.
func (s *Server) UpdateComment(ctx context.Context, req *communityv1.UpdateCommentRequest) (*communityv1.UpdateCommentResponse, error) {
	cm, err := s.app.UpdateComment(ctx, caller(ctx), req.GetId(), req.GetBody())
	if err != nil {
		return nil, err
	}
	return &communityv1.UpdateCommentResponse{Comment: toProtoComment(cm)}, nil
}

// DeleteComment implements communityv1.CommunityServiceServer.
func (s *Server) DeleteComment(ctx context.Context, req *communityv1.DeleteCommentRequest) (*communityv1.DeleteCommentResponse, error) {
	if err := s.app.DeleteComment(ctx, caller(ctx), req.GetId()); err != nil {
		return nil, err
	}
	return &communityv1.DeleteCommentResponse{}, nil
}

// HideComment implements communityv1.CommunityServiceServer.
func (s *Server) HideComment(ctx context.Context, req *communityv1.HideCommentRequest) (*communityv1.HideCommentResponse, error) {
	if err := s.app.HideComment(ctx, req.GetId(), req.GetHidden()); err != nil {
		return nil, err
	}
	return &communityv1.HideCommentResponse{}, nil
}

// LikeComment implements communityv1.CommunityServiceServer.
func (s *Server) LikeComment(ctx context.Context, req *communityv1.LikeCommentRequest) (*communityv1.LikeCommentResponse, error) {
	t, err := s.app.LikeComment(ctx, caller(ctx), req.GetId(), true)
	if err != nil {
		return nil, err
	}
	return &communityv1.LikeCommentResponse{LikeCount: int32(t.Count), Liked: t.On}, nil
}

// UnlikeComment implements communityv1.CommunityServiceServer.
func (s *Server) UnlikeComment(ctx context.Context, req *communityv1.UnlikeCommentRequest) (*communityv1.UnlikeCommentResponse, error) {
	t, err := s.app.LikeComment(ctx, caller(ctx), req.GetId(), false)
	if err != nil {
		return nil, err
	}
	return &communityv1.UnlikeCommentResponse{LikeCount: int32(t.Count), Liked: t.On}, nil
}
