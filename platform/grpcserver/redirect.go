package grpcserver

import (
	"context"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// LocationHeader is the response header metadata carrying the target of a
// redirect set with SetRedirect. The gateway turns it into the Location
// header and removes it.
const LocationHeader = "x-http-location"

// SetRedirect asks the gateway to answer this call with a redirect: HTTP
// status code (301, 302, 303, 307 or 308) and a Location header. gRPC callers
// get the response message as usual; over HTTP it is the redirect's body.
func SetRedirect(ctx context.Context, code int, location string) {
	_ = grpc.SetHeader(ctx, metadata.Pairs(HTTPCodeHeader, strconv.Itoa(code), LocationHeader, location))
}
