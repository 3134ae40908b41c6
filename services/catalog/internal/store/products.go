package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// optionRow is one element of products.options.
type optionRow struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

func toOptionRows(opts []domain.Option) []optionRow {
	rows := make([]optionRow, 0, len(opts))
	for _, o := range opts {
		rows = append(rows, optionRow{Name: o.Name, Values: o.Values})
	}
	return rows
}

func toDomainOptions(rows []optionRow) []domain.Option {
	opts := make([]domain.Option, 0, len(rows))
	for _, r := range rows {
		opts = append(opts, domain.Option{Name: r.Name, Values: r.Values})
	}
	return opts
}

// CreateProduct inserts p with its variants and returns it as stored. Run it
// in a transaction: it takes several statements.
func (s *Store) CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error) {
	at := now()
	p.ID = uuid.Must(uuid.NewV7()).String()
	if p.ImageURLs == nil {
		p.ImageURLs = []string{} // the column is NOT NULL; nil would be sent as NULL
	}
	const q = `INSERT INTO products (id, slug, name, description, category_id, brand_id, price_amount, currency,
			available, image_urls, options, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::uuid, $7, $8, $9, $10, $11, $12, $12)`
	if _, err := s.db.Exec(ctx, q, p.ID, p.Slug, p.Name, p.Description, p.CategoryID, p.BrandID,
		p.Price.Amount, p.Price.Currency, p.Available, p.ImageURLs, toOptionRows(p.Options), at); err != nil {
		return domain.Product{}, translate(err)
	}
	if err := s.insertVariants(ctx, p.ID, p.Variants); err != nil {
		return domain.Product{}, err
	}
	return s.product(ctx, p.ID, false)
}

func (s *Store) insertVariants(ctx context.Context, productID string, variants []domain.Variant) error {
	const q = `INSERT INTO variants (id, product_id, position, sku, options, stock, price_override_amount)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	b := &pgx.Batch{}
	for i, v := range variants {
		var override *int64
		if v.PriceOverride != nil {
			override = &v.PriceOverride.Amount
		}
		b.Queue(q, uuid.Must(uuid.NewV7()).String(), productID, i, v.SKU, v.Options, v.Stock, override)
	}
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return translate(err)
	}
	return nil
}

const productColumns = `p.id, p.slug, p.name, p.description, p.category_id, c.slug,
	coalesce(p.brand_id::text, ''), coalesce(b.slug, ''), coalesce(b.name, ''),
	p.price_amount, p.currency, p.available, p.archived_at IS NOT NULL, p.image_urls, p.options,
	p.variants_in_stock > 0,
	p.review_count, p.rating_sum, p.sold_count, p.created_at, p.updated_at`

const productFrom = ` FROM products p JOIN categories c ON c.id = p.category_id LEFT JOIN brands b ON b.id = p.brand_id`

func productDest(p *domain.Product, opts *[]optionRow) []any {
	return []any{&p.ID, &p.Slug, &p.Name, &p.Description, &p.CategoryID, &p.CategorySlug,
		&p.BrandID, &p.BrandSlug, &p.BrandName,
		&p.Price.Amount, &p.Price.Currency, &p.Available, &p.Archived, &p.ImageURLs, opts,
		&p.InStock, &p.ReviewCount, &p.RatingSum, &p.SoldCount, &p.CreatedAt, &p.UpdatedAt}
}

func scanProduct(r pgx.CollectableRow) (domain.Product, error) {
	var (
		p    domain.Product
		opts []optionRow
	)
	err := r.Scan(productDest(&p, &opts)...)
	p.Options = toDomainOptions(opts)
	return p, err
}

// Product returns the product with the given slug or id and its variants,
// archived or not, so old orders keep their links.
func (s *Store) Product(ctx context.Context, slugOrID string) (domain.Product, error) {
	return s.product(ctx, slugOrID, false)
}

// ProductForUpdate returns the product with id, locked until the
// transaction the store runs in ends.
func (s *Store) ProductForUpdate(ctx context.Context, id string) (domain.Product, error) {
	return s.product(ctx, id, true)
}

func (s *Store) product(ctx context.Context, slugOrID string, lock bool) (domain.Product, error) {
	where := ` WHERE p.slug = $1`
	args := []any{slugOrID}
	if id, err := uuid.Parse(slugOrID); err == nil {
		where += ` OR p.id = $2`
		args = append(args, id)
	}
	q := `SELECT ` + productColumns + productFrom + where
	if lock {
		q += ` FOR UPDATE OF p`
	}
	// The product and its variants, each with the market's prices from the
	// quote projection, go in one round trip: the round trips, not the
	// statements, are most of what a product page costs.
	vq := `SELECT ` + variantColumns + `, mq.buy_now, mq.sell_now, mq.currency
		FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN market_quotes mq ON mq.variant_id = v.id` + where +
		` ORDER BY v.position, v.id`
	batch := &pgx.Batch{}
	batch.Queue(q, args...)
	batch.Queue(vq, args...)
	res := s.db.SendBatch(ctx, batch)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return domain.Product{}, fmt.Errorf("db: product: %w", err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanProduct)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Product{}, domain.ErrProductNotFound
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("db: product: %w", err)
	}
	if rows, err = res.Query(); err != nil {
		return domain.Product{}, fmt.Errorf("db: variants: %w", err)
	}
	if p.Variants, err = pgx.CollectRows(rows, scanQuotedVariant); err != nil {
		return domain.Product{}, fmt.Errorf("db: variants: %w", err)
	}
	return p, res.Close()
}

const variantColumns = `v.id, v.product_id, v.sku, v.options, v.stock, v.price_override_amount, p.currency`

func scanVariant(r pgx.CollectableRow) (domain.Variant, error) {
	var (
		v        domain.Variant
		override *int64
		currency string
	)
	err := r.Scan(&v.ID, &v.ProductID, &v.SKU, &v.Options, &v.Stock, &override, &currency)
	if override != nil {
		v.PriceOverride = &domain.Money{Amount: *override, Currency: currency}
	}
	return v, err
}

// scanQuotedVariant reads variantColumns followed by the variant's market
// quote (buy now, sell now, currency), each NULL when nobody asks or bids.
func scanQuotedVariant(r pgx.CollectableRow) (domain.Variant, error) {
	var (
		v                  domain.Variant
		override, buy, sel *int64
		currency           string
		quoted             *string
	)
	err := r.Scan(&v.ID, &v.ProductID, &v.SKU, &v.Options, &v.Stock, &override, &currency, &buy, &sel, &quoted)
	if override != nil {
		v.PriceOverride = &domain.Money{Amount: *override, Currency: currency}
	}
	if buy != nil {
		v.BuyNow = &domain.Money{Amount: *buy, Currency: *quoted}
	}
	if sel != nil {
		v.SellNow = &domain.Money{Amount: *sel, Currency: *quoted}
	}
	return v, err
}

// SaveProduct writes p's editable fields (archiving stamps the time once)
// and returns it as stored.
func (s *Store) SaveProduct(ctx context.Context, p domain.Product) (domain.Product, error) {
	if p.ImageURLs == nil {
		p.ImageURLs = []string{}
	}
	const q = `UPDATE products SET slug = $2, name = $3, description = $4, category_id = $5,
			brand_id = NULLIF($6, '')::uuid, price_amount = $7, available = $8, image_urls = $9,
			archived_at = CASE WHEN $10 THEN coalesce(archived_at, $11) END, updated_at = $11
		WHERE id = $1`
	if _, err := s.db.Exec(ctx, q, p.ID, p.Slug, p.Name, p.Description, p.CategoryID, p.BrandID,
		p.Price.Amount, p.Available, p.ImageURLs, p.Archived, now()); err != nil {
		return domain.Product{}, translate(err)
	}
	return s.product(ctx, p.ID, false)
}

// Filter fragments of Products; each takes the next positional argument.
const (
	whereCategory = ` AND p.category_id IN (WITH RECURSIVE tree AS (
			SELECT id FROM categories WHERE slug = $%d
			UNION ALL
			SELECT c2.id FROM categories c2 JOIN tree t ON c2.parent_id = t.id
		) SELECT id FROM tree)`
	// The ILIKEs on name and description are each served by a pg_trgm GIN
	// index (three characters or more) ...
	whereQuery = ` AND (p.name ILIKE $%d OR p.description ILIKE $%[1]d`
	// ... and a two-character query, which has no trigram, by the bigram
	// index ($%d is the pair, lower-cased as the index is), which matches
	// exactly what the ILIKEs would.
	whereQueryPair = ` AND (p.search_bigrams @> ARRAY[lower($%d::text)]`
	// Products of the brands whose name matches (looked up beforehand, so
	// the planner sees the ids and combines the arms in a BitmapOr; a
	// subquery here would make it expect every brand and scan).
	whereQueryBrands = ` OR p.brand_id = ANY ($%d::uuid[])`

	whereBrand    = ` AND b.slug = $%d`
	whereCause    = ` AND p.brand_id IN (SELECT b2.id FROM brands b2 JOIN causes k ON k.id = b2.cause_id WHERE k.slug = $%d)`
	whereMinPrice = ` AND p.price_amount >= $%d`
	whereMaxPrice = ` AND p.price_amount <= $%d`
	// A variant must match every option filter at once (and have stock when asked).
	whereVariant        = ` AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.options @> $%d::jsonb`
	whereVariantInStock = ` AND v.stock > 0`
	// Without option filters, stock is the product's maintained count.
	whereInStock = ` AND p.variants_in_stock > 0`
)

// whereGoods keeps the public product list to goods: spaces (kind 'space')
// are listed by the SpaceService.
const whereGoods = ` AND p.kind = 'goods'`

// orderBy is the ORDER BY clause of each sort; id breaks ties so pages are stable.
var orderBy = map[domain.Sort]string{
	domain.SortNewest:    `p.created_at DESC, p.id DESC`,
	domain.SortPriceAsc:  `p.price_amount ASC, p.id ASC`,
	domain.SortPriceDesc: `p.price_amount DESC, p.id DESC`,
	domain.SortRating:    `(p.rating_sum::float8 / NULLIF(p.review_count, 0)) DESC NULLS LAST, p.review_count DESC, p.id DESC`,
	domain.SortPopular:   `p.sold_count DESC, p.review_count DESC, p.created_at DESC, p.id DESC`,
}

// productQuery builds the WHERE clause and arguments for f; brands are
// the ids of the brands whose name matches f.Query.
func productQuery(f domain.ProductFilter, brands []string) (string, []any) {
	var (
		where strings.Builder
		args  []any
	)
	add := func(fragment string, arg any) {
		args = append(args, arg)
		fmt.Fprintf(&where, fragment, len(args))
	}
	// What every public list shows at all, for the page and the count alike:
	// a condition on which products are listed belongs here.
	where.WriteString(` WHERE p.archived_at IS NULL`)
	where.WriteString(whereGoods)
	if f.CategorySlug != "" {
		add(whereCategory, f.CategorySlug)
	}
	if f.Query != "" {
		if utf8.RuneCountInString(f.Query) == 2 && !strings.Contains(f.Query, "\n") {
			add(whereQueryPair, f.Query)
		} else {
			add(whereQuery, "%"+escapeLike(f.Query)+"%")
		}
		if len(brands) > 0 {
			add(whereQueryBrands, brands)
		}
		where.WriteString(`)`)
	}
	if f.BrandSlug != "" {
		add(whereBrand, f.BrandSlug)
	}
	if f.CauseSlug != "" {
		add(whereCause, f.CauseSlug)
	}
	if f.MinPrice != nil {
		add(whereMinPrice, *f.MinPrice)
	}
	if f.MaxPrice != nil {
		add(whereMaxPrice, *f.MaxPrice)
	}
	if len(f.Options) == 0 && f.InStock {
		where.WriteString(whereInStock)
	} else if len(f.Options) > 0 {
		js, _ := json.Marshal(f.Options) // a map of strings always marshals
		add(whereVariant, string(js))
		if f.InStock {
			where.WriteString(whereVariantInStock)
		}
		where.WriteString(`)`)
	}
	return where.String(), args
}

// escapeLike makes q match literally inside an ILIKE pattern.
func escapeLike(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

// productsSQL returns the statements of Products: the page and the count.
// The page and the count go in one round trip as two statements: the page
// can then walk an index in sort order and stop after LIMIT rows, which a
// window count over every match would prevent.
func productsSQL(f domain.ProductFilter, brands []string) (page, count, variants string, args []any) {
	where, args := productQuery(f, brands)
	order, ok := orderBy[f.Sort]
	if !ok {
		order = orderBy[domain.SortNewest]
	}
	matching := ` FROM products p LEFT JOIN brands b ON b.id = p.brand_id` + where
	window := ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(f.Page.Size) + ` OFFSET ` + strconv.Itoa(f.Page.Offset())
	page = `SELECT ` + productColumns + productFrom + where + window
	count = `SELECT count(*)` + matching
	// The page's variants ride in the same round trip: the subquery walks
	// the page again (LIMIT rows of an index) rather than wait for its ids.
	// (Each statement reads its own snapshot: a product created between the
	// two could shift the page by one; its next read is whole again.)
	variants = `SELECT ` + variantColumns + ` FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.product_id IN (SELECT p.id` + matching + window + `) ORDER BY v.product_id, v.position, v.id`
	return page, count, variants, args
}

// Products returns one page of products that are not archived, matching f in
// f's order, with their variants, and how many match in all.
func (s *Store) Products(ctx context.Context, f domain.ProductFilter) ([]domain.Product, int64, error) {
	var brands []string
	if f.Query != "" {
		const named = `SELECT id::text FROM brands WHERE name ILIKE $1`
		rows, _ := s.db.Query(ctx, named, "%"+escapeLike(f.Query)+"%")
		var err error
		if brands, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, 0, fmt.Errorf("db: brands named: %w", err)
		}
	}
	q, count, variants, args := productsSQL(f, brands)
	batch := &pgx.Batch{}
	batch.Queue(q, args...)
	batch.Queue(count, args...)
	batch.Queue(variants, args...)
	res := s.db.SendBatch(ctx, batch)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, 0, fmt.Errorf("db: products: %w", err)
	}
	products, err := pgx.CollectRows(rows, scanProduct)
	if err != nil {
		return nil, 0, fmt.Errorf("db: products: %w", err)
	}
	var total int64
	if err := res.QueryRow().Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count products: %w", err)
	}
	if rows, err = res.Query(); err != nil {
		return nil, 0, fmt.Errorf("db: variants: %w", err)
	}
	vs, err := pgx.CollectRows(rows, scanVariant)
	if err != nil {
		return nil, 0, fmt.Errorf("db: variants: %w", err)
	}
	at := make(map[string]int, len(products))
	for i, p := range products {
		at[p.ID] = i
		products[i].Variants = []domain.Variant{}
	}
	for _, v := range vs {
		if i, ok := at[v.ProductID]; ok {
			products[i].Variants = append(products[i].Variants, v)
		}
	}
	if err := res.Close(); err != nil {
		return nil, 0, fmt.Errorf("db: products: %w", err)
	}
	return products, total, nil
}
