// Package domain holds the community's entities, rules and sentinel errors:
// boards, posts, comments and how their authors are shown. It knows nothing
// of protobuf or SQL.
package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jangteo/jangteo/platform/errs"
)

// Sentinel errors of the community.
var (
	ErrBoardNotFound       = errs.New(errs.NotFound, "BOARD_NOT_FOUND", "board not found")
	ErrBoardExists         = errs.New(errs.Conflict, "BOARD_EXISTS", "a board with this slug already exists")
	ErrPostNotFound        = errs.New(errs.NotFound, "POST_NOT_FOUND", "post not found")
	ErrCommentNotFound     = errs.New(errs.NotFound, "COMMENT_NOT_FOUND", "comment not found")
	ErrProfileNotFound     = errs.New(errs.NotFound, "PROFILE_NOT_FOUND", "member not found")
	ErrSelfFollow          = errs.New(errs.Invalid, "SELF_FOLLOW", "you cannot follow yourself")
	ErrNotAuthor           = errs.New(errs.PermissionDenied, "NOT_AUTHOR", "only the author may change this")
	ErrStaffOnly           = errs.New(errs.PermissionDenied, "STAFF_ONLY", "only staff may do this")
	ErrCatalogUnavailable  = errs.New(errs.Unavailable, "CATALOG_UNAVAILABLE", "the catalog cannot be reached; try again")
	ErrProductNotFound     = errs.New(errs.Invalid, "PRODUCT_NOT_FOUND", "no such product")
	ErrProductPageNotFound = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")
	ErrStyleBoard          = errs.New(errs.Invalid, "STYLE_BOARD", "style posts are written through /v1/styles")
	ErrBadCursor           = errs.New(errs.Invalid, "INVALID_CURSOR", "invalid cursor")
)

// FieldError derives from sentinel an error naming the request field at fault.
func FieldError(sentinel *errs.Error, field, description string) error {
	e := sentinel.With("%s: %s", field, description)
	e.Fields = []errs.FieldViolation{errs.Field(field, description)}
	return e
}

// Limits on what users write, counted in characters (runes).
const (
	MaxTitle      = 100
	MaxBody       = 5000
	MaxCommentLen = 1000
	MaxMedia      = 10
	MaxURL        = 2000
)

// BoardKind says who may post on a board and how it pages.
type BoardKind string

// Board kinds.
const (
	BoardGeneral BoardKind = "general"
	BoardNotice  BoardKind = "notice"
	BoardStyle   BoardKind = "style"
)

// Board is a place to post.
type Board struct {
	ID               string
	Slug             string
	Name             string
	Description      string
	Category         string
	Kind             BoardKind
	SchoolID         string // empty for a global board
	AnonymousAllowed bool
	Labels           []string
	Position         int
	CreatedAt        time.Time
}

// Caller is who makes a request: UserID is empty for a visitor without a token.
type Caller struct {
	UserID string
	Staff  bool
}

// SignedIn reports whether the caller sent a valid token.
func (c Caller) SignedIn() bool { return c.UserID != "" }

// CheckText checks a required text field's length in characters.
func CheckText(v *errs.Violations, field, s string, max int) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
	case strings.ContainsRune(s, 0):
		v.Add(field, "must not contain NUL characters")
	case n == 0:
		v.Add(field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, fmt.Sprintf("must be at most %d characters (got %d)", max, utf8.RuneCountInString(s)))
	}
}

// CheckOptionalText checks an optional text field's length in characters.
func CheckOptionalText(v *errs.Violations, field, s string, max int) {
	if s != "" {
		CheckText(v, field, s, max)
	}
}
