// Package grpcapi serves the cart over gRPC: it converts between protobuf and
// the domain and leaves access checks, validation and error mapping to the
// platform's interceptors.
package grpcapi

import (
	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
)

// Server implements cartv1.CartServiceServer.
type Server struct {
	cartv1.UnimplementedCartServiceServer
}

// New returns the gRPC server.
func New() *Server { return &Server{} }
