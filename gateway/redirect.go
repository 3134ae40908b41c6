package gateway

import (
	"context"
	"net/http"
	"strconv"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/grpcserver"
)

// redirect answers with the redirect a handler asked for with
// grpcserver.SetRedirect: its 3xx status and a Location header. (httpCode
// applies only 2xx statuses, so the two never both write.)
func redirect(ctx context.Context, w http.ResponseWriter, _ proto.Message) error {
	md, ok := runtime.ServerMetadataFromContext(ctx)
	if !ok {
		return nil
	}
	location, codes := md.HeaderMD.Get(grpcserver.LocationHeader), md.HeaderMD.Get(grpcserver.HTTPCodeHeader)
	if len(location) == 0 || len(codes) == 0 {
		return nil
	}
	code, err := strconv.Atoi(codes[0])
	if err != nil || code < 300 || code > 399 {
		return nil
	}
	w.Header().Set("Location", location[0])
	w.WriteHeader(code)
	return nil
}

// withHTTPBody serves responses of type google.api.HttpBody as they are, with
// their own content type (the sandbox's HTML page); everything else goes
// through m.
func withHTTPBody(m runtime.Marshaler) runtime.Marshaler {
	return &runtime.HTTPBodyMarshaler{Marshaler: m}
}
