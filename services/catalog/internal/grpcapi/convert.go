package grpcapi

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

func toDomainMoney(m *typev1.Money) domain.Money {
	return domain.Money{Amount: m.GetAmount(), Currency: m.GetCurrency()}
}

func toProtoMoney(m domain.Money) *typev1.Money {
	return &typev1.Money{Amount: m.Amount, Currency: m.Currency}
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

func toProtoCause(c domain.Cause) *catalogv1.Cause {
	out := &catalogv1.Cause{
		Id: c.ID, Slug: c.Slug, Name: c.Name, ImageUrl: c.ImageURL, Summary: c.Summary, Body: c.Body,
	}
	for _, b := range c.Brands {
		out.Brands = append(out.Brands, toProtoBrand(b))
	}
	return out
}

func toProtoBrand(b domain.Brand) *catalogv1.Brand {
	return &catalogv1.Brand{
		Id: b.ID, Slug: b.Slug, Name: b.Name, LogoUrl: b.LogoURL, HomepageUrl: b.HomepageURL,
		Summary: b.Summary, Description: b.Description, CauseId: b.CauseID, CauseSlug: b.CauseSlug,
	}
}

func toProtoProduct(p domain.Product) *catalogv1.Product {
	out := &catalogv1.Product{
		Id: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description,
		CategoryId: p.CategoryID, CategorySlug: p.CategorySlug,
		BrandId: p.BrandID, BrandSlug: p.BrandSlug, BrandName: p.BrandName,
		Price:     toProtoMoney(p.Price),
		Available: p.Available, Archived: p.Archived, ImageUrls: p.ImageURLs,
		InStock: p.InStock, ReviewCount: int32(p.ReviewCount), AverageRating: p.AverageRating(),
		CreateTime: timestamppb.New(p.CreatedAt), UpdateTime: timestamppb.New(p.UpdatedAt),
	}
	for _, o := range p.Options {
		out.Options = append(out.Options, &catalogv1.ProductOption{Name: o.Name, Values: o.Values})
	}
	for _, v := range p.Variants {
		pv := &catalogv1.Variant{
			Id: v.ID, Sku: v.SKU, Options: v.Options, Stock: int32(v.Stock), Price: toProtoMoney(v.Price(p.Price)),
		}
		if v.PriceOverride != nil {
			pv.PriceOverride = toProtoMoney(*v.PriceOverride)
		}
		if v.BuyNow != nil {
			pv.BuyNowPrice = toProtoMoney(*v.BuyNow)
		}
		if v.SellNow != nil {
			pv.SellNowPrice = toProtoMoney(*v.SellNow)
		}
		out.Variants = append(out.Variants, pv)
	}
	return out
}

func toProtoReview(r domain.Review) *catalogv1.Review {
	return &catalogv1.Review{
		Id: r.ID, ProductId: r.ProductID, UserId: r.UserID, Rating: r.Rating.Stars(),
		Title: r.Title, Body: r.Body,
		CreateTime: timestamppb.New(r.CreatedAt), UpdateTime: timestamppb.New(r.UpdatedAt),
	}
}

var statuses = map[domain.ReservationStatus]catalogv1.Reservation_Status{
	domain.ReservationActive:    catalogv1.Reservation_STATUS_ACTIVE,
	domain.ReservationCommitted: catalogv1.Reservation_STATUS_COMMITTED,
	domain.ReservationReleased:  catalogv1.Reservation_STATUS_RELEASED,
}

func toProtoReservation(r domain.Reservation) *catalogv1.Reservation {
	out := &catalogv1.Reservation{
		OrderId: r.OrderID, Status: statuses[r.Status], ExpireTime: timestamppb.New(r.ExpiresAt),
	}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, &catalogv1.Reservation_Line{VariantId: l.VariantID, Quantity: l.Quantity})
	}
	return out
}
