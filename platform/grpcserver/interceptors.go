package grpcserver

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"buf.build/go/protovalidate"
	"github.com/google/uuid"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
)

// RequestIDHeader is the metadata key (and HTTP header) carrying the request id.
const RequestIDHeader = "x-request-id"

func requestContext(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	id := ""
	if v := md.Get(RequestIDHeader); len(v) > 0 && len(v[0]) <= 128 {
		id = v[0]
	}
	if id == "" {
		id = uuid.NewString()
	}
	return logging.WithRequestID(ctx, id)
}

func observeUnary(log *zap.Logger, m *metrics) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx = requestContext(ctx)
		start := time.Now()
		resp, err := handler(ctx, req)
		observe(ctx, log, m, info.FullMethod, start, err)
		return resp, err
	}
}

func observeStream(log *zap.Logger, m *metrics) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := requestContext(ss.Context())
		start := time.Now()
		err := handler(srv, &stream{ServerStream: ss, ctx: ctx})
		observe(ctx, log, m, info.FullMethod, start, err)
		return err
	}
}

func observe(ctx context.Context, log *zap.Logger, m *metrics, method string, start time.Time, err error) {
	code := status.Code(err)
	elapsed := time.Since(start)
	m.observe(method, code, elapsed)
	lvl := zap.DebugLevel
	if code == codes.Internal || code == codes.Unknown || code == codes.DataLoss {
		lvl = zap.ErrorLevel
	}
	if ce := logging.For(ctx, log).Check(lvl, "rpc"); ce != nil {
		ce.Write(zap.String("method", method), zap.String("code", code.String()), zap.Duration("elapsed", elapsed))
	}
}

func recoverUnary(log *zap.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				logging.For(ctx, log).Error("panic", zap.String("method", info.FullMethod), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(log *zap.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				logging.For(ss.Context(), log).Error("panic", zap.String("method", info.FullMethod), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(srv, ss)
	}
}

// ErrDatabaseUnavailable answers a call whose database could not be reached
// before anything was written: 503, retry shortly.
var ErrDatabaseUnavailable = errs.New(errs.Unavailable, "DATABASE_UNAVAILABLE", "the service cannot reach its database: retry shortly").After(2 * time.Second)

// toStatusErr is the one place an error becomes what a client sees; internal
// errors are logged here, once, and reach the client as "internal error".
func toStatusErr(ctx context.Context, log *zap.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if postgres.Unavailable(err) {
		logging.For(ctx, log).Warn("database unavailable", zap.String("method", method), zap.Error(err))
		err = ErrDatabaseUnavailable
	}
	st, public := errs.ToStatus(err)
	if !public {
		logging.For(ctx, log).Error("internal error", zap.String("method", method), zap.Error(err))
	}
	return st.Err()
}

func errorsUnary(log *zap.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		return resp, toStatusErr(ctx, log, info.FullMethod, err)
	}
}

func errorsStream(log *zap.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return toStatusErr(ss.Context(), log, info.FullMethod, handler(srv, ss))
	}
}

// validateUnary enforces the rules every field obeys (checkValues) and the
// protovalidate rules written in the .proto files, and reports each broken
// rule as a field violation.
func validateUnary(v protovalidate.Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		msg, ok := req.(proto.Message)
		if !ok {
			return handler(ctx, req)
		}
		if bad := checkValues(msg.ProtoReflect()); len(bad) > 0 {
			return nil, bad.Err()
		}
		if err := v.Validate(msg); err != nil {
			var verr *protovalidate.ValidationError
			if !errors.As(err, &verr) {
				return nil, err
			}
			var fields errs.Violations
			for _, vi := range verr.Violations {
				fields.Add(protovalidate.FieldPathString(vi.Proto.GetField()), vi.Proto.GetMessage())
			}
			return nil, fields.Err()
		}
		return handler(ctx, req)
	}
}

type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }
