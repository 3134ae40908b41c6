package cart_test

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
)

// quantities maps variant id → quantity.
func quantities(c *cartv1.Cart) map[string]int32 {
	out := map[string]int32{}
	for _, l := range c.GetLines() {
		out[l.GetVariantId()] = l.GetQuantity()
	}
	return out
}

// login is the context of a user who has just signed in on a client holding
// the anonymous cart token.
func (e *env) login(userID, token string) context.Context {
	return metadata.AppendToOutgoingContext(e.user(userID), "x-cart-token", token)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	v260, v270, bag := variant(t, s.shoe, "260").GetId(), variant(t, s.shoe, "270").GetId(), variant(t, s.bag, "").GetId()

	token := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 2})).GetCartToken()
	must(e.client.AddCartItem(anon(token), &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 1}))
	must(e.client.AddCartItem(e.user("u-m"), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1}))
	must(e.client.AddCartItem(e.user("u-m"), &cartv1.AddCartItemRequest{VariantId: v270, Quantity: 1}))

	// While signed in, the token does not reach the anonymous cart.
	if got := quantities(must(e.client.GetCart(e.login("u-m", token), &cartv1.GetCartRequest{})).GetCart()); got[bag] != 0 {
		t.Fatalf("signed-in GetCart showed the anonymous cart: %v", got)
	}

	merged := must(e.client.MergeCart(e.login("u-m", token), &cartv1.MergeCartRequest{}))
	want := map[string]int32{v260: 3, v270: 1, bag: 1}
	if got := quantities(merged.GetCart()); !merged.GetMerged() || len(got) != 3 || got[v260] != 3 || got[v270] != 1 || got[bag] != 1 {
		t.Fatalf("merged = %v, %v; want %v", merged.GetMerged(), got, want)
	}
	// The anonymous cart is gone.
	_, err := e.client.GetCart(anon(token), &cartv1.GetCartRequest{})
	wantCode(t, err, codes.NotFound, "CART_NOT_FOUND", "")
	// Merging again changes nothing, with the header or the body field.
	again := must(e.client.MergeCart(e.login("u-m", token), &cartv1.MergeCartRequest{}))
	body := must(e.client.MergeCart(e.user("u-m"), &cartv1.MergeCartRequest{CartToken: token}))
	none := must(e.client.MergeCart(e.user("u-m"), &cartv1.MergeCartRequest{}))
	for _, r := range []*cartv1.MergeCartResponse{again, body, none} {
		if got := quantities(r.GetCart()); r.GetMerged() || got[v260] != 3 || got[v270] != 1 || got[bag] != 1 {
			t.Fatalf("second merge = %v, %v", r.GetMerged(), got)
		}
	}
	// Merge needs a signed-in user.
	_, err = e.client.MergeCart(anon(token), &cartv1.MergeCartRequest{})
	wantCode(t, err, codes.Unauthenticated, "", "")

	// A user without a cart gets the anonymous lines moved over, line ids kept.
	tok2 := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 2}))
	r := must(e.client.MergeCart(e.login("u-new", tok2.GetCartToken()), &cartv1.MergeCartRequest{}))
	if !r.GetMerged() || len(r.GetCart().GetLines()) != 1 || r.GetCart().GetLines()[0].GetId() != tok2.GetLineId() {
		t.Fatalf("merge into a new user cart = %v", r)
	}
}

func TestMergeCapsAddedQuantities(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{configure: func(c *cartConfig) { c.MaxLineQuantity = 5 }})
	s := newShop(t, e)
	bag := variant(t, s.bag, "").GetId()
	token := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 4})).GetCartToken()
	must(e.client.AddCartItem(e.user("u-cap"), &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 3}))
	r := must(e.client.MergeCart(e.login("u-cap", token), &cartv1.MergeCartRequest{}))
	if got := quantities(r.GetCart())[bag]; got != 5 {
		t.Fatalf("merged quantity = %d, want the cap 5", got)
	}
}

// TestMergeRaces merges one anonymous cart from many requests at once (a
// frontend retrying, two tabs) while the anonymous client keeps adding: the
// anonymous quantities land in the user's cart exactly once, and every add
// either made it into the merge or failed with 404.
func TestMergeRaces(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	v260 := variant(t, s.shoe, "260").GetId()
	for round := range 5 {
		user := "u-race-" + string(rune('a'+round))
		token := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1})).GetCartToken()
		must(e.client.AddCartItem(e.user(user), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1}))

		var wg sync.WaitGroup
		var mu sync.Mutex
		mergedCount, addedOK := 0, int64(0)
		for range 8 {
			wg.Go(func() {
				r, err := e.client.MergeCart(e.login(user, token), &cartv1.MergeCartRequest{})
				if err != nil {
					t.Errorf("merge: %v", err)
					return
				}
				if r.GetMerged() {
					mu.Lock()
					mergedCount++
					mu.Unlock()
				}
			})
			wg.Go(func() {
				_, err := e.client.AddCartItem(anon(token), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1})
				switch {
				case err == nil:
					mu.Lock()
					addedOK++
					mu.Unlock()
				default:
					wantCode(t, err, codes.NotFound, "CART_NOT_FOUND", "")
				}
			})
		}
		wg.Wait()
		if mergedCount != 1 {
			t.Fatalf("round %d: %d merges reported merged, want 1", round, mergedCount)
		}
		got := quantities(must(e.client.GetCart(e.user(user), &cartv1.GetCartRequest{})).GetCart())[v260]
		if want := int32(1 + 1 + addedOK); got != want {
			t.Fatalf("round %d: quantity = %d, want %d (user 1 + anonymous 1 + %d adds before the merge)", round, got, want, addedOK)
		}
		var anonymous int
		if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM carts WHERE user_id IS NULL`).Scan(&anonymous); err != nil || anonymous != 0 {
			t.Fatalf("round %d: %d anonymous carts left (%v)", round, anonymous, err)
		}
	}
}

func TestConcurrentAddsAddUp(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	v260 := variant(t, s.shoe, "260").GetId()
	const n = 30
	// A user's first adds race to create their one cart.
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := e.client.AddCartItem(e.user("u-conc"), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 2}); err != nil {
				t.Errorf("add: %v", err)
			}
		})
	}
	wg.Wait()
	c := must(e.client.GetCart(e.user("u-conc"), &cartv1.GetCartRequest{})).GetCart()
	if len(c.GetLines()) != 1 || c.GetLines()[0].GetQuantity() != 2*n {
		t.Fatalf("after %d concurrent adds of 2: %v", n, c.GetLines())
	}
	// Anonymous adds on one token, and increments beside them, add up too;
	// past the cap they fail rather than lose or clamp units.
	token := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1}))
	var ok atomic64
	for range 60 {
		wg.Go(func() {
			if _, err := e.client.AddCartItem(anon(token.GetCartToken()), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1}); err == nil {
				ok.add(1)
			} else {
				wantCode(t, err, codes.InvalidArgument, "QUANTITY_LIMIT", "quantity")
			}
		})
		wg.Go(func() {
			if _, err := e.client.IncrementCartItem(anon(token.GetCartToken()), &cartv1.IncrementCartItemRequest{Id: token.GetLineId()}); err == nil {
				ok.add(1)
			} else {
				wantCode(t, err, codes.InvalidArgument, "QUANTITY_LIMIT", "id")
			}
		})
	}
	wg.Wait()
	got := must(e.client.GetCart(anon(token.GetCartToken()), &cartv1.GetCartRequest{})).GetCart().GetLines()[0].GetQuantity()
	if int64(got) != 1+ok.load() || got != 99 {
		t.Fatalf("quantity = %d after %d successful increments; want 1 + successes = 99", got, ok.load())
	}
}
