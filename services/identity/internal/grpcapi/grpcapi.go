// Package grpcapi serves identity over gRPC: it converts between protobuf and
// the domain and leaves access checks, validation and error mapping to the
// platform's interceptors.
package grpcapi

import (
	"context"

	"github.com/jangteo/jangteo/platform/paging"

	"google.golang.org/protobuf/types/known/timestamppb"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/services/identity/internal/app"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// Server implements identityv1.IdentityServiceServer.
type Server struct {
	identityv1.UnimplementedIdentityServiceServer
	app    *app.App
	tokens *app.ServiceTokens
}

// New returns the gRPC server over the use cases and the service token grant.
func New(a *app.App, tokens *app.ServiceTokens) *Server { return &Server{app: a, tokens: tokens} }

// caller is the verified user of an authenticated call; the policy
// interceptor guarantees one.
func caller(ctx context.Context) string {
	p, _ := auth.FromContext(ctx)
	return p.UserID
}

// Login implements identityv1.IdentityServiceServer.
func (s *Server) Login(ctx context.Context, req *identityv1.LoginRequest) (*identityv1.LoginResponse, error) {
	sess, err := s.app.Login(ctx, req.GetEmail(), req.GetPassword(), ClientIP(ctx))
	if err != nil {
		return nil, err
	}
	return &identityv1.LoginResponse{
		AccessToken: sess.AccessToken, RefreshToken: sess.RefreshToken, ExpiresIn: int32(sess.ExpiresIn.Seconds()),
		TokenType: "Bearer", User: toProtoUser(sess.User),
	}, nil
}

// GetJwks implements identityv1.IdentityServiceServer.
func (s *Server) GetJwks(context.Context, *identityv1.GetJwksRequest) (*identityv1.GetJwksResponse, error) {
	resp := &identityv1.GetJwksResponse{}
	for _, k := range s.app.JWKS().Keys {
		resp.Keys = append(resp.Keys, &identityv1.JsonWebKey{Kty: k.Kty, Crv: k.Crv, X: k.X, Kid: k.Kid, Alg: k.Alg, Use: k.Use})
	}
	return resp, nil
}

// GetMe implements identityv1.IdentityServiceServer.
func (s *Server) GetMe(ctx context.Context, _ *identityv1.GetMeRequest) (*identityv1.GetMeResponse, error) {
	u, err := s.app.Me(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &identityv1.GetMeResponse{User: toProtoUser(u)}, nil
}

// SignUp implements identityv1.IdentityServiceServer.
func (s *Server) SignUp(ctx context.Context, req *identityv1.SignUpRequest) (*identityv1.SignUpResponse, error) {
	u, err := s.app.SignUp(ctx, app.SignUpRequest{Email: req.GetEmail(), Password: req.GetPassword(), Name: req.GetName(), Phone: req.GetPhone()})
	if err != nil {
		return nil, err
	}
	return &identityv1.SignUpResponse{User: toProtoUser(u)}, nil
}

// VerifyEmail implements identityv1.IdentityServiceServer.
func (s *Server) VerifyEmail(ctx context.Context, req *identityv1.VerifyEmailRequest) (*identityv1.VerifyEmailResponse, error) {
	u, err := s.app.VerifyEmail(ctx, req.GetToken())
	if err != nil {
		return nil, err
	}
	return &identityv1.VerifyEmailResponse{User: toProtoUser(u)}, nil
}

// ResendVerification implements identityv1.IdentityServiceServer.
func (s *Server) ResendVerification(ctx context.Context, req *identityv1.ResendVerificationRequest) (*identityv1.ResendVerificationResponse, error) {
	if err := s.app.ResendVerification(ctx, req.GetEmail()); err != nil {
		return nil, err
	}
	return &identityv1.ResendVerificationResponse{}, nil
}

// RefreshToken implements identityv1.IdentityServiceServer.
func (s *Server) RefreshToken(ctx context.Context, req *identityv1.RefreshTokenRequest) (*identityv1.RefreshTokenResponse, error) {
	sess, err := s.app.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return &identityv1.RefreshTokenResponse{
		AccessToken: sess.AccessToken, RefreshToken: sess.RefreshToken, ExpiresIn: int32(sess.ExpiresIn.Seconds()),
		TokenType: "Bearer", User: toProtoUser(sess.User),
	}, nil
}

// Logout implements identityv1.IdentityServiceServer.
func (s *Server) Logout(ctx context.Context, req *identityv1.LogoutRequest) (*identityv1.LogoutResponse, error) {
	if err := s.app.Logout(ctx, req.GetRefreshToken()); err != nil {
		return nil, err
	}
	return &identityv1.LogoutResponse{}, nil
}

// LogoutAll implements identityv1.IdentityServiceServer.
func (s *Server) LogoutAll(ctx context.Context, _ *identityv1.LogoutAllRequest) (*identityv1.LogoutAllResponse, error) {
	n, err := s.app.LogoutAll(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &identityv1.LogoutAllResponse{Revoked: int32(n)}, nil
}

// ForgotPassword implements identityv1.IdentityServiceServer.
func (s *Server) ForgotPassword(ctx context.Context, req *identityv1.ForgotPasswordRequest) (*identityv1.ForgotPasswordResponse, error) {
	if err := s.app.ForgotPassword(ctx, req.GetEmail()); err != nil {
		return nil, err
	}
	return &identityv1.ForgotPasswordResponse{}, nil
}

// ResetPassword implements identityv1.IdentityServiceServer.
func (s *Server) ResetPassword(ctx context.Context, req *identityv1.ResetPasswordRequest) (*identityv1.ResetPasswordResponse, error) {
	if err := s.app.ResetPassword(ctx, req.GetToken(), req.GetNewPassword()); err != nil {
		return nil, err
	}
	return &identityv1.ResetPasswordResponse{}, nil
}

// ChangePassword implements identityv1.IdentityServiceServer.
func (s *Server) ChangePassword(ctx context.Context, req *identityv1.ChangePasswordRequest) (*identityv1.ChangePasswordResponse, error) {
	if err := s.app.ChangePassword(ctx, caller(ctx), req.GetCurrentPassword(), req.GetNewPassword()); err != nil {
		return nil, err
	}
	return &identityv1.ChangePasswordResponse{}, nil
}

// UpdateMe implements identityv1.IdentityServiceServer.
func (s *Server) UpdateMe(ctx context.Context, req *identityv1.UpdateMeRequest) (*identityv1.UpdateMeResponse, error) {
	u, err := s.app.UpdateMe(ctx, caller(ctx), domain.ProfileChange{
		Name: req.Name, Phone: req.Phone, AvatarURL: req.AvatarUrl, Username: req.Username,
	})
	if err != nil {
		return nil, err
	}
	return &identityv1.UpdateMeResponse{User: toProtoUser(u)}, nil
}

// ListAddresses implements identityv1.IdentityServiceServer.
func (s *Server) ListAddresses(ctx context.Context, _ *identityv1.ListAddressesRequest) (*identityv1.ListAddressesResponse, error) {
	list, err := s.app.Addresses(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	resp := &identityv1.ListAddressesResponse{Addresses: make([]*identityv1.Address, 0, len(list))}
	for _, a := range list {
		resp.Addresses = append(resp.Addresses, toProtoAddress(a))
	}
	return resp, nil
}

// CreateAddress implements identityv1.IdentityServiceServer.
func (s *Server) CreateAddress(ctx context.Context, req *identityv1.CreateAddressRequest) (*identityv1.CreateAddressResponse, error) {
	a, err := s.app.CreateAddress(ctx, domain.Address{
		UserID: caller(ctx), Label: req.GetLabel(), Recipient: req.GetRecipient(), Phone: req.GetPhone(),
		PostalCode: req.GetPostalCode(), Line1: req.GetLine1(), Line2: req.GetLine2(), City: req.GetCity(),
		Country: req.GetCountry(), IsDefault: req.GetIsDefault(),
	})
	if err != nil {
		return nil, err
	}
	return &identityv1.CreateAddressResponse{Address: toProtoAddress(a)}, nil
}

// UpdateAddress implements identityv1.IdentityServiceServer.
func (s *Server) UpdateAddress(ctx context.Context, req *identityv1.UpdateAddressRequest) (*identityv1.UpdateAddressResponse, error) {
	a, err := s.app.UpdateAddress(ctx, caller(ctx), req.GetId(), domain.AddressChange{
		Label: req.Label, Recipient: req.Recipient, Phone: req.Phone, PostalCode: req.PostalCode,
		Line1: req.Line1, Line2: req.Line2, City: req.City, Country: req.Country, MakeDefault: req.GetIsDefault(),
	})
	if err != nil {
		return nil, err
	}
	return &identityv1.UpdateAddressResponse{Address: toProtoAddress(a)}, nil
}

// DeleteAddress implements identityv1.IdentityServiceServer.
func (s *Server) DeleteAddress(ctx context.Context, req *identityv1.DeleteAddressRequest) (*identityv1.DeleteAddressResponse, error) {
	if err := s.app.DeleteAddress(ctx, caller(ctx), req.GetId()); err != nil {
		return nil, err
	}
	return &identityv1.DeleteAddressResponse{}, nil
}

// SocialLogin implements identityv1.IdentityServiceServer.
func (s *Server) SocialLogin(ctx context.Context, req *identityv1.SocialLoginRequest) (*identityv1.SocialLoginResponse, error) {
	sess, created, err := s.app.SocialLogin(ctx, req.GetProvider(), req.GetAccessToken())
	if err != nil {
		return nil, err
	}
	return &identityv1.SocialLoginResponse{
		AccessToken: sess.AccessToken, RefreshToken: sess.RefreshToken, ExpiresIn: int32(sess.ExpiresIn.Seconds()),
		TokenType: "Bearer", User: toProtoUser(sess.User), Created: created,
	}, nil
}

// ListUsers implements identityv1.IdentityServiceServer.
func (s *Server) ListUsers(ctx context.Context, req *identityv1.ListUsersRequest) (*identityv1.ListUsersResponse, error) {
	list, err := s.app.Users(ctx, domain.UserFilter{
		Query: req.GetQ(), Status: req.GetStatus(),
		Page: paging.New(int(req.GetPage()), int(req.GetPageSize()), 20, 100),
	})
	if err != nil {
		return nil, err
	}
	resp := &identityv1.ListUsersResponse{
		TotalCount: int32(list.TotalCount), Page: int32(list.Page), TotalPages: int32(list.TotalPages),
		Users: make([]*identityv1.User, 0, len(list.Users)),
	}
	for _, u := range list.Users {
		resp.Users = append(resp.Users, toProtoUser(u))
	}
	return resp, nil
}

// DisableUser implements identityv1.IdentityServiceServer.
func (s *Server) DisableUser(ctx context.Context, req *identityv1.DisableUserRequest) (*identityv1.DisableUserResponse, error) {
	u, err := s.app.DisableUser(ctx, caller(ctx), req.GetUserId())
	if err != nil {
		return nil, err
	}
	return &identityv1.DisableUserResponse{User: toProtoUser(u)}, nil
}

// EnableUser implements identityv1.IdentityServiceServer.
func (s *Server) EnableUser(ctx context.Context, req *identityv1.EnableUserRequest) (*identityv1.EnableUserResponse, error) {
	u, err := s.app.EnableUser(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	return &identityv1.EnableUserResponse{User: toProtoUser(u)}, nil
}

// SetUserRoles implements identityv1.IdentityServiceServer.
func (s *Server) SetUserRoles(ctx context.Context, req *identityv1.SetUserRolesRequest) (*identityv1.SetUserRolesResponse, error) {
	u, err := s.app.SetRoles(ctx, caller(ctx), req.GetUserId(), req.GetRoles())
	if err != nil {
		return nil, err
	}
	return &identityv1.SetUserRolesResponse{User: toProtoUser(u)}, nil
}

// RecordHoneypotAttempt implements identityv1.IdentityServiceServer.
func (s *Server) RecordHoneypotAttempt(ctx context.Context, req *identityv1.RecordHoneypotAttemptRequest) (*identityv1.RecordHoneypotAttemptResponse, error) {
	ua := req.GetUserAgent()
	if ua == "" {
		ua = UserAgent(ctx)
	}
	blocked, err := s.app.RecordHoneypotAttempt(ctx, domain.HoneypotAttempt{
		IP: req.GetIp(), UserAgent: ua, Path: req.GetPath(), UsernameTried: req.GetUsernameTried(),
	})
	if err != nil {
		return nil, err
	}
	return &identityv1.RecordHoneypotAttemptResponse{Blocked: blocked}, nil
}

// ListBlockedIps implements identityv1.IdentityServiceServer.
func (s *Server) ListBlockedIps(ctx context.Context, _ *identityv1.ListBlockedIpsRequest) (*identityv1.ListBlockedIpsResponse, error) {
	ips, err := s.app.BlockedIPs(ctx)
	if err != nil {
		return nil, err
	}
	return &identityv1.ListBlockedIpsResponse{Ips: ips}, nil
}

// ListHoneypotAttempts implements identityv1.IdentityServiceServer.
func (s *Server) ListHoneypotAttempts(ctx context.Context, req *identityv1.ListHoneypotAttemptsRequest) (*identityv1.ListHoneypotAttemptsResponse, error) {
	list, next, err := s.app.HoneypotAttempts(ctx, req.GetIp(), req.GetPageToken(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &identityv1.ListHoneypotAttemptsResponse{NextPageToken: next, Attempts: make([]*identityv1.HoneypotAttempt, 0, len(list))}
	for _, a := range list {
		resp.Attempts = append(resp.Attempts, &identityv1.HoneypotAttempt{
			Id: a.ID, Ip: a.IP, UserAgent: a.UserAgent, Path: a.Path, UsernameTried: a.UsernameTried,
			CreateTime: timestamppb.New(a.CreatedAt),
		})
	}
	return resp, nil
}

// UnblockIp implements identityv1.IdentityServiceServer.
func (s *Server) UnblockIp(ctx context.Context, req *identityv1.UnblockIpRequest) (*identityv1.UnblockIpResponse, error) {
	was, err := s.app.UnblockIP(ctx, req.GetIp())
	if err != nil {
		return nil, err
	}
	return &identityv1.UnblockIpResponse{WasBlocked: was}, nil
}

func toProtoUser(u domain.User) *identityv1.User {
	out := &identityv1.User{
		Id: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, Status: u.Status,
		Username: u.Username, Phone: u.Phone, AvatarUrl: u.AvatarURL, EmailVerified: u.EmailVerified,
		Providers: u.Providers, CreateTime: timestamppb.New(u.CreatedAt), UpdateTime: timestamppb.New(u.UpdatedAt),
	}
	if s := u.School; s.ID != "" {
		out.School = &identityv1.UserSchool{Id: s.ID, Slug: s.Slug, Name: s.Name, AdmissionYear: int32(s.AdmissionYear)}
	}
	return out
}

func toProtoAddress(a domain.Address) *identityv1.Address {
	return &identityv1.Address{
		Id: a.ID, Label: a.Label, Recipient: a.Recipient, Phone: a.Phone, PostalCode: a.PostalCode,
		Line1: a.Line1, Line2: a.Line2, City: a.City, Country: a.Country, IsDefault: a.IsDefault,
		CreateTime: timestamppb.New(a.CreatedAt), UpdateTime: timestamppb.New(a.UpdatedAt),
	}
}
