// Package clients implements the app's ports over the gRPC APIs of the cart,
// the catalog and the payment service, translating their failures into the
// order service's own errors.
package clients

import (
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// reason returns the ErrorInfo reason of a gRPC error, if any.
func reason(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// message is the status message of a gRPC error.
func message(err error) string {
	if st, ok := status.FromError(err); ok {
		return st.Message()
	}
	return err.Error()
}

// unavailable maps a failure to reach a service to down (a 503 the client
// may retry) and keeps anything else as an internal error with context.
func unavailable(err error, down error, call string) error {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return fmt.Errorf("%s: %w", call, errors.Join(down, err))
	}
	return fmt.Errorf("%s: %w", call, err)
}
