package book_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jangteo/jangteo/services/order/internal/market/book"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

var (
	now   = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	later = now.Add(24 * time.Hour)
)

func offer(id string, s domain.Side, price int64) domain.Offer {
	return domain.Offer{ID: id, Side: s, Price: price, ExpiresAt: later, Status: domain.OfferOpen}
}

func TestPriceTimePriority(t *testing.T) {
	b := book.New()
	b.Add(offer("a200", domain.Ask, 200), 0)
	b.Add(offer("a190-1", domain.Ask, 190), 0)
	b.Add(offer("a190-2", domain.Ask, 190), 0)
	b.Add(offer("b150", domain.Bid, 150), 0)
	b.Add(offer("b160-1", domain.Bid, 160), 0)
	b.Add(offer("b160-2", domain.Bid, 160), 0)
	var got []string
	for _, s := range []domain.Side{domain.Ask, domain.Bid} {
		for {
			e, ok := b.Best(s, now)
			if !ok {
				break
			}
			got = append(got, e.ID)
			b.Remove(e.ID)
		}
	}
	if want := "[a190-1 a190-2 a200 b160-1 b160-2 b150]"; fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	if b.Len(domain.Ask) != 0 || b.Len(domain.Bid) != 0 {
		t.Fatal("the book is not empty")
	}
}

func TestReturningOfferKeepsItsPlace(t *testing.T) {
	b := book.New()
	b.Add(offer("first", domain.Ask, 100), 10)
	b.Add(offer("third", domain.Ask, 100), 30)
	b.Add(offer("second", domain.Ask, 100), 20) // back with its old priority
	if e, _ := b.Best(domain.Ask, now); e.ID != "first" {
		t.Fatalf("best %s", e.ID)
	}
	b.Remove("first")
	if e, _ := b.Best(domain.Ask, now); e.ID != "second" {
		t.Fatalf("after the first, best %s, want second", e.ID)
	}
	if e := b.Add(offer("new", domain.Ask, 100), 0); e.Seq != 31 {
		t.Fatalf("a new offer's seq %d, want 31", e.Seq)
	}
}

func TestExpiredAndRemovedOffersLeave(t *testing.T) {
	b := book.New()
	old := offer("old", domain.Bid, 500)
	old.ExpiresAt = now
	b.Add(old, 0)
	b.Add(offer("gone", domain.Bid, 400), 0)
	b.Add(offer("live", domain.Bid, 300), 0)
	if !b.Remove("gone") || b.Remove("gone") || b.Remove("never") {
		t.Fatal("Remove answered wrong")
	}
	if e, ok := b.Best(domain.Bid, now); !ok || e.ID != "live" {
		t.Fatalf("best %v", e)
	}
	if b.Len(domain.Bid) != 1 {
		t.Fatalf("%d bids, want 1", b.Len(domain.Bid))
	}
	if _, ok := b.Best(domain.Ask, now); ok {
		t.Fatal("an empty side has a best offer")
	}
}

// BenchmarkMatch is the matcher's own work per incoming order against a deep
// book (10,000 resting asks over 500 prices): find the best ask, take it
// out, and rest a new ask so the book stays deep.
func BenchmarkMatch(b *testing.B) {
	bk := book.New()
	for i := range 10000 {
		bk.Add(offer(fmt.Sprint("a", i), domain.Ask, 150000+int64(i%500)*100), 0)
	}
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprint("n", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e, ok := bk.Best(domain.Ask, now)
		if !ok {
			b.Fatal("empty book")
		}
		bk.Remove(e.ID)
		bk.Add(offer(ids[i], domain.Ask, 150000+int64(i%500)*100), 0)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "matches/s")
}
