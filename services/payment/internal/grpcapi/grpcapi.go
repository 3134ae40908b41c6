// Package grpcapi serves the payment service over gRPC.
package grpcapi

import paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"

// Server implements paymentv1.PaymentServiceServer; every RPC answers Unimplemented
// until the service is built.
type Server struct {
	paymentv1.UnimplementedPaymentServiceServer
}
