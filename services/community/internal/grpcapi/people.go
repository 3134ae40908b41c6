package grpcapi

import (
	"context"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
)

func toProtoProfile(p app.ProfileView) *communityv1.Profile {
	return &communityv1.Profile{
		UserId: p.UserID, Username: p.Username, Name: p.Name, AvatarUrl: p.AvatarURL,
		FollowerCount: int32(p.FollowerCount), FollowingCount: int32(p.FollowingCount),
		IsFollowing: p.IsFollowing, IsMe: p.IsMe,
	}
}

func toProtoProfiles(ps []app.ProfileView) []*communityv1.Profile {
	out := make([]*communityv1.Profile, len(ps))
	for i, p := range ps {
		out[i] = toProtoProfile(p)
	}
	return out
}

// GetProfile implements communityv1.CommunityServiceServer.
func (s *Server) GetProfile(ctx context.Context, req *communityv1.GetProfileRequest) (*communityv1.GetProfileResponse, error) {
	p, err := s.app.Profile(ctx, caller(ctx), req.GetUsername())
	if err != nil {
		return nil, err
	}
	return &communityv1.GetProfileResponse{Profile: toProtoProfile(p)}, nil
}

// ListFollowers implements communityv1.CommunityServiceServer.
func (s *Server) ListFollowers(ctx context.Context, req *communityv1.ListFollowersRequest) (*communityv1.ListFollowersResponse, error) {
	ps, next, err := s.app.Follows(ctx, caller(ctx), req.GetUsername(), false, req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListFollowersResponse{Profiles: toProtoProfiles(ps), NextCursor: next}, nil
}

// ListFollowing implements communityv1.CommunityServiceServer.
func (s *Server) ListFollowing(ctx context.Context, req *communityv1.ListFollowingRequest) (*communityv1.ListFollowingResponse, error) {
	ps, next, err := s.app.Follows(ctx, caller(ctx), req.GetUsername(), true, req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListFollowingResponse{Profiles: toProtoProfiles(ps), NextCursor: next}, nil
}

// FollowProfile implements communityv1.CommunityServiceServer.
func (s *Server) FollowProfile(ctx context.Context, req *communityv1.FollowProfileRequest) (*communityv1.FollowProfileResponse, error) {
	p, err := s.app.Follow(ctx, caller(ctx), req.GetUsername(), true)
	if err != nil {
		return nil, err
	}
	return &communityv1.FollowProfileResponse{Profile: toProtoProfile(p)}, nil
}

// UnfollowProfile implements communityv1.CommunityServiceServer.
func (s *Server) UnfollowProfile(ctx context.Context, req *communityv1.UnfollowProfileRequest) (*communityv1.UnfollowProfileResponse, error) {
	p, err := s.app.Follow(ctx, caller(ctx), req.GetUsername(), false)
	if err != nil {
		return nil, err
	}
	return &communityv1.UnfollowProfileResponse{Profile: toProtoProfile(p)}, nil
}

// ListProfilePosts implements communityv1.CommunityServiceServer.
func (s *Server) ListProfilePosts(ctx context.Context, req *communityv1.ListProfilePostsRequest) (*communityv1.ListProfilePostsResponse, error) {
	posts, next, err := s.app.ProfilePosts(ctx, caller(ctx), req.GetUsername(), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListProfilePostsResponse{Posts: toProtoPosts(posts), NextCursor: next}, nil
}

// ListFeed implements communityv1.CommunityServiceServer.
func (s *Server) ListFeed(ctx context.Context, req *communityv1.ListFeedRequest) (*communityv1.ListFeedResponse, error) {
	posts, next, err := s.app.Feed(ctx, caller(ctx), req.GetKind(), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &communityv1.ListFeedResponse{Posts: toProtoPosts(posts), NextCursor: next}, nil
}
