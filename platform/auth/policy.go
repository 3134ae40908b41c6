package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
)

// Policy enforces each RPC's declared access level.
type Policy struct {
	verifier *Verifier
	audience string
	access   sync.Map // full method name → optionsv1.Access
}

// NewPolicy returns a policy that verifies tokens with v.
func NewPolicy(v *Verifier, opts ...PolicyOption) *Policy {
	p := &Policy{verifier: v}
	for _, o := range opts {
		o(p)
	}
	return p
}

// PolicyOption adjusts a Policy.
type PolicyOption func(*Policy)

// ForService makes it the policy of the service named name: its
// ACCESS_INTERNAL RPCs accept service tokens issued for name. A policy
// without it accepts none there.
func ForService(name string) PolicyOption {
	return func(p *Policy) { p.audience = name }
}

// AccessOf returns the access level declared for a full gRPC method name
// ("/jangteo.catalog.v1.CatalogService/CreateProduct"). Methods outside the
// jangteo packages (health, reflection) are public; a jangteo method without a
// declaration is an error, so a forgotten option fails closed.
func AccessOf(fullMethod string) (optionsv1.Access, error) {
	name := strings.ReplaceAll(strings.TrimPrefix(fullMethod, "/"), "/", ".")
	if !strings.HasPrefix(name, "jangteo.") {
		return optionsv1.Access_ACCESS_PUBLIC, nil
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
	if err != nil {
		return 0, fmt.Errorf("auth: method %s: %w", fullMethod, err)
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return 0, fmt.Errorf("auth: %s is not a method", fullMethod)
	}
	access, _ := proto.GetExtension(md.Options(), optionsv1.E_Access).(optionsv1.Access)
	if access == optionsv1.Access_ACCESS_UNSPECIFIED {
		return 0, fmt.Errorf("auth: method %s declares no access policy", fullMethod)
	}
	return access, nil
}

// CheckServer fails when any RPC registered on s lacks an access policy; servers
// call it at start so the mistake is found before the first request.
func CheckServer(s *grpc.Server) error {
	for svc, info := range s.GetServiceInfo() {
		for _, m := range info.Methods {
			if _, err := AccessOf("/" + svc + "/" + m.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Policy) accessOf(method string) (optionsv1.Access, error) {
	if a, ok := p.access.Load(method); ok {
		return a.(optionsv1.Access), nil
	}
	a, err := AccessOf(method)
	if err != nil {
		return 0, err
	}
	p.access.Store(method, a)
	return a, nil
}

// Authorize verifies the request's token (if any) against method's policy and
// returns ctx carrying the caller.
//
// ACCESS_INTERNAL RPCs take only a service token whose audience is this
// service: none is Unauthenticated, a user's token or another service's
// token PermissionDenied. Every other RPC takes only users' tokens, so a
// service token can never act as a user.
func (p *Policy) Authorize(ctx context.Context, method string) (context.Context, error) {
	access, err := p.accessOf(method)
	if err != nil {
		return ctx, err
	}
	token := bearer(ctx)
	if token == "" {
		switch access {
		case optionsv1.Access_ACCESS_PUBLIC:
			return ctx, nil
		case optionsv1.Access_ACCESS_INTERNAL:
			return ctx, ErrNoToken.With("this call is for Jangteo's services: send a service token")
		}
		return ctx, ErrNoToken
	}
	// A token sent to a public call must still be valid: silently ignoring a bad
	// one would show a signed-out page to a user who believes they are signed in.
	principal, err := p.verifier.Verify(ctx, token)
	if err != nil {
		return ctx, err
	}
	if access == optionsv1.Access_ACCESS_INTERNAL {
		switch {
		case !principal.IsService():
			return ctx, ErrServiceOnly
		case p.audience == "" || !slices.Contains(principal.Audience, p.audience):
			return ctx, ErrWrongAudience
		}
		return WithPrincipal(ctx, principal), nil
	}
	if principal.IsService() {
		return ctx, ErrUserRequired
	}
	switch access {
	case optionsv1.Access_ACCESS_STAFF:
		if !principal.IsStaff() {
			return ctx, ErrForbidden.With("this call needs the staff role")
		}
	case optionsv1.Access_ACCESS_ADMIN:
		if !principal.IsAdmin() {
			return ctx, ErrForbidden.With("this call needs the admin role")
		}
	}
	return WithPrincipal(ctx, principal), nil
}

func bearer(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if scheme, token, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "bearer") {
			return strings.TrimSpace(token)
		}
	}
	return ""
}

// UnaryInterceptor enforces the policy on unary calls.
func (p *Policy) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := p.Authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamInterceptor enforces the policy on streaming calls.
func (p *Policy) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := p.Authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &wrappedStream{ServerStream: ss, ctx: ctx})
	}
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w *wrappedStream) Context() context.Context { return w.ctx }
