// Package grpcapi serves the community over gRPC: it reads who is calling,
// converts requests to use-case inputs and the use cases' views to protobuf.
// Access checks, validation and error mapping are the platform's
// interceptors'. It converts views only, which never carry the author of
// anonymous content, so nothing here can leak one.
package grpcapi

import (
	"context"
	"net/http"

	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// Server implements communityv1.CommunityServiceServer.
type Server struct {
	communityv1.UnimplementedCommunityServiceServer
	app *app.App
}

// New returns the gRPC server over the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// caller is who the request comes from; a visitor has no user id.
func caller(ctx context.Context) domain.Caller {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return domain.Caller{}
	}
	return domain.Caller{UserID: p.UserID, Staff: p.IsStaff()}
}

func created(ctx context.Context) { grpcserver.SetHTTPCode(ctx, http.StatusCreated) }

func toProtoBoard(b app.BoardView) *communityv1.Board {
	kind := communityv1.BoardKind_BOARD_KIND_GENERAL
	switch b.Kind {
	case domain.BoardNotice:
		kind = communityv1.BoardKind_BOARD_KIND_NOTICE
	case domain.BoardStyle:
		kind = communityv1.BoardKind_BOARD_KIND_STYLE
	}
	return &communityv1.Board{
		Id: b.ID, Slug: b.Slug, Name: b.Name, Description: b.Description, Category: b.Category,
		Kind: kind, SchoolId: b.SchoolID, AnonymousAllowed: b.AnonymousAllowed, Labels: b.Labels,
		Favorite: b.Favorite, CreateTime: timestamppb.New(b.CreatedAt),
	}
}

func toProtoAuthor(a *domain.AuthorView) *communityv1.Author {
	if a == nil {
		return nil
	}
	out := &communityv1.Author{DisplayName: a.DisplayName, Anonymous: a.Anonymous, IsPostAuthor: a.IsPostAuthor}
	if a.Profile != nil && !a.Anonymous {
		out.Profile = toProtoProfileRef(*a.Profile)
	}
	return out
}

func toProtoProfileRef(p domain.Profile) *communityv1.ProfileRef {
	return &communityv1.ProfileRef{UserId: p.UserID, Username: p.Username, Name: p.Name, AvatarUrl: p.AvatarURL}
}

func toProtoViewer(v domain.Viewer) *communityv1.Viewer {
	return &communityv1.Viewer{SignedIn: v.SignedIn, Liked: v.Liked, Scrapped: v.Scrapped, Mine: v.Mine}
}

func toProtoPost(p domain.PostView) *communityv1.Post {
	out := &communityv1.Post{
		Id: p.ID, BoardSlug: p.BoardSlug, BoardName: p.BoardName, Author: toProtoAuthor(p.Author),
		Title: p.Title, Body: p.Body, MediaUrls: p.Media, Anonymous: p.Anonymous, Label: p.Label, Pinned: p.Pinned,
		LikeCount: int32(p.LikeCount), CommentCount: int32(p.CommentCount), ScrapCount: int32(p.ScrapCount),
		Viewer: toProtoViewer(p.Viewer), Deleted: p.Deleted, Hidden: p.Hidden,
		CreateTime: timestamppb.New(p.CreatedAt),
	}
	if p.EditedAt != nil {
		out.UpdateTime = timestamppb.New(*p.EditedAt)
	}
	// Posts written before uploads have URLs only (no ids).
	for i, url := range p.Media {
		m := &communityv1.Media{Url: url}
		if i < len(p.MediaIDs) {
			m.Id = p.MediaIDs[i]
		}
		out.Media = append(out.Media, m)
	}
	for _, tp := range p.Products {
		out.Products = append(out.Products, &communityv1.TaggedProduct{ProductId: tp.ID, Slug: tp.Slug, Name: tp.Name, ImageUrl: tp.ImageURL})
	}
	return out
}

func toProtoPosts(ps []domain.PostView) []*communityv1.Post {
	out := make([]*communityv1.Post, len(ps))
	for i, p := range ps {
		out[i] = toProtoPost(p)
	}
	return out
}

func toProtoComment(c domain.CommentView) *communityv1.Comment {
	out := &communityv1.Comment{
		Id: c.ID, PostId: c.PostID, ParentId: c.ParentID, Author: toProtoAuthor(c.Author),
		ReplyTo: toProtoAuthor(c.ReplyTo), Body: c.Body, LikeCount: int32(c.LikeCount),
		Viewer: toProtoViewer(c.Viewer), Deleted: c.Deleted, Hidden: c.Hidden,
		CreateTime: timestamppb.New(c.CreatedAt),
	}
	if c.EditedAt != nil {
		out.UpdateTime = timestamppb.New(*c.EditedAt)
	}
	for _, r := range c.Replies {
		out.Replies = append(out.Replies, toProtoComment(r))
	}
	return out
}
