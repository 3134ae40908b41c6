package gateway

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.uber.org/zap"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

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
	return func(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		if bodyTooLarge(r) {
			writeTooLarge(w, r)
			return
		}
		st := status.Convert(err)
		switch st.Code() {
		case codes.Unknown, codes.Internal:
			logging.For(r.Context(), log).Error("backend error", zap.String("path", r.URL.Path), zap.Error(err))
			st = status.New(codes.Internal, "internal error")
		case codes.Unavailable:
			// A service's own 503 (PROVIDER_UNAVAILABLE, a database outage)
			// carries its reason and Retry-After and is kept; a transport
			// failure (the service is down) carries nothing and gets both.
			if len(st.Details()) == 0 {
				st, _ = errs.ToStatus(errUnavailable)
			}
		case codes.InvalidArgument:
			if len(st.Details()) == 0 {
				st = gatewayInvalid(st.Message())
			}
		}
		renderStatus(w, r, st)
	}
}

var errUnavailable = errs.New(errs.Unavailable, "SERVICE_UNAVAILABLE", "service temporarily unavailable, retry shortly").After(time.Second)

// typeMismatch is how grpc-gateway reports a path parameter its field cannot
// hold.
var typeMismatch = regexp.MustCompile(`^type mismatch, parameter: ([A-Za-z0-9_.]+)`)

// gatewayInvalid gives a bad request found by grpc-gateway itself (a path
// parameter, a query value, a body) the shape services give theirs: an
// ErrorInfo reason and the field named in a BadRequest violation.
func gatewayInvalid(msg string) *status.Status {
	var err error
	switch m := fieldMessage.FindStringSubmatch(msg); {
	case m != nil:
		err = errs.InvalidFields(errs.Field(m[1], m[2]))
	case typeMismatch.MatchString(msg):
		err = errs.InvalidFields(errs.Field(typeMismatch.FindStringSubmatch(msg)[1], "is not a valid value"))
	default:
		err = errs.InvalidFields(errs.Field("request", "is not a valid request"))
	}
	st, _ := errs.ToStatus(err)
	return st
}

// routingErrorHandler answers a path no route has (404) and a method the path
// does not take (405 with Allow, read from the route table).
func routingErrorHandler(rs routes) runtime.RoutingErrorHandlerFunc {
	return func(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, code int) {
		switch code {
		case http.StatusMethodNotAllowed:
			allow := strings.Join(rs.allow(r.URL.Path), ", ")
			w.Header().Set("Allow", allow)
			renderStatusCode(w, status.New(codes.Unimplemented, "method "+r.Method+" is not allowed here; use "+allow), code)
		case http.StatusNotFound:
			renderStatusCode(w, status.New(codes.NotFound, "no such route: "+r.Method+" "+r.URL.Path), code)
		default:
			renderStatusCode(w, gatewayInvalid(""), http.StatusBadRequest)
		}
	}
}

// renderStatus writes st with the HTTP status its code maps to, or the 4xx
// its ErrorInfo names in its http_status metadata (422 for a reused
// idempotency key: a kind with no gRPC code of its own).
func renderStatus(w http.ResponseWriter, _ *http.Request, st *status.Status) {
	code := runtime.HTTPStatusFromCode(st.Code())
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if hs, err := strconv.Atoi(info.GetMetadata()[errs.HTTPStatusKey]); err == nil && hs >= 400 && hs < 500 {
				code = hs
			}
		}
	}
	renderStatusCode(w, st, code)
}

var statusJSON = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}

func renderStatusCode(w http.ResponseWriter, st *status.Status, code int) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			secs := int(ri.GetRetryDelay().AsDuration().Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		}
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="jangteo"`)
	}
	body, err := statusJSON.Marshal(st.Proto())
	if err != nil {
		body = []byte(`{"code":13,"message":"internal error","details":[]}`)
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
