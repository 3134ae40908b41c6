// Package auth verifies access tokens and enforces the access policy each RPC
// declares in its .proto (jangteo.options.v1.access). Handlers never parse
// tokens: they ask the context who the caller is.
package auth

import (
	"context"
	"slices"
)

// Roles a user may hold.
const (
	RoleCustomer = "customer"
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
)

// Principal is the verified caller of a request.
type Principal struct {
	UserID string
	Roles  []string
	// TokenID is the access token's jti.
	TokenID string
}

// HasRole reports whether the caller holds role.
func (p Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

// IsStaff reports whether the caller is staff; admins are staff too.
func (p Principal) IsStaff() bool { return p.HasRole(RoleStaff) || p.HasRole(RoleAdmin) }

// IsAdmin reports whether the caller is an admin.
func (p Principal) IsAdmin() bool { return p.HasRole(RoleAdmin) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the verified caller, if the request carried a valid token.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
