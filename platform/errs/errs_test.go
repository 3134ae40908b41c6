package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/jangteo/jangteo/platform/errs"
)

var errNotFound = errs.New(errs.NotFound, "THING_NOT_FOUND", "thing not found")

func TestToStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		code    codes.Code
		message string
		public  bool
	}{
		{"sentinel", errNotFound, codes.NotFound, "thing not found", true},
		{"wrapped sentinel keeps its own message", fmt.Errorf("db: select: %w", errNotFound), codes.NotFound, "thing not found", true},
		{"specific message", errNotFound.With("no thing %q", "x"), codes.NotFound, `no thing "x"`, true},
		{"conflict", errs.New(errs.Conflict, "TAKEN", "taken"), codes.AlreadyExists, "taken", true},
		{"field violations", errs.InvalidFields(errs.Field("name", "must not be empty")), codes.InvalidArgument, "name: must not be empty", true},
		{"cancelled", context.Canceled, codes.Canceled, "request cancelled", true},
		{"status passes through", status.Error(codes.PermissionDenied, "no"), codes.PermissionDenied, "no", true},
		{"unknown error is internal and hidden", errors.New("pq: connection reset by 10.0.0.3"), codes.Internal, "internal error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, public := errs.ToStatus(tt.err)
			if st.Code() != tt.code || st.Message() != tt.message || public != tt.public {
				t.Fatalf("ToStatus = %v %q public=%v; want %v %q public=%v", st.Code(), st.Message(), public, tt.code, tt.message, tt.public)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	t.Parallel()
	var v errs.Violations
	v.Add("email", "must be a valid email address")
	v.Add("phone", "must be a valid phone number")
	st, _ := errs.ToStatus(fmt.Errorf("signup: %w", v.Err()))
	var info *errdetails.ErrorInfo
	var bad *errdetails.BadRequest
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			info = d
		case *errdetails.BadRequest:
			bad = d
		}
	}
	if info.GetReason() != "INVALID_ARGUMENT" || info.GetDomain() != errs.Domain {
		t.Fatalf("ErrorInfo = %v", info)
	}
	if len(bad.GetFieldViolations()) != 2 || bad.GetFieldViolations()[1].GetField() != "phone" {
		t.Fatalf("BadRequest = %v", bad)
	}

	throttled := errs.New(errs.ResourceExhausted, "TOO_MANY_ATTEMPTS", "slow down").After(90 * time.Second)
	st, _ = errs.ToStatus(throttled)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("code = %v", st.Code())
	}
	found := false
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay().AsDuration() == 90*time.Second {
			found = true
		}
	}
	if !found {
		t.Fatalf("no RetryInfo in %v", st.Details())
	}
	if !errors.Is(throttled, throttled) || !errors.Is(errNotFound.With("x"), errNotFound) || errors.Is(errNotFound, throttled) {
		t.Fatal("errors.Is does not follow the sentinel")
	}
	if errs.Violations(nil).Err() != nil {
		t.Fatal("empty Violations is an error")
	}
}

func TestUnprocessableNamesItsHTTPStatus(t *testing.T) {
	t.Parallel()
	st, public := errs.ToStatus(errs.New(errs.Unprocessable, "KEY_REUSED", "reused"))
	if st.Code() != codes.FailedPrecondition || !public {
		t.Fatalf("ToStatus = %v public=%v", st.Code(), public)
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if got := info.GetMetadata()[errs.HTTPStatusKey]; got != "422" {
				t.Fatalf("http_status = %q, want 422", got)
			}
			return
		}
	}
	t.Fatal("no ErrorInfo")
}
