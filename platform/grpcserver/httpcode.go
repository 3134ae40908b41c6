package grpcserver

import (
	"context"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// HTTPCodeHeader is the response header metadata through which a handler asks
// the gateway for an HTTP status other than 200 (201 for creations, 202 for
// accepted work). The gateway removes it from the response.
const HTTPCodeHeader = "x-http-code"

// SetHTTPCode sets the HTTP status the gateway answers this call with.
func SetHTTPCode(ctx context.Context, code int) {
	_ = grpc.SetHeader(ctx, metadata.Pairs(HTTPCodeHeader, strconv.Itoa(code)))
}
