// Package auth verifies access tokens and enforces the access policy each RPC
// declares in its .proto (jangteo.options.v1.access). Handlers never parse
// tokens: they ask the context who the caller is.
package auth

import (
	"context"
	"slices"
	"strings"
)

// Roles a user may hold.
const (
	RoleCustomer = "customer"
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
)

// ServiceSubjectPrefix starts the subject of a service token:
// "service:cart" is the cart service. User subjects are UUIDs.
const ServiceSubjectPrefix = "service:"

// ServiceSubject is the subject of the service named name's tokens.
func ServiceSubject(name string) string { return ServiceSubjectPrefix + name }

// Principal is the verified caller of a request: a user, or (on
// ACCESS_INTERNAL RPCs only) another Jangteo service.
type Principal struct {
	// UserID is the user's id; empty for a service.
	UserID string
	Roles  []string
	// Service is the calling service's name (cart, gateway, ...); empty for a user.
	Service string
	// Audience names the services a service token is for.
	Audience []string
	// TokenID is the access token's jti.
	TokenID string
}

// IsService reports whether the caller is a Jangteo service, not a user.
func (p Principal) IsService() bool { return p.Service != "" }

func principalOf(c Claims) Principal {
	if name, ok := strings.CutPrefix(c.Subject, ServiceSubjectPrefix); ok {
		return Principal{Service: name, Audience: c.Audience, TokenID: c.ID}
	}
	return Principal{UserID: c.Subject, Roles: c.Roles, TokenID: c.ID}
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

// FromContext returns the verified caller, if the request carried a valid
// token. On every RPC but ACCESS_INTERNAL ones the caller is a user.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// UserID returns the id of the signed-in user making the call, or ErrNoToken.
// Behind the access policy an AUTHENTICATED or STAFF call always has one, so
// handlers use it instead of each keeping their own check.
func UserID(ctx context.Context) (string, error) {
	if p, ok := FromContext(ctx); ok && p.UserID != "" {
		return p.UserID, nil
	}
	return "", ErrNoToken
}
