// Package grpcapi serves the order service over gRPC.
package grpcapi

import orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"

// Server implements orderv1.OrderServiceServer; every RPC answers Unimplemented
// until the service is built.
type Server struct {
	orderv1.UnimplementedOrderServiceServer
}
