// Package grpcapi serves the catalog over gRPC: it converts between protobuf and
// the domain and leaves access checks, validation and error mapping to the
// platform's interceptors.
package grpcapi

import (
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/app"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Server implements catalogv1.CatalogServiceServer.
type Server struct {
	catalogv1.UnimplementedCatalogServiceServer
	app *app.App
}

// New returns the gRPC server over the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

func page(number, size int32) domain.Page { return domain.NewPage(int(number), int(size)) }
