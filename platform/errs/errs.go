// Package errs gives services one vocabulary of failures. Domain packages declare
// sentinel errors with New; stores and use cases wrap them with fmt.Errorf("…: %w");
// the gRPC server turns them into a status with google.rpc details exactly once,
// at the edge, so no handler builds status errors by hand and no internal detail
// leaks to a client.
package errs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Kind classifies a failure; each maps to one gRPC code (and so one HTTP status).
type Kind int

// The kinds of failure a client can act on.
const (
	Invalid            Kind = iota + 1 // 400: bad input
	Unauthenticated                    // 401: no or bad credentials
	PermissionDenied                   // 403: known caller, not allowed
	NotFound                           // 404: no such thing (or not yours)
	Conflict                           // 409: clashes with existing state
	FailedPrecondition                 // 400/412: not possible in the current state
	ResourceExhausted                  // 429: throttled or out of capacity
	Unavailable                        // 503: a dependency is down; retry later
	Unprocessable                      // 422: understood, but refused as sent (an idempotency key reused for another request)
)

var codeOf = map[Kind]codes.Code{
	Invalid:            codes.InvalidArgument,
	Unauthenticated:    codes.Unauthenticated,
	PermissionDenied:   codes.PermissionDenied,
	NotFound:           codes.NotFound,
	Conflict:           codes.AlreadyExists,
	FailedPrecondition: codes.FailedPrecondition,
	ResourceExhausted:  codes.ResourceExhausted,
	Unavailable:        codes.Unavailable,
	Unprocessable:      codes.FailedPrecondition,
}

// HTTPStatusKey is the ErrorInfo metadata key naming the HTTP status of a kind
// whose gRPC code maps to another one (Unprocessable: FailedPrecondition would
// be 400); the gateway answers with it.
const HTTPStatusKey = "http_status"

var httpStatusOf = map[Kind]string{Unprocessable: "422"}

// Domain is the ErrorInfo domain of every Jangteo error.
const Domain = "jangteo"

// Error is a failure a client may see: a kind, a stable machine-readable reason
// (UPPER_SNAKE_CASE), a human message and, for bad input, the offending fields.
type Error struct {
	Kind       Kind
	Reason     string
	Message    string
	Fields     []FieldViolation
	RetryAfter time.Duration
	sentinel   *Error
}

// FieldViolation names a request field and the rule it broke.
type FieldViolation struct {
	Field       string
	Description string
}

// New declares a sentinel error.
func New(kind Kind, reason, message string) *Error {
	return &Error{Kind: kind, Reason: reason, Message: message}
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is the sentinel e was derived from.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && (e == t || e.sentinel == t)
}

// With returns a copy of the sentinel with a more specific message; errors.Is
// still matches the sentinel.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	c.sentinel = e.root()
	return &c
}

// After returns a copy of the sentinel that tells the client when to retry.
func (e *Error) After(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	c.sentinel = e.root()
	return &c
}

// WithFields returns a copy of the sentinel naming the offending fields (or
// headers) as BadRequest field violations.
func (e *Error) WithFields(fields ...FieldViolation) *Error {
	c := *e
	c.Fields = fields
	c.sentinel = e.root()
	return &c
}

func (e *Error) root() *Error {
	if e.sentinel != nil {
		return e.sentinel
	}
	return e
}

// ErrInvalid is the sentinel behind every field-validation failure.
var ErrInvalid = New(Invalid, "INVALID_ARGUMENT", "invalid request")

// Field builds one field violation.
func Field(field, description string) FieldViolation {
	return FieldViolation{Field: field, Description: description}
}

// InvalidFields returns an InvalidArgument error naming every violated field.
func InvalidFields(violations ...FieldViolation) *Error {
	msg := "invalid request"
	if len(violations) > 0 {
		msg = violations[0].Field + ": " + violations[0].Description
	}
	e := ErrInvalid.With("%s", msg)
	e.Fields = violations
	return e
}

// Violations collects field violations while checking a request.
type Violations []FieldViolation

// Add records that field broke the rule described.
func (v *Violations) Add(field, description string) {
	*v = append(*v, Field(field, description))
}

// Err returns nil when nothing was recorded, else an InvalidArgument error.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return InvalidFields(v...)
}

// ToStatus converts any error into the status a client sees. The second result
// is false when err is not a client-facing failure: the caller logs err and the
// client gets a bare "internal error".
func ToStatus(err error) (*status.Status, bool) {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.status(), true
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "request cancelled"), true
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "deadline exceeded"), true
	}
	if st, ok := status.FromError(err); ok {
		return st, st.Code() != codes.Unknown && st.Code() != codes.Internal
	}
	return status.New(codes.Internal, "internal error"), false
}

func (e *Error) status() *status.Status {
	st := status.New(codeOf[e.Kind], e.Message)
	info := &errdetails.ErrorInfo{Reason: e.Reason, Domain: Domain}
	if hs, ok := httpStatusOf[e.Kind]; ok {
		info.Metadata = map[string]string{HTTPStatusKey: hs}
	}
	details := []protoadaptMessage{info}
	if len(e.Fields) > 0 {
		br := &errdetails.BadRequest{}
		for _, f := range e.Fields {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
				Field: f.Field, Description: f.Description,
			})
		}
		details = append(details, br)
	}
	if e.RetryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		return st
	}
	return withDetails
}
