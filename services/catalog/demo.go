package catalog

import (
	"context"
	"fmt"

	"github.com/jangteo/jangteo/services/catalog/internal/app"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// demoCause is a cause of the demo catalog with its brands.
type demoCause struct {
	name, summary, body string
	brands              []demoBrand
}

type demoBrand struct {
	name, summary, homepage string
	products                []demoProduct
}

type demoProduct struct {
	name, category, description string
	price                       int64
	options                     []domain.Option
}

// Option sets the demo products use.
var (
	sneakerSizes = domain.Option{Name: "size", Values: []string{"230", "240", "250", "260", "270", "280", "290"}}
	apparelSizes = domain.Option{Name: "size", Values: []string{"S", "M", "L", "XL"}}
	neutrals     = domain.Option{Name: "colour", Values: []string{"black", "white", "beige"}}
	brights      = domain.Option{Name: "colour", Values: []string{"navy", "green", "orange"}}
)

var demoCategories = []struct{ name, parent string }{
	{"신발", ""}, {"스니커즈", "신발"}, {"러닝화", "신발"}, {"부츠", "신발"},
	{"의류", ""}, {"상의", "의류"}, {"하의", "의류"}, {"아우터", "의류"},
	{"가방", ""}, {"생활용품", ""}, {"주방", "생활용품"}, {"욕실", "생활용품"},
}

var demoCatalog = []demoCause{
	{"해양 플라스틱", "바다로 흘러가는 플라스틱을 줄입니다.", "매년 800만 톤의 플라스틱이 바다로 흘러듭니다. 폐어망과 페트병을 다시 쓰는 브랜드를 소개합니다.", []demoBrand{
		{"바다살림", "폐어망으로 만든 가방과 신발", "https://example.org/badasalrim", []demoProduct{
			{"폐어망 토트백", "가방", "버려진 어망을 재활용한 튼튼한 토트백.", 39000, []domain.Option{neutrals}},
			{"Ocean Net Backpack", "가방", "A daypack woven from recovered fishing nets.", 69000, []domain.Option{brights}},
			{"리사이클 슬립온", "스니커즈", "페트병 원사로 만든 가벼운 슬립온.", 59000, []domain.Option{sneakerSizes, neutrals}},
			{"Wave Runner", "러닝화", "Running shoe with an upper from ocean-bound plastic.", 119000, []domain.Option{sneakerSizes, brights}},
			{"바다 에코 파우치", "가방", "작은 소지품을 위한 재활용 파우치.", 15000, nil},
			{"Recycled Beach Towel", "욕실", "Quick-dry towel spun from recycled bottles.", 29000, []domain.Option{brights}},
		}},
		{"Bluetide", "Swimwear and tees from recycled nylon", "https://example.org/bluetide", []demoProduct{
			{"Bluetide Organic Tee", "상의", "Heavyweight tee in organic cotton and recycled nylon.", 35000, []domain.Option{apparelSizes, neutrals}},
			{"블루타이드 래시가드", "상의", "재생 나일론 래시가드.", 59000, []domain.Option{apparelSizes, brights}},
			{"Boardshorts Re:Net", "하의", "Boardshorts made from regenerated fishing nets.", 49000, []domain.Option{apparelSizes, brights}},
			{"재생 나일론 윈드브레이커", "아우터", "가볍고 바람을 막는 재생 나일론 자켓.", 129000, []domain.Option{apparelSizes, neutrals}},
			{"Tide Cap", "상의", "Six-panel cap from recycled polyester.", 29000, []domain.Option{neutrals}},
		}},
	}},
	{"기후 위기", "탄소를 줄이는 소비를 돕습니다.", "제품의 생산부터 폐기까지 탄소 배출을 줄이는 브랜드들입니다.", []demoBrand{
		{"숲과나무", "FSC 인증 원목 생활용품", "https://example.org/forest", []demoProduct{
			{"대나무 칫솔 세트", "욕실", "생분해되는 대나무 칫솔 4개입.", 12000, nil},
			{"원목 도마", "주방", "FSC 인증 참나무 도마.", 45000, []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}}},
			{"Beeswax Food Wrap", "주방", "Reusable wraps instead of cling film.", 18000, []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}}},
			{"소이 캔들", "생활용품", "콩기름으로 만든 무향 캔들.", 22000, []domain.Option{{Name: "scent", Values: []string{"none", "cedar", "lavender"}}}},
			{"Handmade Ceramic Mug", "주방", "Wheel-thrown mug, fired in an electric kiln on green power.", 28000, []domain.Option{neutrals}},
			{"유리 텀블러", "주방", "내열 유리 텀블러와 코르크 슬리브.", 19000, nil},
		}},
		{"Greenstep", "Low-carbon footwear", "https://example.org/greenstep", []demoProduct{
			{"Greenstep Court Classic", "스니커즈", "Court sneaker with a sugarcane-based sole.", 109000, []domain.Option{sneakerSizes, neutrals}},
			{"그린스텝 트레일", "러닝화", "재생 고무 아웃솔 트레일 러닝화.", 139000, []domain.Option{sneakerSizes, brights}},
			{"Wool Runner", "러닝화", "Merino wool runner, machine washable.", 129000, []domain.Option{sneakerSizes, neutrals}},
			{"코르크 인솔 부츠", "부츠", "코르크 인솔을 넣은 첼시 부츠.", 189000, []domain.Option{sneakerSizes, neutrals}},
			{"Greenstep Canvas Low", "스니커즈", "Organic canvas low-top.", 79000, []domain.Option{sneakerSizes, brights}},
			{"그린스텝 슬리퍼", "스니커즈", "재생 EVA 슬리퍼.", 35000, []domain.Option{sneakerSizes}},
			{"Hiking Boot Re:Sole", "부츠", "Resoleable leather hiking boot.", 219000, []domain.Option{sneakerSizes}},
		}},
	}},
	{"공정 노동", "만드는 사람에게 정당한 대가를.", "생산자에게 공정한 임금을 지급하고 작업 환경을 공개하는 브랜드들입니다.", []demoBrand{
		{"함께짓다", "공정무역 면 의류", "https://example.org/together", []demoProduct{
			{"공정무역 후드티", "상의", "공정무역 인증 면으로 만든 오버핏 후드티.", 69000, []domain.Option{apparelSizes, neutrals}},
			{"린넨 셔츠", "상의", "인도 협동조합에서 직조한 린넨 셔츠.", 59000, []domain.Option{apparelSizes, neutrals}},
			{"와이드 데님 팬츠", "하의", "공정 임금 공장에서 만든 와이드 데님.", 79000, []domain.Option{apparelSizes}},
			{"Fair Cotton Sweatpants", "하의", "Brushed fleece sweatpants in fair-trade cotton.", 55000, []domain.Option{apparelSizes, brights}},
			{"울 니트 가디건", "아우터", "네팔 니터들이 손으로 뜬 울 가디건.", 98000, []domain.Option{apparelSizes, neutrals}},
			{"Everyday Socks 3-Pack", "하의", "Fair-trade cotton socks, three pairs.", 15000, []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}}},
			{"공정무역 에코백", "가방", "공정무역 캔버스 에코백.", 19000, []domain.Option{neutrals}},
		}},
		{"Makers Guild", "Small-batch goods, open supply chain", "https://example.org/makers", []demoProduct{
			{"Makers Field Jacket", "아우터", "Waxed cotton field jacket with a published cost breakdown.", 189000, []domain.Option{apparelSizes, neutrals}},
			{"메이커스 가죽 카드지갑", "가방", "식물성 무두질 가죽 카드지갑.", 39000, []domain.Option{neutrals}},
			{"Chore Coat", "아우터", "Heavy canvas chore coat.", 149000, []domain.Option{apparelSizes, brights}},
			{"Work Pants", "하의", "Double-knee work pants.", 89000, []domain.Option{apparelSizes, neutrals}},
			{"메이커스 캔버스 백팩", "가방", "수선 가능한 캔버스 백팩.", 119000, []domain.Option{neutrals}},
			{"Pocket Tee", "상의", "Pocket tee knitted and sewn in the same town.", 32000, []domain.Option{apparelSizes, brights}},
		}},
	}},
	{"동물 보호", "동물 실험과 동물성 원료 없이.", "비건 소재와 크루얼티 프리 인증 제품을 만드는 브랜드입니다.", []demoBrand{
		{"비건하우스", "비건 가죽 신발과 가방", "https://example.org/veganhouse", []demoProduct{
			{"선인장 가죽 스니커즈", "스니커즈", "선인장 가죽으로 만든 비건 스니커즈.", 149000, []domain.Option{sneakerSizes, neutrals}},
			{"Apple Leather Tote", "가방", "Tote in leather made from apple peel.", 99000, []domain.Option{neutrals}},
			{"비건 첼시 부츠", "부츠", "동물성 원료 없는 첼시 부츠.", 169000, []domain.Option{sneakerSizes, neutrals}},
			{"Vegan Loafer", "스니커즈", "Penny loafer in plant-based leather.", 129000, []domain.Option{sneakerSizes}},
			{"비건 미니 크로스백", "가방", "작고 가벼운 비건 크로스백.", 59000, []domain.Option{brights}},
			{"Cruelty-free Hand Soap", "욕실", "Plant-based hand soap, refillable glass bottle.", 14000, []domain.Option{{Name: "scent", Values: []string{"citrus", "mint"}}}},
			{"고체 샴푸 바", "욕실", "플라스틱 용기 없는 고체 샴푸.", 16000, nil},
		}},
		{"Paws & Planet", "Pet goods without animal testing", "https://example.org/paws", []demoProduct{
			{"Hemp Dog Leash", "생활용품", "Durable leash in hemp webbing.", 25000, []domain.Option{brights}},
			{"업사이클 반려견 방석", "생활용품", "자투리 원단으로 만든 방석.", 45000, []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}}},
			{"Organic Catnip Toy", "생활용품", "Organic catnip in a cotton fish.", 9000, nil},
			{"대나무 식기 세트", "주방", "반려동물용 대나무 식기.", 21000, []domain.Option{neutrals}},
			{"Paws Rain Jacket", "아우터", "Dog rain jacket from recycled polyester.", 39000, []domain.Option{apparelSizes, brights}},
			{"유기농 면 반려견 티셔츠", "상의", "유기농 면 반려견 티셔츠.", 19000, []domain.Option{apparelSizes}},
			{"Compostable Poop Bags", "생활용품", "120 compostable bags on paper cores.", 12000, nil},
			{"업사이클 캣타워", "생활용품", "버려진 가구 목재로 만든 캣타워.", 159000, nil},
		}},
	}},
}

// SeedDemo fills an empty catalog with a realistic demo for `jangteo dev`:
// a category tree, causes with their brands, and 50+ Korean and English
// products with sizes and colours, stock and a few price overrides, and
// demo spaces (demo_spaces.go). It does nothing when products already
// exist, so a second start keeps what the developer changed.
func (s *Service) SeedDemo(ctx context.Context) error {
	if err := s.seedDemoSpaces(ctx); err != nil {
		return err
	}
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM products WHERE kind = 'goods'`).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	categories := map[string]string{}
	for _, c := range demoCategories {
		got, err := s.app.CreateCategory(ctx, domain.Category{Name: c.name, ParentID: categories[c.parent]})
		if err != nil {
			return fmt.Errorf("seed category %s: %w", c.name, err)
		}
		categories[c.name] = got.ID
	}
	i := 0
	for _, dc := range demoCatalog {
		cause, err := s.app.CreateCause(ctx, domain.Cause{Name: dc.name, Summary: dc.summary, Body: dc.body})
		if err != nil {
			return fmt.Errorf("seed cause %s: %w", dc.name, err)
		}
		for _, db := range dc.brands {
			brand, err := s.app.CreateBrand(ctx, domain.Brand{
				Name: db.name, Summary: db.summary, Description: db.summary, HomepageURL: db.homepage, CauseID: cause.ID,
			})
			if err != nil {
				return fmt.Errorf("seed brand %s: %w", db.name, err)
			}
			for _, dp := range db.products {
				i++
				np := app.NewProduct{
					Product: domain.Product{
						Name: dp.name, Description: dp.description, CategoryID: categories[dp.category], BrandID: brand.ID,
						Price: domain.Money{Amount: dp.price, Currency: domain.DefaultCurrency}, Options: dp.options,
					},
					// Stock varies so in_stock filters have something to hide.
					Stock: int64(i*7) % 13,
				}
				// The biggest sneaker size of every third product costs more.
				if i%3 == 0 && len(dp.options) == 1 && dp.options[0].Name == "size" {
					o := dp.options[0]
					np.Variants = []domain.VariantSpec{{
						Options:       map[string]string{o.Name: o.Values[len(o.Values)-1]},
						Stock:         2,
						PriceOverride: &domain.Money{Amount: dp.price + 10000, Currency: domain.DefaultCurrency},
					}}
				}
				if _, err := s.app.CreateProduct(ctx, np); err != nil {
					return fmt.Errorf("seed product %s: %w", dp.name, err)
				}
			}
		}
	}
	return nil
}
