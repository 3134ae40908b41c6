// Package grpcapi serves the community service over gRPC.
package grpcapi

import communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"

// Server implements communityv1.CommunityServiceServer; every RPC answers Unimplemented
// until the service is built.
type Server struct {
	communityv1.UnimplementedCommunityServiceServer
}
