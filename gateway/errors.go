package gateway

import (
	"context"
	"net/http"
	"strconv"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.uber.org/zap"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/logging"
)

// errorHandler renders a gRPC status as the JSON body every frontend parses:
//
//	{"code": 3, "message": "name: value length must be at least 1 characters",
//	 "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
//	              "field_violations": [{"field": "name", "description": "…"}]}]}
//
// with the HTTP status grpc-gateway maps the code to (or the 4xx an ErrorInfo
// names in its http_status metadata, as 422 for a reused idempotency key),
// Retry-After when the status carries RetryInfo, and WWW-Authenticate on 401.
func errorHandler(log *zap.Logger) runtime.ErrorHandlerFunc {
	return func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		st := status.Convert(err)
		if st.Code() == codes.Unknown || st.Code() == codes.Internal {
			logging.For(r.Context(), log).Error("backend error", zap.String("path", r.URL.Path), zap.Error(err))
			st = status.New(codes.Internal, "internal error")
		}
		if st.Code() == codes.Unavailable {
			st = status.New(codes.Unavailable, "service temporarily unavailable, retry shortly")
		}
		code := runtime.HTTPStatusFromCode(st.Code())
		for _, d := range st.Details() {
			switch d := d.(type) {
			case *errdetails.RetryInfo:
				secs := int(d.GetRetryDelay().AsDuration().Seconds() + 0.999)
				w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			case *errdetails.ErrorInfo:
				// A kind with no gRPC code of its own (422) names its status.
				if hs, err := strconv.Atoi(d.GetMetadata()[errs.HTTPStatusKey]); err == nil && hs >= 400 && hs < 500 {
					code = hs
				}
			}
		}
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="jangteo"`)
		}
		body, merr := m.Marshal(st.Proto())
		if merr != nil {
			body = []byte(`{"code":13,"message":"internal error"}`)
			code = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write(body)
	}
}
