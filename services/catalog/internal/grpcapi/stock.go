package grpcapi

import (
	"context"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// BatchGetVariants implements catalogv1.CatalogServiceServer.
func (s *Server) BatchGetVariants(ctx context.Context, req *catalogv1.BatchGetVariantsRequest) (*catalogv1.BatchGetVariantsResponse, error) {
	found, missing, err := s.app.VariantDetails(ctx, req.GetVariantIds())
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.BatchGetVariantsResponse{MissingIds: missing, Variants: make([]*catalogv1.VariantDetail, 0, len(found))}
	for _, d := range found {
		resp.Variants = append(resp.Variants, &catalogv1.VariantDetail{
			VariantId: d.ID, ProductId: d.ProductID, ProductSlug: d.ProductSlug, ProductName: d.ProductName,
			ImageUrl: d.ImageURL, Options: d.Options, UnitPrice: toProtoMoney(d.UnitPrice),
			Stock: d.Stock, Available: d.Available, Sku: d.SKU,
		})
	}
	return resp, nil
}

// ReserveStock implements catalogv1.CatalogServiceServer.
func (s *Server) ReserveStock(ctx context.Context, req *catalogv1.ReserveStockRequest) (*catalogv1.ReserveStockResponse, error) {
	lines := make([]domain.ReservationLine, 0, len(req.GetLines()))
	for _, l := range req.GetLines() {
		lines = append(lines, domain.ReservationLine{VariantID: l.GetVariantId(), Quantity: l.GetQuantity()})
	}
	r, err := s.app.ReserveStock(ctx, req.GetOrderId(), lines, req.GetTtl().AsDuration())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ReserveStockResponse{Reservation: toProtoReservation(r)}, nil
}

// CommitReservation implements catalogv1.CatalogServiceServer.
func (s *Server) CommitReservation(ctx context.Context, req *catalogv1.CommitReservationRequest) (*catalogv1.CommitReservationResponse, error) {
	r, err := s.app.CommitReservation(ctx, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.CommitReservationResponse{Reservation: toProtoReservation(r)}, nil
}

// ReleaseReservation implements catalogv1.CatalogServiceServer.
func (s *Server) ReleaseReservation(ctx context.Context, req *catalogv1.ReleaseReservationRequest) (*catalogv1.ReleaseReservationResponse, error) {
	r, err := s.app.ReleaseReservation(ctx, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ReleaseReservationResponse{Reservation: toProtoReservation(r)}, nil
}
