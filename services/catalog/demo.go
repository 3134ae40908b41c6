package catalog

import (
	"context"
	"fmt"

	"github.com/jangteo/jangteo/services/catalog/internal/app"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// SeedDemo fills an empty catalog with demo categories and products for
// `jangteo dev`. It does nothing when products already exist, so a second
// start keeps what the developer changed.
func (s *Service) SeedDemo(ctx context.Context) error {
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM products`).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	demo := []struct {
		category string
		products []string
		price    int64
	}{
		{"신발", []string{"나이키 에어포스 1 '07", "아디다스 삼바 OG", "뉴발란스 530", "컨버스 척 70", "Nike Dunk Low Panda", "Asics Gel-Kayano 14", "반스 올드스쿨"}, 119000},
		{"의류", []string{"오버핏 후드티", "린넨 셔츠", "와이드 데님 팬츠", "Organic Cotton Tee", "경량 패딩 조끼", "Recycled Fleece Jacket", "울 니트 가디건"}, 59000},
		{"생활용품", []string{"업사이클 에코백", "대나무 칫솔 세트", "Beeswax Food Wrap", "유리 텀블러", "소이 캔들", "Handmade Ceramic Mug"}, 19000},
	}
	for _, d := range demo {
		c, err := s.app.CreateCategory(ctx, domain.Category{Name: d.category})
		if err != nil {
			return fmt.Errorf("seed category %s: %w", d.category, err)
		}
		for i, name := range d.products {
			_, err := s.app.CreateProduct(ctx, app.NewProduct{Product: domain.Product{
				Name: name, CategoryID: c.ID, Description: name + " — Jangteo demo product.",
				Price: domain.Money{Amount: d.price + int64(i)*5000, Currency: "KRW"},
			}, Stock: 10})
			if err != nil {
				return fmt.Errorf("seed product %s: %w", name, err)
			}
		}
	}
	return nil
}
