package grpcapi

import (
	"context"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/app"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateProduct implements catalogv1.CatalogServiceServer.
func (s *Server) CreateProduct(ctx context.Context, req *catalogv1.CreateProductRequest) (*catalogv1.CreateProductResponse, error) {
	np := app.NewProduct{
		Product: domain.Product{
			Slug: req.GetSlug(), Name: req.GetName(), Description: req.GetDescription(),
			CategoryID: req.GetCategoryId(), BrandID: req.GetBrandId(), ImageURLs: req.GetImageUrls(),
			Price: toDomainMoney(req.GetPrice()),
		},
		Stock: int64(req.GetStock()),
		SKU:   req.GetSku(),
	}
	for _, o := range req.GetOptions() {
		np.Product.Options = append(np.Product.Options, domain.Option{Name: o.GetName(), Values: o.GetValues()})
	}
	for _, v := range req.GetVariants() {
		spec := domain.VariantSpec{Options: v.GetOptions(), SKU: v.GetSku(), Stock: int64(v.GetStock())}
		if v.GetPriceOverride() != nil {
			m := toDomainMoney(v.GetPriceOverride())
			if m.Currency == "" {
				m.Currency = np.Product.Price.Currency
			}
			spec.PriceOverride = &m
		}
		np.Variants = append(np.Variants, spec)
	}
	p, err := s.app.CreateProduct(ctx, np)
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
		Query:        req.GetQ(),
		CategorySlug: req.GetCategory(),
		BrandSlug:    req.GetBrand(),
		CauseSlug:    req.GetCause(),
		MinPrice:     req.MinPrice,
		MaxPrice:     req.MaxPrice,
		Options:      req.GetOptions(),
		InStock:      req.GetInStock(),
		Sort:         domain.Sort(req.GetSort()),
		Page:         page(req.GetPage(), req.GetPageSize()),
	})
	if err != nil {
		return nil, err
	}
	resp := &catalogv1.ListProductsResponse{
		TotalCount: int32(list.TotalCount), TotalPages: int32(list.TotalPages), Page: int32(list.Page),
		Products: make([]*catalogv1.Product, 0, len(list.Products)),
	}
	for _, p := range list.Products {
		resp.Products = append(resp.Products, toProtoProduct(p))
	}
	return resp, nil
}

// UpdateProduct implements catalogv1.CatalogServiceServer.
func (s *Server) UpdateProduct(ctx context.Context, req *catalogv1.UpdateProductRequest) (*catalogv1.UpdateProductResponse, error) {
	patch := domain.ProductPatch{
		Name: req.Name, Slug: req.Slug, Description: req.Description, CategoryID: req.CategoryId,
		BrandID: req.BrandId, Available: req.Available,
	}
	if req.GetPrice() != nil {
		m := toDomainMoney(req.GetPrice())
		patch.Price = &m
	}
	if req.GetSetImageUrls() {
		urls := append([]string{}, req.GetImageUrls()...)
		patch.ImageURLs = &urls
	}
	p, err := s.app.UpdateProduct(ctx, req.GetId(), patch)
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateProductResponse{Product: toProtoProduct(p)}, nil
}

// ArchiveProduct implements catalogv1.CatalogServiceServer.
func (s *Server) ArchiveProduct(ctx context.Context, req *catalogv1.ArchiveProductRequest) (*catalogv1.ArchiveProductResponse, error) {
	p, err := s.app.ArchiveProduct(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ArchiveProductResponse{Product: toProtoProduct(p)}, nil
}

// UpdateVariant implements catalogv1.CatalogServiceServer.
func (s *Server) UpdateVariant(ctx context.Context, req *catalogv1.UpdateVariantRequest) (*catalogv1.UpdateVariantResponse, error) {
	patch := app.VariantPatch{SKU: req.Sku, Stock: widen(req.Stock), ClearPriceOverride: req.GetClearPriceOverride()}
	if req.GetPriceOverride() != nil {
		m := toDomainMoney(req.GetPriceOverride())
		patch.PriceOverride = &m
	}
	p, err := s.app.UpdateVariant(ctx, req.GetId(), patch)
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateVariantResponse{Product: toProtoProduct(p)}, nil
}

// UploadProductImage implements catalogv1.CatalogServiceServer.
func (s *Server) UploadProductImage(ctx context.Context, req *catalogv1.UploadProductImageRequest) (*catalogv1.UploadProductImageResponse, error) {
	url, p, err := s.app.UploadProductImage(ctx, req.GetSlug(), req.GetContentType(), req.GetData())
	if err != nil {
		return nil, err
	}
	return &catalogv1.UploadProductImageResponse{Url: url, Product: toProtoProduct(p)}, nil
}

// widen converts an optional 32-bit count of the API to the domain's int64.
func widen(n *int32) *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}
