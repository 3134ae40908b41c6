package store

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// migrated returns a pool on a fresh database with the catalog's schema.
func migrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(t.Context(), testkit.Database(t), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(t.Context(), pool, postgres.MigrationSet{Name: "catalog", FS: Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	return pool
}

// seedSearch loads n products, every 200th named with the rare word
// 가방, one brand named Makers, and one variant each.
func seedSearch(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO categories (id, slug, name) VALUES (gen_random_uuid(), 'all', '전체')`,
		`INSERT INTO brands (id, slug, name) VALUES (gen_random_uuid(), 'makers', 'Makers')`,
		`INSERT INTO products (id, slug, name, description, category_id, brand_id, price_amount, created_at)
			SELECT gen_random_uuid(), 'p-' || i,
				CASE WHEN i % 200 = 0 THEN '캔버스 가방 ' ELSE (ARRAY['에어 러너 ', '코튼 티셔츠 ', 'Wool Sweater '])[1 + i % 3] END || i,
				'편안한 착용감의 데일리 아이템 ' || i, (SELECT id FROM categories), (SELECT id FROM brands), 10000 + i,
				now() - i * interval '1 second'
			FROM generate_series(1, $1::int) i`,
		`INSERT INTO variants (id, product_id, stock) SELECT gen_random_uuid(), id, i % 3
			FROM (SELECT id, row_number() OVER () AS i FROM products) p`,
		`VACUUM ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{n}
		}
		if _, err := pool.Exec(t.Context(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestTwoCharacterSearchUsesIndex checks, with EXPLAIN, that a two-syllable
// query is answered from the bigram index (pg_trgm has no trigram for it),
// and that the answers are those of a plain substring match.
func TestTwoCharacterSearchUsesIndex(t *testing.T) {
	t.Parallel()
	pool := migrated(t)
	seedSearch(t, pool, 4000)
	st := New(pool)
	ctx := t.Context()

	f := domain.ProductFilter{Query: "가방", Sort: domain.SortNewest, Page: domain.NewPage(1, 20)}
	page, count, _, args := productsSQL(f, nil)
	for name, q := range map[string]string{"page": page, "count": count} {
		plan := explain(t, pool, q, args)
		if !strings.Contains(plan, "products_bigrams") {
			t.Errorf("%s query does not use products_bigrams:\n%s", name, plan)
		}
	}

	for _, q := range []string{"가방", "러너", "방 ", "가", "캔버스 가방", "MA", "ak"} {
		products, total, err := st.Products(ctx, domain.ProductFilter{Query: q, Sort: domain.SortNewest, Page: domain.NewPage(1, 100)})
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		pattern := "%" + escapeLike(q) + "%"
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM products p LEFT JOIN brands b ON b.id = p.brand_id
			WHERE p.name ILIKE $1 OR p.description ILIKE $1 OR b.name ILIKE $1`, pattern).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if total != want || len(products) != int(min(want, 100)) {
			t.Errorf("q=%q: total %d, %d on the page; a scan finds %d", q, total, len(products), want)
		}
	}
}

func explain(t *testing.T, pool *pgxpool.Pool, q string, args []any) string {
	t.Helper()
	rows, err := pool.Query(t.Context(), "EXPLAIN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestInStockFollowsStock checks the maintained count of variants in stock
// against the variants themselves, also when two transactions empty the
// last two variants of one product at the same time (each sees the other's
// variant still in stock; the count must still end at 0).
func TestInStockFollowsStock(t *testing.T) {
	t.Parallel()
	pool := migrated(t)
	ctx := t.Context()
	seedSearch(t, pool, 10)
	var product string
	if err := pool.QueryRow(ctx, `SELECT id FROM products WHERE slug = 'p-1'`).Scan(&product); err != nil {
		t.Fatal(err)
	}
	exec := func(db postgres.DB, q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(pool, `DELETE FROM variants WHERE product_id = $1`, product)
	exec(pool, `INSERT INTO variants (id, product_id, options, stock) VALUES
		(gen_random_uuid(), $1, '{"size": "260"}', 1), (gen_random_uuid(), $1, '{"size": "270"}', 1),
		(gen_random_uuid(), $1, '{"size": "280"}', 0)`, product)
	check := func(want int) {
		t.Helper()
		var kept, actual int
		if err := pool.QueryRow(ctx, `SELECT variants_in_stock,
				(SELECT count(*) FROM variants WHERE product_id = p.id AND stock > 0) FROM products p WHERE id = $1`,
			product).Scan(&kept, &actual); err != nil {
			t.Fatal(err)
		}
		if kept != want || actual != want {
			t.Fatalf("variants_in_stock = %d, variants with stock = %d, want %d", kept, actual, want)
		}
		p, err := New(pool).Product(ctx, product)
		if err != nil {
			t.Fatal(err)
		}
		if p.InStock != (want > 0) {
			t.Fatalf("in_stock = %v with %d variants in stock", p.InStock, want)
		}
	}
	check(2)

	// Both in flight at once: the second waits for the first's lock on the
	// product row, then counts from what the first committed.
	var wg sync.WaitGroup
	for _, size := range []string{"260", "270"} {
		wg.Go(func() {
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE variants SET stock = 0 WHERE product_id = $1 AND options->>'size' = $2`, product, size); err != nil {
					return err
				}
				time.Sleep(100 * time.Millisecond)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	check(0)

	exec(pool, `UPDATE variants SET stock = 5 WHERE product_id = $1 AND options->>'size' = '280'`, product)
	check(1)
	exec(pool, `UPDATE variants SET stock = 4 WHERE product_id = $1 AND options->>'size' = '280'`, product)
	check(1)
	exec(pool, `DELETE FROM variants WHERE product_id = $1 AND options->>'size' = '280'`, product)
	check(0)
}
