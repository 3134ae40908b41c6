package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// TagProducts records the products a style post tags, in order.
func (q *Queries) TagProducts(ctx context.Context, postID string, products []domain.TaggedProduct) error {
	const sql = `INSERT INTO post_products (post_id, position, product_id, product_slug, product_name, image_url)
		VALUES ($1, $2, $3, $4, $5, $6)`
	b := &pgx.Batch{}
	for i, p := range products {
		b.Queue(sql, postID, i, p.ID, p.Slug, p.Name, p.ImageURL)
	}
	if err := q.db.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("db: tag products: %w", err)
	}
	return nil
}

// AttachProducts fills in the tagged products of posts with one query.
func (q *Queries) AttachProducts(ctx context.Context, posts []domain.Post) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	const sql = `SELECT post_id, product_id, product_slug, product_name, image_url FROM post_products
		WHERE post_id = ANY($1::uuid[]) ORDER BY post_id, position`
	rows, err := q.db.Query(ctx, sql, ids)
	if err != nil {
		return fmt.Errorf("db: tagged products: %w", err)
	}
	defer rows.Close()
	byPost := map[string][]domain.TaggedProduct{}
	for rows.Next() {
		var postID string
		var p domain.TaggedProduct
		if err := rows.Scan(&postID, &p.ID, &p.Slug, &p.Name, &p.ImageURL); err != nil {
			return fmt.Errorf("db: scan tagged product: %w", err)
		}
		byPost[postID] = append(byPost[postID], p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: tagged products: %w", err)
	}
	for i := range posts {
		posts[i].Products = byPost[posts[i].ID]
	}
	return nil
}

// StylePosts pages the style board, newest first.
func (q *Queries) StylePosts(ctx context.Context, viewer string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, `b.kind = 'style'`)
}

// ProductStyles pages the style posts that tag a product, newest first.
func (q *Queries) ProductStyles(ctx context.Context, viewer, productID string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, `b.kind = 'style' AND p.id IN (SELECT pp.post_id FROM post_products pp WHERE pp.product_id = $4)`, productID)
}
