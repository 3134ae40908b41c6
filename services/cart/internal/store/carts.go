package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// Every write starts by locking its cart's row (claimCart or createCart) and
// holds that lock to commit. Writes to one cart therefore run one at a time,
// a merge that holds both carts sees no line move under it, and a line never
// lands in a cart a merge has just deleted.

// claimCart locks the owner's existing cart, touching its updated_at, and
// returns its id; domain.ErrCartNotFound when there is none.
func claimCart(ctx context.Context, tx postgres.DB, o domain.Owner) (string, error) {
	q, arg := `UPDATE carts SET updated_at = now() WHERE token_hash = $1 AND user_id IS NULL RETURNING id`, any(o.TokenHash)
	if !o.Anonymous() {
		q, arg = `UPDATE carts SET updated_at = now() WHERE user_id = $1 RETURNING id`, o.UserID
	}
	var id string
	err := tx.QueryRow(ctx, q, arg).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.ErrCartNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: claim cart: %w", err)
	}
	return id, nil
}

// createCart locks the owner's cart, creating it when missing: a user's cart
// by upsert (two first adds race to one cart), an anonymous cart always new.
func createCart(ctx context.Context, tx postgres.DB, o domain.Owner) (id string, created bool, err error) {
	id = uuid.Must(uuid.NewV7()).String()
	if o.Anonymous() {
		if _, err := tx.Exec(ctx, `INSERT INTO carts (id, token_hash) VALUES ($1, $2)`, id, o.TokenHash); err != nil {
			return "", false, fmt.Errorf("db: create cart: %w", err)
		}
		return id, true, nil
	}
	const q = `INSERT INTO carts (id, user_id) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET updated_at = now()
		RETURNING id, xmax = 0`
	if err := tx.QueryRow(ctx, q, id, o.UserID).Scan(&id, &created); err != nil {
		return "", false, fmt.Errorf("db: upsert cart: %w", err)
	}
	return id, created, nil
}

// Cart returns the owner's cart with its lines; domain.ErrCartNotFound when
// there is none.
func (s *Store) Cart(ctx context.Context, o domain.Owner) (domain.Cart, error) {
	q, arg := `SELECT id, coalesce(user_id, ''), created_at, updated_at FROM carts WHERE token_hash = $1 AND user_id IS NULL`, any(o.TokenHash)
	if !o.Anonymous() {
		q, arg = `SELECT id, coalesce(user_id, ''), created_at, updated_at FROM carts WHERE user_id = $1`, o.UserID
	}
	var c domain.Cart
	err := s.db.QueryRow(ctx, q, arg).Scan(&c.ID, &c.UserID, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Cart{}, domain.ErrCartNotFound
	}
	if err != nil {
		return domain.Cart{}, fmt.Errorf("db: cart: %w", err)
	}
	if c.Lines, err = lines(ctx, s.db, c.ID); err != nil {
		return domain.Cart{}, err
	}
	return c, nil
}

// readCart reads a cart by id inside a write's transaction, so the write
// answers with the cart as its own commit leaves it, even if a merge deletes
// the cart right after.
func readCart(ctx context.Context, tx postgres.DB, cartID string) (domain.Cart, error) {
	var c domain.Cart
	err := tx.QueryRow(ctx, `SELECT id, coalesce(user_id, ''), created_at, updated_at FROM carts WHERE id = $1`, cartID).
		Scan(&c.ID, &c.UserID, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return domain.Cart{}, fmt.Errorf("db: read cart: %w", err)
	}
	if c.Lines, err = lines(ctx, tx, c.ID); err != nil {
		return domain.Cart{}, err
	}
	return c, nil
}

func lines(ctx context.Context, db postgres.DB, cartID string) ([]domain.Line, error) {
	const q = `SELECT id, cart_id, variant_id, product_id, product_slug, product_name, image_url, options,
			quantity, created_at, updated_at
		FROM cart_lines WHERE cart_id = $1 ORDER BY created_at, id`
	rows, err := db.Query(ctx, q, cartID)
	if err != nil {
		return nil, fmt.Errorf("db: lines: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Line, error) {
		var l domain.Line
		err := r.Scan(&l.ID, &l.CartID, &l.VariantID, &l.ProductID, &l.ProductSlug, &l.ProductName, &l.ImageURL,
			&l.Options, &l.Quantity, &l.CreatedAt, &l.UpdatedAt)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: lines: %w", err)
	}
	return out, nil
}

// AddResult is what AddLine did.
type AddResult struct {
	Cart        domain.Cart
	CartCreated bool
	LineID      string
	Quantity    int64
}

// AddLine adds l.Quantity units of l's variant to the owner's cart, creating
// the cart when create is set. The same variant raises its line in one
// INSERT … ON CONFLICT DO UPDATE whose condition keeps the line at or under
// maxQuantity, so concurrent adds add up exactly or fail with
// domain.ErrQuantityCap. syncedAt is when l's product facts were read.
// Several statements: run it in a transaction.
func (s *Store) AddLine(ctx context.Context, o domain.Owner, create bool, l domain.Line, maxQuantity int64, syncedAt time.Time) (AddResult, error) {
	var res AddResult
	var cartID string
	var err error
	if create {
		cartID, res.CartCreated, err = createCart(ctx, s.db, o)
	} else {
		cartID, err = claimCart(ctx, s.db, o)
	}
	if err != nil {
		return AddResult{}, err
	}
	if l.Options == nil {
		l.Options = map[string]string{}
	}
	const q = `INSERT INTO cart_lines (id, cart_id, variant_id, product_id, product_slug, product_name, image_url,
			options, quantity, product_synced_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (cart_id, variant_id) DO UPDATE SET
			quantity = cart_lines.quantity + EXCLUDED.quantity,
			product_slug = EXCLUDED.product_slug, product_name = EXCLUDED.product_name,
			image_url = EXCLUDED.image_url, options = EXCLUDED.options,
			product_synced_at = greatest(cart_lines.product_synced_at, EXCLUDED.product_synced_at),
			updated_at = now()
		WHERE cart_lines.quantity + EXCLUDED.quantity <= $11
		RETURNING id, quantity`
	err = s.db.QueryRow(ctx, q, uuid.Must(uuid.NewV7()), cartID, l.VariantID, l.ProductID, l.ProductSlug,
		l.ProductName, l.ImageURL, l.Options, l.Quantity, syncedAt, maxQuantity).Scan(&res.LineID, &res.Quantity)
	if errors.Is(err, pgx.ErrNoRows) {
		return AddResult{}, domain.FieldError(domain.ErrQuantityCap, "quantity", fmt.Sprintf("a line holds at most %d units", maxQuantity))
	}
	if err != nil {
		return AddResult{}, fmt.Errorf("db: add line: %w", err)
	}
	res.Cart, err = readCart(ctx, s.db, cartID)
	return res, err
}

// AdjustLine adds delta (negative to take) units to a line of the owner's
// cart in one conditional UPDATE; a line reaching 0 is removed in the same
// transaction. Over maxQuantity is domain.ErrQuantityCap.
func (s *Store) AdjustLine(ctx context.Context, o domain.Owner, lineID string, delta, maxQuantity int64) (domain.Cart, error) {
	return s.write(ctx, o, claimLineCart, func(tx postgres.DB, cartID string) error {
		const q = `UPDATE cart_lines SET quantity = quantity + $3, updated_at = now()
			WHERE id = $1 AND cart_id = $2 AND quantity + $3 BETWEEN 0 AND $4
			RETURNING quantity`
		var quantity int64
		err := tx.QueryRow(ctx, q, lineID, cartID, delta, maxQuantity).Scan(&quantity)
		if errors.Is(err, pgx.ErrNoRows) {
			exists, err := lineExists(ctx, tx, cartID, lineID)
			if err != nil {
				return err
			}
			if !exists {
				return domain.ErrLineNotFound
			}
			return domain.FieldError(domain.ErrQuantityCap, "id", fmt.Sprintf("a line holds at most %d units", maxQuantity))
		}
		if err != nil {
			return fmt.Errorf("db: adjust line: %w", err)
		}
		if quantity == 0 {
			_, err = tx.Exec(ctx, `DELETE FROM cart_lines WHERE id = $1`, lineID)
		}
		return err
	})
}

// SetLineQuantity sets a line of the owner's cart to quantity (≥ 1; the
// caller checks the cap and removes on 0).
func (s *Store) SetLineQuantity(ctx context.Context, o domain.Owner, lineID string, quantity int64) (domain.Cart, error) {
	return s.write(ctx, o, claimLineCart, func(tx postgres.DB, cartID string) error {
		tag, err := tx.Exec(ctx, `UPDATE cart_lines SET quantity = $3, updated_at = now() WHERE id = $1 AND cart_id = $2`,
			lineID, cartID, quantity)
		if err != nil {
			return fmt.Errorf("db: set quantity: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrLineNotFound
		}
		return nil
	})
}

// RemoveLine removes a line of the owner's cart.
func (s *Store) RemoveLine(ctx context.Context, o domain.Owner, lineID string) (domain.Cart, error) {
	return s.write(ctx, o, claimLineCart, func(tx postgres.DB, cartID string) error {
		tag, err := tx.Exec(ctx, `DELETE FROM cart_lines WHERE id = $1 AND cart_id = $2`, lineID, cartID)
		if err != nil {
			return fmt.Errorf("db: remove line: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrLineNotFound
		}
		return nil
	})
}

// Clear removes every line of the owner's cart; the cart itself stays.
func (s *Store) Clear(ctx context.Context, o domain.Owner) (domain.Cart, error) {
	return s.write(ctx, o, claimCart, func(tx postgres.DB, cartID string) error {
		if _, err := tx.Exec(ctx, `DELETE FROM cart_lines WHERE cart_id = $1`, cartID); err != nil {
			return fmt.Errorf("db: clear: %w", err)
		}
		return nil
	})
}

// write runs change on the owner's cart, locked by claim, and returns the
// cart as the change leaves it. Several statements: every method using it
// runs in a transaction.
func (s *Store) write(ctx context.Context, o domain.Owner,
	claim func(context.Context, postgres.DB, domain.Owner) (string, error),
	change func(tx postgres.DB, cartID string) error) (domain.Cart, error) {
	cartID, err := claim(ctx, s.db, o)
	if err != nil {
		return domain.Cart{}, err
	}
	if err := change(s.db, cartID); err != nil {
		return domain.Cart{}, err
	}
	return readCart(ctx, s.db, cartID)
}

// claimLineCart is claimCart for calls naming a line: a user without a cart
// has no such line either.
func claimLineCart(ctx context.Context, tx postgres.DB, o domain.Owner) (string, error) {
	id, err := claimCart(ctx, tx, o)
	if errors.Is(err, domain.ErrCartNotFound) && !o.Anonymous() {
		return "", domain.ErrLineNotFound
	}
	return id, err
}

func lineExists(ctx context.Context, tx postgres.DB, cartID, lineID string) (bool, error) {
	var exists bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cart_lines WHERE id = $1 AND cart_id = $2)`, lineID, cartID).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("db: line exists: %w", err)
	}
	return exists, nil
}

// Merge moves the anonymous cart whose token hashes to tokenHash into
// userID's cart and deletes it, in one transaction with both carts locked in
// id order. The same variant adds up, capped at maxQuantity; other lines move
// over keeping their ids. It reports false, changing nothing, when there is
// no such anonymous cart (never was, or merged already). Several statements:
// run it in a transaction.
func (s *Store) Merge(ctx context.Context, userID string, tokenHash []byte, maxQuantity int64) (bool, error) {
	var anonID string
	err := s.db.QueryRow(ctx, `SELECT id FROM carts WHERE token_hash = $1 AND user_id IS NULL`, tokenHash).Scan(&anonID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("db: merge: find anonymous cart: %w", err)
	}
	// Make sure the user's cart exists without locking it yet, so that
	// both locks are taken below in one statement, in id order.
	if _, err := s.db.Exec(ctx, `INSERT INTO carts (id, user_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`,
		uuid.Must(uuid.NewV7()), userID); err != nil {
		return false, fmt.Errorf("db: merge: user cart: %w", err)
	}
	const lock = `SELECT id, user_id IS NOT NULL FROM carts
		WHERE id = $1 OR user_id = $2 ORDER BY id FOR UPDATE`
	rows, err := s.db.Query(ctx, lock, anonID, userID)
	if err != nil {
		return false, fmt.Errorf("db: merge: lock: %w", err)
	}
	var userCartID string
	anonAlive := false
	for rows.Next() {
		var id string
		var isUser bool
		if err := rows.Scan(&id, &isUser); err != nil {
			rows.Close()
			return false, fmt.Errorf("db: merge: lock: %w", err)
		}
		if isUser {
			userCartID = id
		} else {
			anonAlive = true
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("db: merge: lock: %w", err)
	}
	if !anonAlive {
		return false, nil // a concurrent merge took it while we waited
	}
	if userCartID == "" {
		return false, errors.New("db: merge: user cart vanished")
	}
	const addUp = `UPDATE cart_lines u
		SET quantity = least(u.quantity + a.quantity, $3), updated_at = now()
		FROM cart_lines a
		WHERE a.cart_id = $1 AND u.cart_id = $2 AND u.variant_id = a.variant_id`
	if _, err := s.db.Exec(ctx, addUp, anonID, userCartID, maxQuantity); err != nil {
		return false, fmt.Errorf("db: merge: add up: %w", err)
	}
	const moveOver = `UPDATE cart_lines SET cart_id = $2, updated_at = now()
		WHERE cart_id = $1 AND variant_id NOT IN (SELECT variant_id FROM cart_lines WHERE cart_id = $2)`
	if _, err := s.db.Exec(ctx, moveOver, anonID, userCartID); err != nil {
		return false, fmt.Errorf("db: merge: move over: %w", err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM carts WHERE id = $1`, anonID); err != nil {
		return false, fmt.Errorf("db: merge: delete anonymous cart: %w", err)
	}
	if _, err := s.db.Exec(ctx, `UPDATE carts SET updated_at = now() WHERE id = $1`, userCartID); err != nil {
		return false, fmt.Errorf("db: merge: touch: %w", err)
	}
	return true, nil

}

// RemovePaid takes what a paid order bought out of the cart it was placed
// from: each bought
// variant's line loses the bought units and goes when none are left, so
// things added after checkout stay. Without lines, the cart is emptied. A
// cart that is gone or not userID's is left alone. Several statements: run it
// in a transaction.
func (s *Store) RemovePaid(ctx context.Context, cartID, userID string, paid []domain.PaidLine) error {
	var id string
	err := s.db.QueryRow(ctx, `UPDATE carts SET updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING id`, cartID, userID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("db: order paid: claim cart: %w", err)
	}
	if len(paid) == 0 {
		_, err := s.db.Exec(ctx, `DELETE FROM cart_lines WHERE cart_id = $1`, cartID)
		return err
	}
	variants, quantities := make([]string, len(paid)), make([]int64, len(paid))
	for i, p := range paid {
		variants[i], quantities[i] = p.VariantID, p.Quantity
	}
	const bought = `WITH paid AS (
			SELECT variant_id, sum(q) AS q FROM unnest($2::uuid[], $3::bigint[]) AS t (variant_id, q) GROUP BY variant_id)`
	if _, err := s.db.Exec(ctx, bought+`
		DELETE FROM cart_lines l USING paid p
		WHERE l.cart_id = $1 AND l.variant_id = p.variant_id AND l.quantity <= p.q`, cartID, variants, quantities); err != nil {
		return fmt.Errorf("db: order paid: remove lines: %w", err)
	}
	if _, err := s.db.Exec(ctx, bought+`
		UPDATE cart_lines l SET quantity = l.quantity - p.q, updated_at = now() FROM paid p
		WHERE l.cart_id = $1 AND l.variant_id = p.variant_id`, cartID, variants, quantities); err != nil {
		return fmt.Errorf("db: order paid: reduce lines: %w", err)
	}
	return nil
}
