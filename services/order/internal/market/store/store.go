// Package store keeps the resale market in PostgreSQL: the book of offers,
// trades and the ledger, in the order schema beside the orders trades
// become. Changes run inside the use case's transaction. Every change of a
// variant's open offers first takes the variant's advisory lock (LockVariant,
// or Open for the matcher's batch), so they are decided one after the other
// across every replica, and counts the book's version up (BookChanged,
// SetVersion), so a matcher holding the book in memory knows when to read it
// again (LoadBook).
package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	orderstore "github.com/jangteo/jangteo/services/order/internal/store"
)

// Store reads the market on the pool.
type Store struct{ pool *pgxpool.Pool }

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool is the store's pool, for the use cases' transactions.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

const lockVariant = `SELECT pg_advisory_xact_lock(hashtextextended('market:' || $1, 0))`

// LockVariant takes the variant's matching lock until the transaction ends.
func LockVariant(ctx context.Context, tx pgx.Tx, variantID string) error {
	if _, err := tx.Exec(ctx, lockVariant, variantID); err != nil {
		return fmt.Errorf("db: lock variant: %w", err)
	}
	return nil
}

const offerCols = `id, side, user_id, variant_id, price, currency, status, coalesce(trade_id::text, ''), expires_at, created_at, shipping`

// scanOffer reads offerCols, then extra columns into extra.
func scanOffer(row pgx.Row, extra ...any) (domain.Offer, error) {
	var (
		o    domain.Offer
		ship *orderstore.ShippingJSON
	)
	err := row.Scan(append([]any{&o.ID, &o.Side, &o.UserID, &o.VariantID, &o.Price, &o.Currency, &o.Status, &o.TradeID,
		&o.ExpiresAt, &o.CreatedAt, &ship}, extra...)...)
	if ship != nil {
		o.Shipping = orderstore.ToDomainShipping(*ship)
	}
	return o, err
}

// shippingOf is the jsonb an offer keeps: the bid's delivery address, NULL
// for asks.
func shippingOf(o domain.Offer) *orderstore.ShippingJSON {
	if o.Shipping == (orderdomain.Shipping{}) {
		return nil
	}
	j := orderstore.ToDBShipping(o.Shipping)
	return &j
}

// InsertOffers writes new offers in one statement.
func InsertOffers(ctx context.Context, db postgres.DB, offers []domain.Offer) error {
	if len(offers) == 0 {
		return nil
	}
	n := len(offers)
	var (
		ids, sides, users, variants, currencies, statuses, trades = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		prices                                                    = make([]int64, n)
		expires, created                                          = make([]time.Time, n), make([]time.Time, n)
		ships                                                     = make([]*orderstore.ShippingJSON, n)
	)
	for i, o := range offers {
		ids[i], sides[i], users[i], variants[i], currencies[i], statuses[i], trades[i] = o.ID, string(o.Side), o.UserID, o.VariantID, o.Currency, string(o.Status), o.TradeID
		prices[i], expires[i], created[i], ships[i] = o.Price, o.ExpiresAt, o.CreatedAt, shippingOf(o)
	}
	const q = `INSERT INTO market_offers (id, side, user_id, variant_id, price, currency, status, trade_id, expires_at, created_at, updated_at, shipping)
		SELECT id, side, user_id, variant_id, price, currency, status, nullif(trade_id, '')::uuid, expires_at, created_at, created_at, shipping
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[],
			$9::timestamptz[], $10::timestamptz[], $11::jsonb[])
			WITH ORDINALITY AS o (id, side, user_id, variant_id, price, currency, status, trade_id, expires_at, created_at, shipping, n)
		ORDER BY n`
	if _, err := db.Exec(ctx, q, ids, sides, users, variants, prices, currencies, statuses, trades, expires, created, ships); err != nil {
		return fmt.Errorf("db: insert offers: %w", err)
	}
	return nil
}

// MatchStanding moves standing offers from open to matched, each by its
// trade (tradeIDs[i] for ids[i]); the pipeline fails with ErrBookMoved if
// one was no longer open (the book in memory was wrong).
func MatchStanding(p *postgres.Pipeline, ids, tradeIDs []string, now time.Time) {
	if len(ids) == 0 {
		return
	}
	p.Expect(int64(len(ids)), ErrBookMoved, `UPDATE market_offers o SET status = 'matched', trade_id = m.trade_id, updated_at = $3
		FROM unnest($1::uuid[], $2::uuid[]) AS m (id, trade_id)
		WHERE o.id = m.id AND o.status = 'open'`, ids, tradeIDs, now)
}

// Transition moves an offer from one status to another; false when it was
// not in from (someone else decided it first).
func Transition(ctx context.Context, tx pgx.Tx, id string, from, to domain.OfferStatus, tradeID string, now time.Time) (bool, error) {
	const q = `UPDATE market_offers SET status = $3, trade_id = nullif($4, '')::uuid, updated_at = $5
		WHERE id = $1 AND status = $2`
	tag, err := tx.Exec(ctx, q, id, from, to, tradeID, now)
	if err != nil {
		return false, fmt.Errorf("db: offer status: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// VariantOfOffer is the variant an offer is for ("" when there is no such offer).
func VariantOfOffer(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	var v string
	err := tx.QueryRow(ctx, `SELECT variant_id::text FROM market_offers WHERE id = $1`, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: variant of offer: %w", err)
	}
	return v, nil
}

// Cancel takes the user's open offer of side off the book and returns it.
// An offer that is not the user's is ErrOfferNotFound; one no longer open
// ErrOfferNotOpen.
func Cancel(ctx context.Context, tx pgx.Tx, userID string, side domain.Side, id string, now time.Time) (domain.Offer, error) {
	q := `SELECT ` + offerCols + ` FROM market_offers WHERE id = $1 AND user_id = $2 AND side = $3 FOR UPDATE`
	o, err := scanOffer(tx.QueryRow(ctx, q, id, userID, side))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Offer{}, domain.ErrOfferNotFound
	}
	if err != nil {
		return domain.Offer{}, fmt.Errorf("db: read offer: %w", err)
	}
	if o.Status != domain.OfferOpen {
		return o, domain.ErrOfferNotOpen.With("the %s is %s", side, o.Status)
	}
	if _, err := Transition(ctx, tx, id, domain.OfferOpen, domain.OfferCancelled, "", now); err != nil {
		return domain.Offer{}, err
	}
	o.Status = domain.OfferCancelled
	return o, nil
}

// Expire ends an offer still open at the end of its life; false when it
// traded, was cancelled or lives longer meanwhile.
func Expire(ctx context.Context, tx pgx.Tx, id string, now time.Time) (domain.Offer, bool, error) {
	q := `UPDATE market_offers SET status = 'expired', updated_at = $2
		WHERE id = $1 AND status = 'open' AND expires_at <= $2 RETURNING ` + offerCols
	o, err := scanOffer(tx.QueryRow(ctx, q, id, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Offer{}, false, nil
	}
	if err != nil {
		return domain.Offer{}, false, fmt.Errorf("db: expire offer: %w", err)
	}
	return o, true, nil
}

// InsertTrades writes new trades in one statement.
func InsertTrades(ctx context.Context, db postgres.DB, ts []domain.Trade) error {
	if len(ts) == 0 {
		return nil
	}
	n := len(ts)
	var (
		ids, variants, asks, bids, sellers, buyers, currencies, orders, statuses = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		prices, buyerFees, sellerFees                                            = make([]int64, n), make([]int64, n), make([]int64, n)
		created                                                                  = make([]time.Time, n)
	)
	for i, t := range ts {
		ids[i], variants[i], asks[i], bids[i], sellers[i], buyers[i], currencies[i], orders[i], statuses[i] = t.ID, t.VariantID, t.AskID, t.BidID, t.SellerID, t.BuyerID, t.Currency, t.OrderID, string(t.Status)
		prices[i], buyerFees[i], sellerFees[i], created[i] = t.Price, t.BuyerFee, t.SellerFee, t.CreatedAt
	}
	const q = `INSERT INTO market_trades (id, variant_id, ask_id, bid_id, seller_id, buyer_id, price, currency,
			buyer_fee, seller_fee, order_id, status, created_at, updated_at)
		SELECT id, variant_id, ask_id, bid_id, seller_id, buyer_id, price, currency, buyer_fee, seller_fee, order_id, status, created_at, created_at
		FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::text[],
			$9::bigint[], $10::bigint[], $11::uuid[], $12::text[], $13::timestamptz[])
			WITH ORDINALITY AS t (id, variant_id, ask_id, bid_id, seller_id, buyer_id, price, currency, buyer_fee, seller_fee, order_id, status, created_at, n)
		ORDER BY n`
	if _, err := db.Exec(ctx, q, ids, variants, asks, bids, sellers, buyers, prices, currencies, buyerFees, sellerFees, orders, statuses, created); err != nil {
		return fmt.Errorf("db: insert trades: %w", err)
	}
	return nil
}

const tradeCols = `t.id, t.variant_id, t.ask_id, t.bid_id, t.seller_id, t.buyer_id, t.price, t.currency,
	t.buyer_fee, t.seller_fee, t.order_id, o.number, t.status, t.created_at,
	t.inspection_carrier, t.inspection_tracking_number, t.shipped_at, t.received_at, t.delivery_carrier, t.delivery_tracking_number,
	o.shipping`

// scanTrade reads tradeCols, then extra columns into extra.
func scanTrade(row pgx.Row, extra ...any) (domain.Trade, error) {
	var t domain.Trade
	var (
		shipped, received *time.Time
		ship              orderstore.ShippingJSON
	)
	err := row.Scan(append([]any{&t.ID, &t.VariantID, &t.AskID, &t.BidID, &t.SellerID, &t.BuyerID, &t.Price, &t.Currency,
		&t.BuyerFee, &t.SellerFee, &t.OrderID, &t.OrderNumber, &t.Status, &t.CreatedAt,
		&t.InspectionCarrier, &t.InspectionTracking, &shipped, &received, &t.DeliveryCarrier, &t.DeliveryTracking,
		&ship}, extra...)...)
	t.DeliverTo = orderstore.ToDomainShipping(ship)
	if shipped != nil {
		t.ShippedAt = *shipped
	}
	if received != nil {
		t.ReceivedAt = *received
	}
	return t, err
}

// SaveShipment records a trade's status with its shipment.
func SaveShipment(ctx context.Context, tx pgx.Tx, t domain.Trade, now time.Time) error {
	const q = `UPDATE market_trades SET status = $2, inspection_carrier = $3, inspection_tracking_number = $4,
			shipped_at = $5, received_at = $6, delivery_carrier = $7, delivery_tracking_number = $8, updated_at = $9
		WHERE id = $1`
	if _, err := tx.Exec(ctx, q, t.ID, t.Status, t.InspectionCarrier, t.InspectionTracking, nullTime(t.ShippedAt),
		nullTime(t.ReceivedAt), t.DeliveryCarrier, t.DeliveryTracking, now); err != nil {
		return fmt.Errorf("db: trade shipment: %w", err)
	}
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// TradeOfOrder locks the trade an order pays; false for an order of goods.
func TradeOfOrder(ctx context.Context, tx pgx.Tx, orderID string) (domain.Trade, bool, error) {
	q := `SELECT ` + tradeCols + ` FROM market_trades t JOIN orders o ON o.id = t.order_id
		WHERE t.order_id = $1 FOR UPDATE OF t`
	t, err := scanTrade(tx.QueryRow(ctx, q, orderID))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Trade{}, false, nil
	}
	if err != nil {
		return domain.Trade{}, false, fmt.Errorf("db: trade of order: %w", err)
	}
	return t, true, nil
}

// LockTrade reads and locks a trade by id.
func LockTrade(ctx context.Context, tx pgx.Tx, id string) (domain.Trade, error) {
	q := `SELECT ` + tradeCols + ` FROM market_trades t JOIN orders o ON o.id = t.order_id
		WHERE t.id = $1 FOR UPDATE OF t`
	t, err := scanTrade(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Trade{}, domain.ErrTradeNotFound
	}
	if err != nil {
		return domain.Trade{}, fmt.Errorf("db: lock trade: %w", err)
	}
	return t, nil
}

// SetTradeStatus records a trade's new status.
func SetTradeStatus(ctx context.Context, tx pgx.Tx, id string, to domain.TradeStatus, now time.Time) error {
	const q = `UPDATE market_trades SET status = $2, updated_at = $3 WHERE id = $1`
	if _, err := tx.Exec(ctx, q, id, to, now); err != nil {
		return fmt.Errorf("db: trade status: %w", err)
	}
	return nil
}

// InsertLedger writes ledger entries in one statement; the same kind for
// the same user and trade is written once.
func InsertLedger(ctx context.Context, db postgres.DB, es ...domain.LedgerEntry) error {
	n := len(es)
	var (
		ids, users, trades, kinds, currencies, reasons = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		amounts                                        = make([]int64, n)
		created                                        = make([]time.Time, n)
	)
	for i, e := range es {
		ids[i], users[i], trades[i], kinds[i], currencies[i], reasons[i] = e.ID, e.UserID, e.TradeID, string(e.Kind), e.Currency, e.Reason
		amounts[i], created[i] = e.Amount, e.CreatedAt
	}
	const q = `INSERT INTO market_ledger (id, user_id, trade_id, kind, amount, currency, reason, created_at)
		SELECT id, user_id, trade_id, kind, amount, currency, reason, created_at
		FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[])
			WITH ORDINALITY AS e (id, user_id, trade_id, kind, amount, currency, reason, created_at, n)
		ORDER BY n
		ON CONFLICT (trade_id, user_id, kind) DO NOTHING`
	if _, err := db.Exec(ctx, q, ids, users, trades, kinds, amounts, currencies, reasons, created); err != nil {
		return fmt.Errorf("db: insert ledger entries: %w", err)
	}
	return nil
}

// Quote is a variant's best prices (0 when no offer stands).
type Quote struct {
	LowestAsk, HighestBid int64
	Currency              string
}

// QuoteOf reads the variant's best prices.
func QuoteOf(ctx context.Context, db pgx.Tx, variantID string, now time.Time) (Quote, error) {
	// Each side is one step down its partial book index; the currency comes
	// from the best offers themselves.
	const q = `SELECT coalesce(a.price, 0), coalesce(b.price, 0), coalesce(a.currency, b.currency, '')
		FROM (SELECT) x
		LEFT JOIN LATERAL (SELECT price, currency FROM market_offers
			WHERE variant_id = $1 AND side = 'ask' AND status = 'open' AND expires_at > $2 ORDER BY price LIMIT 1) a ON true
		LEFT JOIN LATERAL (SELECT price, currency FROM market_offers
			WHERE variant_id = $1 AND side = 'bid' AND status = 'open' AND expires_at > $2 ORDER BY price DESC LIMIT 1) b ON true`
	var out Quote
	if err := db.QueryRow(ctx, q, variantID, now).Scan(&out.LowestAsk, &out.HighestBid, &out.Currency); err != nil {
		return Quote{}, fmt.Errorf("db: quote: %w", err)
	}
	return out, nil
}

// Page is a listing position: the seq of the last row shown.
type Page struct {
	After int64
	Limit int
}

// ParseToken reads a page token ("" is the first page).
func ParseToken(token string) (int64, bool) {
	if token == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(token, 10, 64)
	return n, err == nil && n > 0
}

func after(p Page) int64 {
	if p.After <= 0 {
		return 1 << 62
	}
	return p.After
}

// readPage runs q, which selects a row scan reads, then its seq, newest
// first, at most p.Limit+1 rows, and returns the first p.Limit with the
// token of the page after them ("" when no row is left over). what names
// the read in errors.
func readPage[T any](ctx context.Context, db postgres.DB, what string, p Page, scan func(r pgx.Row, seq *int64) (T, error), q string, args ...any) ([]T, string, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("db: %s: %w", what, err)
	}
	defer rows.Close()
	var (
		out  []T
		seqs []int64
	)
	for rows.Next() {
		var seq int64
		v, err := scan(rows, &seq)
		if err != nil {
			return nil, "", fmt.Errorf("db: %s: %w", what, err)
		}
		out, seqs = append(out, v), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("db: %s: %w", what, err)
	}
	if len(out) > p.Limit {
		return out[:p.Limit], strconv.FormatInt(seqs[p.Limit-1], 10), nil
	}
	return out, "", nil
}

// Offers lists the user's offers of side, newest first; next is the token of
// the following page ("" at the end).
func (s *Store) Offers(ctx context.Context, userID string, side domain.Side, p Page) ([]domain.Offer, string, error) {
	q := `SELECT ` + offerCols + `, seq FROM market_offers WHERE user_id = $1 AND side = $2 AND seq < $3
		ORDER BY seq DESC LIMIT $4`
	return readPage(ctx, s.pool, "list offers", p, func(r pgx.Row, seq *int64) (domain.Offer, error) { return scanOffer(r, seq) },
		q, userID, side, after(p), p.Limit+1)
}

// Trades lists the trades the user bought or sold in, newest first.
func (s *Store) Trades(ctx context.Context, userID string, p Page) ([]domain.Trade, string, error) {
	q := `SELECT ` + tradeCols + `, t.seq FROM market_trades t JOIN orders o ON o.id = t.order_id
		WHERE (t.buyer_id = $1 OR t.seller_id = $1) AND t.seq < $2 ORDER BY t.seq DESC LIMIT $3`
	return s.tradePage(ctx, q, p, userID, after(p), p.Limit+1)
}

// Ledger lists the user's ledger entries, newest first.
func (s *Store) Ledger(ctx context.Context, userID string, p Page) ([]domain.LedgerEntry, string, error) {
	const q = `SELECT id, user_id, trade_id, kind, amount, currency, reason, created_at, seq FROM market_ledger
		WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`
	return readPage(ctx, s.pool, "list ledger", p, func(r pgx.Row, seq *int64) (e domain.LedgerEntry, err error) {
		err = r.Scan(&e.ID, &e.UserID, &e.TradeID, &e.Kind, &e.Amount, &e.Currency, &e.Reason, &e.CreatedAt, seq)
		return e, err
	}, q, userID, after(p), p.Limit+1)
}

// Reopen returns a matched ask to the book with its original time priority
// (its seq), or ends it as expired when its time is up.
func Reopen(ctx context.Context, tx pgx.Tx, id string, now time.Time) error {
	const q = `UPDATE market_offers SET status = CASE WHEN expires_at > $2 THEN 'open' ELSE 'expired' END,
			trade_id = NULL, updated_at = $2
		WHERE id = $1 AND status = 'matched'`
	if _, err := tx.Exec(ctx, q, id, now); err != nil {
		return fmt.Errorf("db: reopen offer: %w", err)
	}
	return nil
}
