// Package grpcapi serves the catalog over gRPC: it converts between protobuf and
// the domain and leaves access checks, validation and error mapping to the
// platform's interceptors.
package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
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

// CreateCategory implements catalogv1.CatalogServiceServer.
func (s *Server) CreateCategory(ctx context.Context, req *catalogv1.CreateCategoryRequest) (*catalogv1.CreateCategoryResponse, error) {
	c, err := s.app.CreateCategory(ctx, domain.Category{
		Slug: req.GetSlug(), Name: req.GetName(), Description: req.GetDescription(),
		ParentID: req.GetParentId(), ImageURL: req.GetImageUrl(),
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateCategoryResponse{Category: toProtoCategory(c)}, nil
}

// ListCategories implements catalogv1.CatalogServiceServer.
func (s *Server) ListCategories(ctx context.Context, _ *catalogv1.ListCategoriesRequest) (*catalogv1.ListCategoriesResponse, error) {
	tree, err := s.app.CategoryTree(ctx)
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListCategoriesResponse{}
	for _, c := range tree {
		resp.Categories = append(resp.Categories, toProtoCategory(c))
	}
	return resp, nil
}

// CreateProduct implements catalogv1.CatalogServiceServer.
func (s *Server) CreateProduct(ctx context.Context, req *catalogv1.CreateProductRequest) (*catalogv1.CreateProductResponse, error) {
	p, err := s.app.CreateProduct(ctx, domain.Product{
		Slug: req.GetSlug(), Name: req.GetName(), Description: req.GetDescription(),
		CategoryID: req.GetCategoryId(), ImageURLs: req.GetImageUrls(),
		Price: domain.Money{Amount: req.GetPrice().GetAmount(), Currency: req.GetPrice().GetCurrency()},
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateProductResponse{Product: toProtoProduct(p)}, nil
}

// GetProduct implements catalogv1.CatalogServiceServer.
func (s *Server) GetProduct(ctx context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	p, err := s.app.Product(ctx, req.GetSlug())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetProductResponse{Product: toProtoProduct(p)}, nil
}

// ListProducts implements catalogv1.CatalogServiceServer.
func (s *Server) ListProducts(ctx context.Context, req *catalogv1.ListProductsRequest) (*catalogv1.ListProductsResponse, error) {
	list, err := s.app.Products(ctx, domain.ProductFilter{
		CategorySlug: req.GetCategory(),
		Page:         domain.NewPage(int(req.GetPage()), int(req.GetPageSize())),
	})
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListProductsResponse{
		TotalCount: list.TotalCount, TotalPages: int32(list.TotalPages), Page: int32(list.Page),
		Products: make([]*catalogv1.Product, 0, len(list.Products)),
	}
	for _, p := range list.Products {
		resp.Products = append(resp.Products, toProtoProduct(p))
	}
	return resp, nil
}

func toProtoCategory(c domain.Category) *catalogv1.Category {
	out := &catalogv1.Category{
		Id: c.ID, Slug: c.Slug, Name: c.Name, Description: c.Description,
		ParentId: c.ParentID, ImageUrl: c.ImageURL,
	}
	for _, child := range c.Children {
		out.Children = append(out.Children, toProtoCategory(child))
	}
	return out
}

func toProtoProduct(p domain.Product) *catalogv1.Product {
	return &catalogv1.Product{
		Id: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description,
		CategoryId: p.CategoryID, CategorySlug: p.CategorySlug,
		Price:     &typev1.Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Available: p.Available, Archived: p.Archived, ImageUrls: p.ImageURLs,
		CreateTime: timestamppb.New(p.CreatedAt), UpdateTime: timestamppb.New(p.UpdatedAt),
	}
}
