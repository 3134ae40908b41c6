package grpcapi

import (
	"context"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

// IssueServiceToken implements identityv1.IdentityServiceServer.
func (s *Server) IssueServiceToken(ctx context.Context, req *identityv1.IssueServiceTokenRequest) (*identityv1.IssueServiceTokenResponse, error) {
	tok, err := s.tokens.Issue(ctx, req.GetClientId(), req.GetClientSecret(), req.GetAudience())
	if err != nil {
		return nil, err
	}
	return &identityv1.IssueServiceTokenResponse{
		AccessToken: tok.Token, TokenType: "Bearer", ExpiresIn: int32(tok.ExpiresIn.Seconds()),
	}, nil
}
