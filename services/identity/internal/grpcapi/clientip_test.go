package grpcapi

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	withPeer := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 5000}})
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"first forwarded entry", metadata.NewIncomingContext(withPeer, metadata.Pairs("x-forwarded-for", "203.0.113.5, 10.0.0.1")), "203.0.113.5"},
		{"first of several values", metadata.NewIncomingContext(withPeer, metadata.Pairs("x-forwarded-for", "198.51.100.1", "x-forwarded-for", "1.1.1.1")), "198.51.100.1"},
		{"ipv6", metadata.NewIncomingContext(withPeer, metadata.Pairs("x-forwarded-for", " 2001:db8::1 ")), "2001:db8::1"},
		{"garbage falls back to the peer", metadata.NewIncomingContext(withPeer, metadata.Pairs("x-forwarded-for", "evil")), "10.1.2.3"},
		{"no header", withPeer, "10.1.2.3"},
		{"nothing", context.Background(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ClientIP(tt.ctx); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	gw := metadata.NewIncomingContext(context.Background(), metadata.Pairs("grpcgateway-user-agent", "Mozilla/5.0", "user-agent", "grpc-go/1.70"))
	plain := metadata.NewIncomingContext(context.Background(), metadata.Pairs("user-agent", "curl/8.5"))
	if got := UserAgent(gw); got != "Mozilla/5.0" {
		t.Fatalf("UserAgent(gateway) = %q", got)
	}
	if got := UserAgent(plain); got != "curl/8.5" {
		t.Fatalf("UserAgent(plain) = %q", got)
	}
}
