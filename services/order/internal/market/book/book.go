// Package book is the resale market's order book of one variant in memory:
// its open asks and bids at price-time priority. The matcher keeps one per
// variant it matches and reloads it from PostgreSQL whenever another process
// changed the variant's book; it holds no lock of its own (one goroutine owns
// a book).
package book

import (
	"slices"
	"time"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

// Entry is an open offer in the book; Seq is its time priority (the earlier
// the smaller).
type Entry struct {
	domain.Offer
	Seq     int64
	removed bool
}

// Book is a variant's open asks and bids.
type Book struct {
	asks, bids side
	byID       map[string]*Entry
	lastSeq    int64
}

// New returns an empty book.
func New() *Book {
	return &Book{asks: side{better: func(a, b int64) bool { return a < b }},
		bids: side{better: func(a, b int64) bool { return a > b }}, byID: map[string]*Entry{}}
}

func (b *Book) side(s domain.Side) *side {
	if s == domain.Ask {
		return &b.asks
	}
	return &b.bids
}

// Add puts an open offer in the book at its seq; seq 0 is the next one after
// every offer the book has seen (an offer placed now).
func (b *Book) Add(o domain.Offer, seq int64) *Entry {
	if seq == 0 {
		seq = b.lastSeq + 1
	}
	b.lastSeq = max(b.lastSeq, seq)
	e := &Entry{Offer: o, Seq: seq}
	b.byID[o.ID] = e
	b.side(o.Side).add(e)
	return e
}

// Best is the best offer of side standing at now: the lowest ask or the
// highest bid, the earliest among equal prices. Offers whose time is up
// leave the book on the way.
func (b *Book) Best(s domain.Side, now time.Time) (*Entry, bool) {
	sd := b.side(s)
	for len(sd.levels) > 0 {
		l := sd.levels[0]
		for l.head < len(l.queue) {
			e := l.queue[l.head]
			if !e.removed && e.ExpiresAt.After(now) {
				return e, true
			}
			b.drop(e)
			l.head++
		}
		sd.levels = sd.levels[1:]
	}
	return nil, false
}

// Remove takes an offer out of the book; false when it is not in it.
func (b *Book) Remove(id string) bool {
	e, ok := b.byID[id]
	if !ok {
		return false
	}
	b.drop(e)
	return true
}

func (b *Book) drop(e *Entry) {
	if !e.removed {
		e.removed = true
		b.side(e.Side).count--
		delete(b.byID, e.ID)
	}
}

// Len is the number of offers of side in the book (expired ones among them
// until Best passes them).
func (b *Book) Len(s domain.Side) int { return b.side(s).count }

// side is one side's price levels, best first.
type side struct {
	levels []*level
	better func(a, b int64) bool
	count  int
}

// level is the offers at one price in time order; those before head left.
type level struct {
	price int64
	queue []*Entry
	head  int
}

func (s *side) add(e *Entry) {
	s.count++
	i, found := slices.BinarySearchFunc(s.levels, e.Price, func(l *level, p int64) int {
		switch {
		case l.price == p:
			return 0
		case s.better(l.price, p):
			return -1
		}
		return 1
	})
	if !found {
		s.levels = slices.Insert(s.levels, i, &level{price: e.Price})
	}
	l := s.levels[i]
	// Almost always the latest; an offer returning to the book with its old
	// priority goes back to its place.
	j := len(l.queue)
	for j > l.head && l.queue[j-1].Seq > e.Seq {
		j--
	}
	l.queue = slices.Insert(l.queue, j, e)
	if l.head > 64 && l.head*2 > len(l.queue) {
		l.queue = slices.Delete(l.queue, 0, l.head)
		l.head = 0
	}
}
