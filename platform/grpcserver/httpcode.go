package grpcserver

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
)

// HTTPCodeHeader is the response header metadata through which a handler asks
// the gateway for an HTTP status other than 200 (201 for creations, 202 for
// accepted work). The gateway removes it from the response.
const HTTPCodeHeader = "x-http-code"

// SetHTTPCode sets the HTTP status the gateway answers this call with.
func SetHTTPCode(ctx context.Context, code int) {
	_ = grpc.SetHeader(ctx, metadata.Pairs(HTTPCodeHeader, strconv.Itoa(code)))
}

// declaredHTTPCodes caches each method's (jangteo.options.v1.http_status).
var declaredHTTPCodes sync.Map // full method name → int

// DeclaredHTTPCode returns the success status a method declares in its .proto
// with (jangteo.options.v1.http_status), or 0.
func DeclaredHTTPCode(fullMethod string) int {
	if v, ok := declaredHTTPCodes.Load(fullMethod); ok {
		return v.(int)
	}
	code := 0
	name := strings.ReplaceAll(strings.TrimPrefix(fullMethod, "/"), "/", ".")
	if d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name)); err == nil {
		if md, ok := d.(protoreflect.MethodDescriptor); ok {
			v, _ := proto.GetExtension(md.Options(), optionsv1.E_HttpStatus).(int32)
			code = int(v)
		}
	}
	declaredHTTPCodes.Store(fullMethod, code)
	return code
}

// declaredHTTPCodeUnary answers a successful call with the HTTP status its
// method declares, so handlers of creations need not set 201 themselves.
func declaredHTTPCodeUnary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err == nil {
			if code := DeclaredHTTPCode(info.FullMethod); code != 0 {
				SetHTTPCode(ctx, code)
			}
		}
		return resp, err
	}
}
