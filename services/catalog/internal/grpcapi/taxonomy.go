package grpcapi

import (
	"context"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

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

// UpdateCategory implements catalogv1.CatalogServiceServer.
func (s *Server) UpdateCategory(ctx context.Context, req *catalogv1.UpdateCategoryRequest) (*catalogv1.UpdateCategoryResponse, error) {
	c, err := s.app.UpdateCategory(ctx, req.GetId(), domain.CategoryPatch{
		Name: req.Name, Slug: req.Slug, Description: req.Description, ParentID: req.ParentId, ImageURL: req.ImageUrl,
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateCategoryResponse{Category: toProtoCategory(c)}, nil
}

// DeleteCategory implements catalogv1.CatalogServiceServer.
func (s *Server) DeleteCategory(ctx context.Context, req *catalogv1.DeleteCategoryRequest) (*catalogv1.DeleteCategoryResponse, error) {
	if err := s.app.DeleteCategory(ctx, req.GetId()); err != nil {
		return nil, err
	}
	return &catalogv1.DeleteCategoryResponse{}, nil
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

// CreateCause implements catalogv1.CatalogServiceServer.
func (s *Server) CreateCause(ctx context.Context, req *catalogv1.CreateCauseRequest) (*catalogv1.CreateCauseResponse, error) {
	c, err := s.app.CreateCause(ctx, domain.Cause{
		Slug: req.GetSlug(), Name: req.GetName(), ImageURL: req.GetImageUrl(), Summary: req.GetSummary(), Body: req.GetBody(),
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateCauseResponse{Cause: toProtoCause(c)}, nil
}

// UpdateCause implements catalogv1.CatalogServiceServer.
func (s *Server) UpdateCause(ctx context.Context, req *catalogv1.UpdateCauseRequest) (*catalogv1.UpdateCauseResponse, error) {
	c, err := s.app.UpdateCause(ctx, req.GetId(), domain.CausePatch{
		Name: req.Name, Slug: req.Slug, ImageURL: req.ImageUrl, Summary: req.Summary, Body: req.Body,
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateCauseResponse{Cause: toProtoCause(c)}, nil
}

// DeleteCause implements catalogv1.CatalogServiceServer.
func (s *Server) DeleteCause(ctx context.Context, req *catalogv1.DeleteCauseRequest) (*catalogv1.DeleteCauseResponse, error) {
	if err := s.app.DeleteCause(ctx, req.GetId()); err != nil {
		return nil, err
	}
	return &catalogv1.DeleteCauseResponse{}, nil
}

// ListCauses implements catalogv1.CatalogServiceServer.
func (s *Server) ListCauses(ctx context.Context, _ *catalogv1.ListCausesRequest) (*catalogv1.ListCausesResponse, error) {
	causes, err := s.app.Causes(ctx)
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListCausesResponse{Causes: make([]*catalogv1.Cause, 0, len(causes))}
	for _, c := range causes {
		resp.Causes = append(resp.Causes, toProtoCause(c))
	}
	return resp, nil
}

// GetCause implements catalogv1.CatalogServiceServer.
func (s *Server) GetCause(ctx context.Context, req *catalogv1.GetCauseRequest) (*catalogv1.GetCauseResponse, error) {
	c, err := s.app.Cause(ctx, req.GetSlug())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetCauseResponse{Cause: toProtoCause(c)}, nil
}

// CreateBrand implements catalogv1.CatalogServiceServer.
func (s *Server) CreateBrand(ctx context.Context, req *catalogv1.CreateBrandRequest) (*catalogv1.CreateBrandResponse, error) {
	b, err := s.app.CreateBrand(ctx, domain.Brand{
		Slug: req.GetSlug(), Name: req.GetName(), LogoURL: req.GetLogoUrl(), HomepageURL: req.GetHomepageUrl(),
		Summary: req.GetSummary(), Description: req.GetDescription(), CauseID: req.GetCauseId(),
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateBrandResponse{Brand: toProtoBrand(b)}, nil
}

// UpdateBrand implements catalogv1.CatalogServiceServer.
func (s *Server) UpdateBrand(ctx context.Context, req *catalogv1.UpdateBrandRequest) (*catalogv1.UpdateBrandResponse, error) {
	b, err := s.app.UpdateBrand(ctx, req.GetId(), domain.BrandPatch{
		Name: req.Name, Slug: req.Slug, LogoURL: req.LogoUrl, HomepageURL: req.HomepageUrl,
		Summary: req.Summary, Description: req.Description, CauseID: req.CauseId,
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateBrandResponse{Brand: toProtoBrand(b)}, nil
}

// DeleteBrand implements catalogv1.CatalogServiceServer.
func (s *Server) DeleteBrand(ctx context.Context, req *catalogv1.DeleteBrandRequest) (*catalogv1.DeleteBrandResponse, error) {
	if err := s.app.DeleteBrand(ctx, req.GetId()); err != nil {
		return nil, err
	}
	return &catalogv1.DeleteBrandResponse{}, nil
}

// ListBrands implements catalogv1.CatalogServiceServer.
func (s *Server) ListBrands(ctx context.Context, req *catalogv1.ListBrandsRequest) (*catalogv1.ListBrandsResponse, error) {
	brands, err := s.app.Brands(ctx, req.GetCause())
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListBrandsResponse{Brands: make([]*catalogv1.Brand, 0, len(brands))}
	for _, b := range brands {
		resp.Brands = append(resp.Brands, toProtoBrand(b))
	}
	return resp, nil
}

// GetBrand implements catalogv1.CatalogServiceServer.
func (s *Server) GetBrand(ctx context.Context, req *catalogv1.GetBrandRequest) (*catalogv1.GetBrandResponse, error) {
	bp, err := s.app.Brand(ctx, req.GetSlug(), page(req.GetPage(), req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.GetBrandResponse{
		Brand: toProtoBrand(bp.Brand), TotalCount: int32(bp.Products.TotalCount), TotalPages: int32(bp.Products.TotalPages),
		Products: make([]*catalogv1.Product, 0, len(bp.Products.Products)),
	}
	for _, p := range bp.Products.Products {
		resp.Products = append(resp.Products, toProtoProduct(p))
	}
	return resp, nil
}
