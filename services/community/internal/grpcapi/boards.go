package grpcapi

import (
	"context"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// ListBoards implements communityv1.CommunityServiceServer.
func (s *Server) ListBoards(ctx context.Context, req *communityv1.ListBoardsRequest) (*communityv1.ListBoardsResponse, error) {
	boards, err := s.app.Boards(ctx, caller(ctx), req.GetSchoolId(), req.GetCategory())
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListBoardsResponse{Boards: make([]*communityv1.Board, 0, len(boards))}
	byCategory := map[string]*communityv1.BoardCategory{}
	for _, b := range boards {
		pb := toProtoBoard(b)
		resp.Boards = append(resp.Boards, pb)
		cat, ok := byCategory[b.Category]
		if !ok {
			cat = &communityv1.BoardCategory{Name: b.Category}
			byCategory[b.Category] = cat
			resp.Categories = append(resp.Categories, cat)
		}
		cat.Boards = append(cat.Boards, pb)
	}
	return resp, nil
}

// GetBoard implements communityv1.CommunityServiceServer.
func (s *Server) GetBoard(ctx context.Context, req *communityv1.GetBoardRequest) (*communityv1.GetBoardResponse, error) {
	b, err := s.app.Board(ctx, caller(ctx), req.GetSlug())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetBoardResponse{Board: toProtoBoard(b)}, nil
}

// CreateBoard implements communityv1.CommunityServiceServer.
func (s *Server) CreateBoard(ctx context.Context, req *communityv1.CreateBoardRequest) (*communityv1.CreateBoardResponse, error) {
	kind := domain.BoardGeneral
	switch req.GetKind() {
	case communityv1.BoardKind_BOARD_KIND_NOTICE:
		kind = domain.BoardNotice
	case communityv1.BoardKind_BOARD_KIND_STYLE:
		return nil, domain.FieldError(errs.ErrInvalid, "kind", "the style board is built in")
	}
	b, err := s.app.CreateBoard(ctx, domain.Board{
		Slug: req.GetSlug(), Name: req.GetName(), Description: req.GetDescription(), Category: req.GetCategory(),
		Kind: kind, SchoolID: req.GetSchoolId(), AnonymousAllowed: req.GetAnonymousAllowed(),
		Labels: req.GetLabels(), Position: int(req.GetPosition()),
	})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.CreateBoardResponse{Board: toProtoBoard(b)}, nil
}

// FavoriteBoard implements communityv1.CommunityServiceServer.
func (s *Server) FavoriteBoard(ctx context.Context, req *communityv1.FavoriteBoardRequest) (*communityv1.FavoriteBoardResponse, error) {
	b, err := s.app.SetFavorite(ctx, caller(ctx), req.GetSlug(), true)
	if err != nil {
		return nil, err
	}
	return &communityv1.FavoriteBoardResponse{Board: toProtoBoard(b)}, nil
}

// UnfavoriteBoard implements communityv1.CommunityServiceServer.
func (s *Server) UnfavoriteBoard(ctx context.Context, req *communityv1.UnfavoriteBoardRequest) (*communityv1.UnfavoriteBoardResponse, error) {
	b, err := s.app.SetFavorite(ctx, caller(ctx), req.GetSlug(), false)
	if err != nil {
		return nil, err
	}
	return &communityv1.UnfavoriteBoardResponse{Board: toProtoBoard(b)}, nil
}

// ListFavoriteBoards implements communityv1.CommunityServiceServer.
func (s *Server) ListFavoriteBoards(ctx context.Context, _ *communityv1.ListFavoriteBoardsRequest) (*communityv1.ListFavoriteBoardsResponse, error) {
	boards, err := s.app.FavoriteBoards(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListFavoriteBoardsResponse{Boards: make([]*communityv1.Board, 0, len(boards))}
	for _, b := range boards {
		resp.Boards = append(resp.Boards, toProtoBoard(b))
	}
	return resp, nil
}
