package grpcapi

import (
	"context"
	"net"
	"strings"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// ClientIP is the caller's IP: the gateway forwards the HTTP client's address
// as metadata x-forwarded-for (first value, first comma-separated entry);
// without it, the gRPC peer's address.
func ClientIP(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("x-forwarded-for"); len(v) > 0 {
		first, _, _ := strings.Cut(v[0], ",")
		if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
			return ip.String()
		}
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err == nil && net.ParseIP(host) != nil {
			return net.ParseIP(host).String()
		}
	}
	return ""
}

// UserAgent is the HTTP client's User-Agent: grpc-gateway forwards it as
// metadata grpcgateway-user-agent; a gateway that sets user-agent instead is
// read next (grpc-go appends its own product token there).
func UserAgent(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, k := range []string{"grpcgateway-user-agent", "user-agent"} {
		if v := md.Get(k); len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}
