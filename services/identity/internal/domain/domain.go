// Package domain holds identity's entities, rules and sentinel errors. It
// knows nothing of protobuf or SQL.
package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/paging"
)

// Sentinel errors of identity.
var (
	ErrEmailTaken         = errs.New(errs.Conflict, "EMAIL_TAKEN", "an account with this email already exists")
	ErrUsernameTaken      = errs.New(errs.Conflict, "USERNAME_TAKEN", "this username is already in use")
	ErrInvalidCredentials = errs.New(errs.Unauthenticated, "INVALID_CREDENTIALS", "email or password is incorrect")
	ErrNotVerified        = errs.New(errs.PermissionDenied, "EMAIL_NOT_VERIFIED",
		"this account's email is not verified yet: follow the link we mailed you, or ask for a new one at /v1/auth/verify/resend")
	ErrDisabled       = errs.New(errs.PermissionDenied, "ACCOUNT_DISABLED", "this account is disabled")
	ErrLinkInvalid    = errs.New(errs.Invalid, "LINK_INVALID", "the link is invalid, already used or expired: ask for a new one")
	ErrRefreshInvalid = errs.New(errs.Unauthenticated, "REFRESH_TOKEN_INVALID", "the refresh token is invalid, expired or revoked: sign in again")
	ErrRefreshReused  = errs.New(errs.Unauthenticated, "REFRESH_TOKEN_REUSED",
		"the refresh token was already used: every session of this sign-in is revoked, sign in again")
	ErrThrottled       = errs.New(errs.ResourceExhausted, "TOO_MANY_ATTEMPTS", "too many sign-in attempts: try again later")
	ErrUserNotFound    = errs.New(errs.NotFound, "USER_NOT_FOUND", "user not found")
	ErrAddressNotFound = errs.New(errs.NotFound, "ADDRESS_NOT_FOUND", "address not found")
	ErrSocialToken     = errs.New(errs.Unauthenticated, "SOCIAL_TOKEN_INVALID", "the provider rejected the access token: sign in with the provider again")
	ErrProviderDown    = errs.New(errs.Unavailable, "PROVIDER_UNAVAILABLE", "the sign-in provider is not answering: try again later")
	// ErrSocialTaken means a concurrent sign-in linked the same provider
	// account first; the use case looks it up again.
	ErrSocialTaken = errs.New(errs.Conflict, "SOCIAL_ACCOUNT_LINKED", "this provider account is already linked")
	ErrSelfChange  = errs.New(errs.FailedPrecondition, "SELF_CHANGE", "admins cannot disable themselves or drop their own admin role")
)

// Account statuses.
const (
	StatusPending  = "pending_verification"
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Roles.
const (
	RoleCustomer = "customer"
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
)

// User is an account.
type User struct {
	ID            string
	Email         string
	EmailVerified bool
	Username      string
	Name          string
	Phone         string
	AvatarURL     string
	PasswordHash  string
	Roles         []string
	Status        string
	Providers     []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	School        School // zero until the community confirms a membership
}

// School is the school a user belongs to, as the community's campus
// confirmed it (by the school email link or staff approval).
type School struct {
	ID            string
	Slug          string
	Name          string
	AdmissionYear int
}

// NormalizeRoles keeps the known roles once, in a fixed order, always with customer.
func NormalizeRoles(roles []string) []string {
	out := []string{RoleCustomer}
	for _, r := range []string{RoleStaff, RoleAdmin} {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}

// NormalizeEmail trims and lower-cases an email; emails are compared without case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidEmail reports whether email is a bare address (no display name).
func ValidEmail(email string) bool { return mail.IsAddress(email) }

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_.]{3,30}$`)

// ValidUsername reports whether u is 3–30 letters, digits, '_' or '.'.
func ValidUsername(u string) bool { return usernameRE.MatchString(u) }

// ValidHTTPURL reports whether u is an absolute http(s) URL.
func ValidHTTPURL(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " \n\r\t")
}

// ProfileChange is a partial update of a profile; nil fields stay.
type ProfileChange struct {
	Name      *string
	Phone     *string
	AvatarURL *string
	Username  *string
}

// Address is a shipping address.
type Address struct {
	ID         string
	UserID     string
	Label      string
	Recipient  string
	Phone      string
	PostalCode string
	Line1      string
	Line2      string
	City       string
	Country    string
	IsDefault  bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AddressChange is a partial update of an address; nil fields stay.
type AddressChange struct {
	Label, Recipient, Phone, PostalCode, Line1, Line2, City, Country *string
	MakeDefault                                                      bool
}

// Session is what a successful sign-in returns.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	User         User
}

// Page is a page/size request.
type Page = paging.Page

// UserFilter narrows the admin user list.
type UserFilter struct {
	Query  string
	Status string
	Page   Page
}

// HoneypotAttempt is one request to the honeypot admin login.
type HoneypotAttempt struct {
	ID            string
	IP            string
	UserAgent     string
	Path          string
	UsernameTried string
	CreatedAt     time.Time
}
