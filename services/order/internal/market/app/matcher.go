package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/jangteo/jangteo/platform/errs"
	platformevents "github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	orderapp "github.com/jangteo/jangteo/services/order/internal/app"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	orderevents "github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/market/book"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	marketevents "github.com/jangteo/jangteo/services/order/internal/market/events"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
	orderstore "github.com/jangteo/jangteo/services/order/internal/store"
)

// The matcher decides placements a batch at a time, one variant's batches
// one after the other. Each variant has a lane: the placements waiting for
// it and the variant's book in memory. A lane takes every placement waiting
// (up to maxBatch), and in one transaction takes the variant's lock, checks
// that the book's version in PostgreSQL is the one it holds (and reads the
// book again when another process or a cancel, an expiry or a voided trade
// changed it), matches the batch in memory at price-time priority, and
// writes every offer, trade, order, ledger entry, timer and event of the
// batch in a handful of round trips; the placements waiting meanwhile form
// the next batch. So the lock is held once per batch, not per placement,
// and the rate grows with the load instead of queueing behind the lock.
// When a batch fails, each of its placements is decided again alone, so one
// bad placement never fails its neighbours.
const (
	maxBatch = 256
	// maxWaiting bounds the placements waiting for one variant; more are
	// refused with MARKET_BUSY (429).
	maxWaiting = 20000
	// bookIdle is how long an idle lane keeps its book in memory.
	bookIdle = 5 * time.Minute
	// variantFresh is how long a lane trusts what the catalog said of its
	// variant (the name, SKU and options a trade's order copies, and that it
	// is on sale) before asking again.
	variantFresh = 5 * time.Second
)

var (
	batches = promauto.NewHistogram(prometheus.HistogramOpts{
		Name:    "jangteo_market_batch_placements",
		Help:    "Placements the market's matcher decided per batch (one transaction under the variant's lock).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 9),
	})
	batchSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name:    "jangteo_market_batch_seconds",
		Help:    "How long the market's matcher took to decide and commit one batch.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 12),
	})
	bookLoads = promauto.NewCounter(prometheus.CounterOpts{
		Name: "jangteo_market_book_loads_total",
		Help: "Times the market's matcher read a variant's book from PostgreSQL (first use, or another process changed it).",
	})
)

// ErrBusy refuses a placement when too many wait for the same variant.
var ErrBusy = errs.New(errs.ResourceExhausted, "MARKET_BUSY", "too many placements wait for this size; retry shortly")

// placement is one ask or bid waiting for its variant's lane.
type placement struct {
	ctx  context.Context
	in   domain.Offer
	days int32
	take bool
	done chan placed
	out  placed // decided in the batch, sent once it committed
}

type placed struct {
	offer domain.Offer
	trade *domain.Trade
	err   error
}

// lane is one variant's placements and book.
type lane struct {
	variantID string
	mu        sync.Mutex
	waiting   []*placement
	running   bool
	lastUsed  time.Time
	idle      *time.Timer // evicts the lane bookIdle after it last went idle
	// Owned by the running goroutine:
	book      *book.Book // nil until read, or after a failed batch
	version   int64
	variant   orderapp.Variant // what the catalog said at variantAt
	variantAt time.Time
}

type matcher struct {
	a     *App
	mu    sync.Mutex
	lanes map[string]*lane
}

func newMatcher(a *App) *matcher { return &matcher{a: a, lanes: map[string]*lane{}} }

// place waits for p's batch to commit and returns its outcome.
func (m *matcher) place(p *placement) (domain.Offer, *domain.Trade, error) {
	if err := m.submit(p); err != nil {
		return domain.Offer{}, nil, err
	}
	select {
	case r := <-p.done:
		return r.offer, r.trade, r.err
	case <-p.ctx.Done():
		// It is decided all the same; a retry with the key finds it.
		return domain.Offer{}, nil, p.ctx.Err()
	}
}

func (m *matcher) submit(p *placement) error {
	m.mu.Lock()
	l, ok := m.lanes[p.in.VariantID]
	if !ok {
		l = &lane{variantID: p.in.VariantID}
		m.lanes[p.in.VariantID] = l
	}
	m.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.waiting) >= maxWaiting {
		return ErrBusy.After(time.Second)
	}
	l.waiting = append(l.waiting, p)
	if !l.running {
		l.running = true
		go m.run(l)
	}
	return nil
}

// run decides l's batches until none waits, then leaves the book to be
// dropped once idle.
func (m *matcher) run(l *lane) {
	for {
		l.mu.Lock()
		n := min(len(l.waiting), maxBatch)
		if n == 0 {
			l.running = false
			l.lastUsed = m.a.now()
			if l.idle == nil {
				l.idle = time.AfterFunc(bookIdle, func() { m.evict(l) })
			} else {
				l.idle.Reset(bookIdle)
			}
			l.mu.Unlock()
			return
		}
		batch := make([]*placement, n)
		copy(batch, l.waiting)
		l.waiting = append(l.waiting[:0], l.waiting[n:]...)
		l.mu.Unlock()
		began := time.Now()
		m.settle(l, batch)
		batches.Observe(float64(len(batch)))
		batchSeconds.Observe(time.Since(began).Seconds())
	}
}

// evict drops a lane idle for bookIdle, and its book with it.
func (m *matcher) evict(l *lane) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.running && len(l.waiting) == 0 && m.a.now().Sub(l.lastUsed) >= bookIdle && m.lanes[l.variantID] == l {
		delete(m.lanes, l.variantID)
	}
}

// settle decides batch and answers each placement.
func (m *matcher) settle(l *lane, batch []*placement) {
	if err := m.decide(l, batch); err != nil {
		l.book = nil
		if len(batch) == 1 {
			batch[0].out = placed{err: err}
		} else {
			for _, p := range batch {
				m.settle(l, []*placement{p})
			}
			return
		}
	}
	for _, p := range batch {
		p.done <- p.out
	}
}

// decide matches batch against l's book and writes it in one transaction.
func (m *matcher) decide(l *lane, batch []*placement) error {
	a := m.a
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), 30*time.Second)
	defer cancel()
	v, err := m.variant(ctx, l)
	if errors.Is(err, domain.ErrVariantNotFound) {
		for _, p := range batch {
			p.out = placed{err: err}
		}
		return nil
	}
	if err != nil {
		return err
	}
	ids := make([]string, len(batch))
	for i, p := range batch {
		ids[i] = p.in.ID
	}
	pool := a.deps.Matching
	if pool == nil {
		pool = a.deps.Store.Pool()
	}
	var version int64 // the book's version once the transaction commits
	attempts := 0
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if attempts++; attempts > 1 {
			l.book = nil // the attempt that failed changed it
		}
		now := a.clock()
		open, err := store.Open(ctx, tx, l.variantID, ids)
		if err != nil {
			return err
		}
		version = open.Version
		if l.book == nil || l.version != open.Version {
			if l.book, err = store.LoadBook(ctx, tx, l.variantID, now); err != nil {
				return err
			}
			bookLoads.Inc()
		}
		w := &batchWrites{a: a, v: v, now: now}
		seen := map[string]bool{}
		for _, p := range batch {
			switch prior, ok := open.Existing[p.in.ID]; {
			case ok:
				p.out, err = a.earlier(ctx, tx, p, prior)
				if err != nil {
					return err
				}
			case seen[p.in.ID]:
				p.out = placed{err: idempotency.ErrKeyInUse}
			default:
				p.out = w.match(l.book, p)
			}
			seen[p.in.ID] = true
		}
		if w.changed == 0 {
			return nil
		}
		version++
		return w.write(ctx, tx, l.book, l.variantID, version, batch)
	})
	if err != nil {
		return err
	}
	l.version = version
	return nil
}

// variant describes l's variant, as the catalog said at most variantFresh ago.
func (m *matcher) variant(ctx context.Context, l *lane) (orderapp.Variant, error) {
	if l.variantAt.IsZero() || m.a.now().Sub(l.variantAt) > variantFresh {
		v, err := m.a.variant(ctx, l.variantID)
		if err != nil {
			return orderapp.Variant{}, err
		}
		l.variant, l.variantAt = v, m.a.now()
	}
	return l.variant, nil
}

// earlier answers a placement that an earlier run of the same request made
// (its id is derived from the idempotency key): the offer as it is and its
// trade, or IDEMPOTENCY_KEY_REUSED when the offer was made for another request.
func (a *App) earlier(ctx context.Context, tx pgx.Tx, p *placement, prior domain.Offer) (placed, error) {
	if prior.UserID != p.in.UserID || prior.Side != p.in.Side || prior.VariantID != p.in.VariantID || prior.Price != p.in.Price {
		return placed{err: idempotency.ErrKeyReused}, nil
	}
	out := placed{offer: prior}
	if prior.TradeID != "" {
		t, err := store.LockTrade(ctx, tx, prior.TradeID)
		if err != nil {
			return placed{}, err
		}
		out.trade = &t
	}
	return out, nil
}

// batchWrites is what a batch writes, gathered while it matches.
type batchWrites struct {
	a       *App
	v       orderapp.Variant
	now     time.Time
	changed int
	offers  []domain.Offer // incoming, open or matched, in placement order
	matched []string       // standing offers the trades took
	trades  []domain.Trade
	orders  []*orderdomain.Order // trades[i]'s order
	by      []*placement         // the placement that made trades[i]
}

// match decides one placement against the book, as Place and Take say.
func (w *batchWrites) match(bk *book.Book, p *placement) placed {
	in := p.in
	in.Currency, in.Status, in.CreatedAt = w.v.UnitPrice.Currency, domain.OfferOpen, w.now
	in.ExpiresAt = w.now.Add(time.Duration(p.days) * 24 * time.Hour)
	side := in.Side
	best, found := bk.Best(side.Opposite(), w.now)
	switch {
	case p.take && !found:
		return placed{err: domain.ErrNoOffer.With("no %s stands for variant %s", side.Opposite(), in.VariantID)}
	case p.take && best.Price != in.Price:
		return placed{err: domain.ErrPriceMoved.With("the best %s is now %d, not %d", side.Opposite(), best.Price, in.Price)}
	case found && best.Crosses(side, in.Price) && best.UserID == in.UserID:
		return placed{err: domain.ErrSelfTrade.With("your own %s %s at %d would trade with it; cancel it first", side.Opposite(), best.ID, best.Price)}
	case found && best.Crosses(side, in.Price):
		bk.Remove(best.ID)
		w.trade(p, &in, best.Offer)
		return placed{offer: in} // write sets its trade, once the order's number is final
	default:
		bk.Add(in, 0)
		w.changed++
		w.offers = append(w.offers, in)
		return placed{offer: in}
	}
}

// trade fills the incoming offer against the standing one at the standing
// price: both become matched, the buyer gets an order of kind market for
// the price plus the buyer fee, payable within the window and shipping to
// the bid's delivery address, and both sides get their fee entries.
func (w *batchWrites) trade(p *placement, in *domain.Offer, standing domain.Offer) {
	a, now := w.a, w.now
	ask, bid := standing, *in
	if in.Side == domain.Ask {
		ask, bid = *in, standing
	}
	t := domain.Trade{
		ID: newID(), VariantID: in.VariantID, AskID: ask.ID, BidID: bid.ID,
		SellerID: ask.UserID, BuyerID: bid.UserID, Price: standing.Price, Currency: standing.Currency,
		BuyerFee: a.cfg.Fees.Buyer(standing.Price), SellerFee: a.cfg.Fees.Seller(standing.Price),
		OrderID: newID(), Status: domain.TradePendingPayment, CreatedAt: now,
		DeliverTo: bid.Shipping,
	}
	in.Status, in.TradeID = domain.OfferMatched, t.ID
	w.changed++
	w.offers = append(w.offers, *in)
	w.matched = append(w.matched, standing.ID)
	w.trades = append(w.trades, t)
	w.orders = append(w.orders, a.orderOf(t, w.v, now))
	w.by = append(w.by, p)
}

// write sends the batch in four round trips, whatever its size: the trades'
// orders (drawing fresh numbers where one is taken); their lines and
// history, the offers, the standing offers matched, the trades, the ledger,
// the events and the book's new version in one pipeline; and the orders'
// and offers' timers.
func (w *batchWrites) write(ctx context.Context, tx pgx.Tx, bk *book.Book, variantID string, version int64, batch []*placement) error {
	a := w.a
	p := &postgres.Pipeline{}
	if err := orderstore.InsertMany(ctx, tx, p, w.orders, (*orderdomain.Order).DrawNumber); err != nil {
		return err
	}
	var (
		ledger []domain.LedgerEntry
		evs    []platformevents.Pending
		ends   = make([]service.Deadline, 0, len(w.orders))
	)
	for i, o := range w.orders {
		t, octx := &w.trades[i], w.by[i].ctx
		t.OrderNumber = o.Number // final now
		for _, e := range a.fees(*t) {
			e.ID, e.TradeID, e.Currency, e.CreatedAt = newID(), t.ID, t.Currency, w.now
			ledger = append(ledger, e)
		}
		evs = append(append(evs, orderevents.Placed(octx, *o)...), marketevents.TradeExecuted(octx, *t))
		ends = append(ends, a.deps.OrderTimers.Expiry(o.ID, o.PayableUntil))
	}
	tradeIDs := make([]string, len(w.trades))
	for i, t := range w.trades {
		tradeIDs[i] = t.ID
	}
	_ = store.InsertOffers(ctx, p, w.offers)
	store.MatchStanding(p, w.matched, tradeIDs, w.now)
	_ = store.InsertTrades(ctx, p, w.trades)
	if len(ledger) > 0 {
		_ = store.InsertLedger(ctx, p, ledger...)
	}
	_ = platformevents.EnqueueAll(ctx, p, evs)
	q := store.Quote{Currency: w.v.UnitPrice.Currency}
	if e, ok := bk.Best(domain.Ask, w.now); ok {
		q.LowestAsk = e.Price
	}
	if e, ok := bk.Best(domain.Bid, w.now); ok {
		q.HighestBid = e.Price
	}
	if err := marketevents.QuoteChanged(batch[len(batch)-1].ctx, p, q, variantID); err != nil {
		return err
	}
	_ = store.SetVersion(ctx, p, variantID, version)
	if err := p.Send(ctx, tx); err != nil {
		return err
	}
	if err := a.deps.OrderTimers.ExpireAll(ctx, tx, ends); err != nil {
		return err
	}
	var offerEnds []service.Deadline
	for _, o := range w.offers {
		if o.Status == domain.OfferOpen {
			offerEnds = append(offerEnds, a.deps.OfferTimers.Expiry(o.ID, o.ExpiresAt))
		}
	}
	if err := a.deps.OfferTimers.ExpireAll(ctx, tx, offerEnds); err != nil {
		return err
	}
	// The answers carry the final order numbers.
	for i := range w.trades {
		w.by[i].out.trade = &w.trades[i]
	}
	return nil
}

// fees are a trade's ledger entries: the buyer's fee and the seller's.
func (a *App) fees(t domain.Trade) []domain.LedgerEntry {
	return []domain.LedgerEntry{
		{UserID: t.BuyerID, Kind: domain.LedgerBuyerFee, Amount: t.BuyerFee,
			Reason: fmt.Sprintf("buyer fee on trade at %d (order %s)", t.Price, t.OrderNumber)},
		{UserID: t.SellerID, Kind: domain.LedgerSellerFee, Amount: t.SellerFee,
			Reason: "on sale at " + fmt.Sprint(t.Price) + ": " + a.cfg.Fees.ExplainSeller(t.Price)},
	}
}

// orderOf is the buyer's order for the trade: one line for the unit at the
// trade price and one for the buyer fee, shipping to the buyer's delivery
// address, payable within the window.
func (a *App) orderOf(t domain.Trade, v orderapp.Variant, now time.Time) *orderdomain.Order {
	lines := []orderdomain.Line{{
		Number: 1, ProductID: v.ProductID, VariantID: t.VariantID, ProductName: v.ProductName, ProductSlug: v.ProductSlug,
		SKU: v.SKU, Options: v.Options, UnitPrice: t.Price, Quantity: 1,
	}}
	if t.BuyerFee > 0 {
		lines = append(lines, orderdomain.Line{
			Number: 2, ProductID: v.ProductID, VariantID: t.VariantID, ProductName: "구매 수수료 (market buyer fee)",
			ProductSlug: v.ProductSlug, UnitPrice: t.BuyerFee, Quantity: 1,
		})
	}
	total := t.Price + t.BuyerFee
	o := &orderdomain.Order{
		ID: t.OrderID, UserID: t.BuyerID, Kind: domain.OrderKind, Lines: lines, Shipping: t.DeliverTo,
		Amounts:      orderdomain.Amounts{Currency: t.Currency, Subtotal: total, GrandTotal: total},
		PayableUntil: now.Add(a.cfg.PaymentWindow), CreatedAt: now, UpdatedAt: now,
	}
	o.DrawNumber()
	o.Place(now)
	return o
}
