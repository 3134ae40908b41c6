// Command load drives full purchases against a running Jangteo (`make run`)
// through the REST gateway, as buyers' browsers would: add to cart → check
// out → pay with the sandbox → approve → paid → cart empty. It prints
// purchases per second and the p50/p99 of checkout and of payment approval
// (approve clicked → order paid), then checks that sold units + stock equal
// the initial stock and that no order was paid twice.
//
// Buyers spread over -products products (one product makes every checkout
// wait for the same stock row: a flash sale). With -cpuprofile, the CPU
// profile of the system (jangteo dev's pprof endpoint) during the purchases
// is written there for `go tool pprof`.
//
//	go run ./load -base http://localhost:8080 -buyers 20 -purchases 400 -products 10
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.base, "base", "http://localhost:8080", "the gateway")
	flag.IntVar(&cfg.buyers, "buyers", 20, "virtual buyers, each buying one item after another")
	flag.IntVar(&cfg.purchases, "purchases", 400, "purchases in all")
	flag.IntVar(&cfg.products, "products", 10, "products the purchases spread over (1: everyone buys the same one)")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write the system's CPU profile during the purchases to this file")
	flag.IntVar(&cfg.profileSeconds, "profile-seconds", 15, "how long the CPU profile runs, from the first purchase")
	flag.StringVar(&cfg.pprof, "pprof", "http://127.0.0.1:6060", "the system's pprof endpoint (jangteo dev's JANGTEO_PPROF_ADDR)")
	flag.StringVar(&cfg.adminEmail, "admin-email", "admin@jangteo.dev", "staff account that creates the product")
	flag.StringVar(&cfg.adminPassword, "admin-password", "jangteo-admin-1234", "its password")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	base                        string
	buyers, purchases, products int
	adminEmail, adminPassword   string
	cpuProfile, pprof           string
	profileSeconds              int
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	c := &client{base: strings.TrimRight(cfg.base, "/"), http: &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 256},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	admin, err := c.login(ctx, cfg.adminEmail, cfg.adminPassword)
	if err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	cfg.products = max(cfg.products, 1)
	// Each product has stock for all the purchases, so the books balance
	// however the buyers spread.
	initial := cfg.purchases + 100
	products := make([]product, cfg.products)
	for i := range products {
		if products[i].variant, products[i].slug, err = c.createProduct(ctx, admin, initial); err != nil {
			return fmt.Errorf("create product: %w", err)
		}
	}
	fmt.Fprintf(out, "signing up %d buyers …\n", cfg.buyers)
	buyers, err := c.signUpBuyers(ctx, cfg.buyers)
	if err != nil {
		return err
	}

	var (
		mu                  sync.Mutex
		checkouts, approves []time.Duration
		orders              []string
		next                atomic.Int64
	)
	fmt.Fprintf(out, "%d purchases of %d products by %d buyers …\n", cfg.purchases, cfg.products, cfg.buyers)
	sold := make([]int, len(products))
	start := time.Now()
	profiled := profileCPU(ctx, cfg)
	g, gctx := errgroup.WithContext(ctx)
	for _, b := range buyers {
		g.Go(func() error {
			for n := next.Add(1); n <= int64(cfg.purchases); n = next.Add(1) {
				i := int(n) % len(products)
				p, err := c.purchase(gctx, b, products[i].variant)
				if err != nil {
					return err
				}
				mu.Lock()
				checkouts, approves, orders = append(checkouts, p.checkout), append(approves, p.approval), append(orders, p.orderID)
				sold[i]++
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := profiled(); err != nil {
		fmt.Fprintln(out, "cpu profile:", err)
	}

	fmt.Fprintf(out, "\n%d purchases in %s: %.1f purchases/s\n", len(orders), elapsed.Round(time.Millisecond), float64(len(orders))/elapsed.Seconds())
	fmt.Fprintf(out, "checkout          p50 %6.1f ms   p99 %6.1f ms\n", ms(pct(checkouts, 50)), ms(pct(checkouts, 99)))
	fmt.Fprintf(out, "approve → paid    p50 %6.1f ms   p99 %6.1f ms\n", ms(pct(approves, 50)), ms(pct(approves, 99)))
	if cfg.cpuProfile != "" {
		fmt.Fprintf(out, "cpu profile of the first %ds of purchases: go tool pprof -top %s\n", cfg.profileSeconds, cfg.cpuProfile)
	}
	return c.check(ctx, admin, products, sold, initial, orders, out)
}

type product struct{ variant, slug string }

// profileCPU starts a CPU profile of the system for cfg.profileSeconds when
// cfg asks for one; the returned func waits for it and writes it out.
func profileCPU(ctx context.Context, cfg config) func() error {
	if cfg.cpuProfile == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() {
		u := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", strings.TrimRight(cfg.pprof, "/"), max(cfg.profileSeconds, 1))
		req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
		if err != nil {
			done <- err
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: %d %s", u, resp.StatusCode, data)
		}
		if err == nil {
			err = os.WriteFile(cfg.cpuProfile, data, 0o644)
		}
		done <- err
	}()
	return func() error { return <-done }
}

// purchase is one buyer's full purchase of one unit.
type purchase struct {
	orderID            string
	checkout, approval time.Duration
}

func (c *client) purchase(ctx context.Context, b string, variant string) (purchase, error) {
	var p purchase
	if err := c.do(ctx, "POST", "/v1/cart/items", b, "", map[string]any{"variant_id": variant, "quantity": 1}, nil); err != nil {
		return p, fmt.Errorf("add to cart: %w", err)
	}
	var created struct {
		Order struct{ ID, Number string } `json:"order"`
	}
	t := time.Now()
	err := c.do(ctx, "POST", "/v1/orders", b, newKey(), map[string]any{"shipping": map[string]string{
		"name": "부하 테스트", "phone": "010-0000-0000", "email": "load@example.com", "line1": "서울특별시 중구 세종대로 110",
		"postal_code": "04524", "city": "Seoul", "country": "KR",
	}}, &created)
	p.checkout = time.Since(t)
	if err != nil {
		return p, fmt.Errorf("checkout: %w", err)
	}
	p.orderID = created.Order.ID
	number := created.Order.Number
	var pay struct {
		Payment struct{ ID string } `json:"payment"`
	}
	if err := c.do(ctx, "POST", "/v1/orders/"+number+"/payments", b, newKey(), map[string]string{
		"provider": "sandbox", "return_url": c.base + "/v1/orders/" + number, "cancel_url": c.base + "/v1/orders/" + number,
	}, &pay); err != nil {
		return p, fmt.Errorf("pay: %w", err)
	}
	t = time.Now()
	if err := c.do(ctx, "POST", "/v1/payments/"+pay.Payment.ID+"/sandbox:approve", "", "", nil, nil); err != nil {
		return p, fmt.Errorf("approve: %w", err)
	}
	if err := c.until(ctx, func() (bool, error) {
		var got struct {
			Order struct{ Status string } `json:"order"`
		}
		err := c.do(ctx, "GET", "/v1/orders/"+number, b, "", nil, &got)
		return got.Order.Status == "ORDER_STATUS_PAID", err
	}); err != nil {
		return p, fmt.Errorf("order %s paid: %w", number, err)
	}
	p.approval = time.Since(t)
	// The cart empties on order.paid; the next purchase starts from an empty one.
	return p, c.until(ctx, func() (bool, error) {
		var cart struct {
			Cart struct {
				Lines []json.RawMessage `json:"lines"`
			} `json:"cart"`
		}
		err := c.do(ctx, "GET", "/v1/cart", b, "", nil, &cart)
		return len(cart.Cart.Lines) == 0, err
	})
}

// check verifies the books: every unit of every product sold or still in
// stock, no order paid twice.
func (c *client) check(ctx context.Context, admin string, products []product, sold []int, initial int, orders []string, out io.Writer) error {
	unbalanced := 0
	stock := 0
	for i, p := range products {
		var got struct {
			Product struct {
				Variants []struct{ Stock int } `json:"variants"`
			} `json:"product"`
		}
		if err := c.do(ctx, "GET", "/v1/products/"+p.slug, "", "", nil, &got); err != nil {
			return err
		}
		left := got.Product.Variants[0].Stock
		stock += left
		if sold[i]+left != initial {
			unbalanced++
		}
	}
	approved := map[string]int{}
	for _, id := range orders {
		var list struct {
			Payments []struct {
				OrderID string `json:"order_id"`
			} `json:"payments"`
		}
		q := url.Values{"order_id": {id}, "status": {"PAYMENT_STATUS_APPROVED"}}
		if err := c.do(ctx, "GET", "/v1/admin/payments?"+q.Encode(), admin, "", nil, &list); err != nil {
			return err
		}
		approved[id] = len(list.Payments)
	}
	paidTwice := 0
	for _, n := range approved {
		if n != 1 {
			paidTwice++
		}
	}
	fmt.Fprintf(out, "sold %d + stock %d = %d (initial %d); products whose books do not balance: %d; orders without exactly one approved payment: %d\n",
		len(orders), stock, len(orders)+stock, initial*len(products), unbalanced, paidTwice)
	if unbalanced > 0 || paidTwice > 0 {
		return errors.New("the books do not balance")
	}
	return nil
}

// client speaks the gateway's REST/JSON.
type client struct {
	base string
	http *http.Client
}

// do sends one request; a 503 (a busy dependency: nothing happened) is
// retried after a second, a few times.
func (c *client) do(ctx context.Context, method, path, token, key string, body, into any) error {
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, method, path, token, key, body, into)
		var busy errUnavailable
		if !errors.As(err, &busy) || attempt == 10 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// errUnavailable is a 503 answer.
type errUnavailable struct{ error }

func (c *client) once(ctx context.Context, method, path, token, key string, body, into any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		return errUnavailable{fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)}
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if into != nil && len(data) > 0 {
		return json.Unmarshal(data, into)
	}
	return nil
}

func (c *client) until(ctx context.Context, done func() (bool, error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(wait*2, 100*time.Millisecond) {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (c *client) login(ctx context.Context, email, password string) (string, error) {
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	err := c.do(ctx, "POST", "/v1/auth/login", "", "", map[string]string{"email": email, "password": password}, &resp)
	return resp.AccessToken, err
}

func (c *client) createProduct(ctx context.Context, admin string, stock int) (variant, slug string, err error) {
	var cats struct {
		Categories []struct{ ID string } `json:"categories"`
	}
	if err := c.do(ctx, "GET", "/v1/categories", "", "", nil, &cats); err != nil {
		return "", "", err
	}
	if len(cats.Categories) == 0 {
		return "", "", errors.New("the catalog has no category (start with JANGTEO_SEED=true)")
	}
	var created struct {
		Product struct {
			Slug     string
			Variants []struct{ ID string } `json:"variants"`
		} `json:"product"`
	}
	err = c.do(ctx, "POST", "/v1/products", admin, "", map[string]any{
		"name": "Load test item " + newKey()[:8], "category_id": cats.Categories[0].ID,
		"price": map[string]any{"amount": "12000", "currency": "KRW"}, "stock": stock,
	}, &created)
	if err != nil {
		return "", "", err
	}
	return created.Product.Variants[0].ID, created.Product.Slug, nil
}

// signUpBuyers signs up n buyers, verifies them through the dev mailbox and
// logs them in.
func (c *client) signUpBuyers(ctx context.Context, n int) ([]string, error) {
	run := newKey()[:8]
	tokens := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			email := strings.ToLower(fmt.Sprintf("load-%s-%d@example.com", run, i)) // identity keeps emails in lower case
			const password = "load-test-2026!"
			if err := c.do(gctx, "POST", "/v1/auth/signup", "", "", map[string]string{"email": email, "password": password, "name": "Load"}, nil); err != nil {
				return fmt.Errorf("sign up: %w", err)
			}
			var link string
			if err := c.until(gctx, func() (bool, error) {
				var box []struct {
					To   []string `json:"to"`
					Text string   `json:"text"`
				}
				if err := c.do(gctx, "GET", "/dev/mailbox", "", "", nil, &box); err != nil {
					return false, err
				}
				for _, m := range box {
					if slices.Contains(m.To, email) {
						for _, w := range strings.Fields(m.Text) {
							if strings.Contains(w, "token=") {
								link = w
							}
						}
					}
				}
				return link != "", nil
			}); err != nil {
				return fmt.Errorf("verification mail for %s (this needs jangteo dev's /dev/mailbox): %w", email, err)
			}
			u, err := url.Parse(link)
			if err != nil {
				return err
			}
			if err := c.do(gctx, "POST", "/v1/auth/verify", "", "", map[string]string{"token": u.Query().Get("token")}, nil); err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			tokens[i], err = c.login(gctx, email, password)
			return err
		})
	}
	return tokens, g.Wait()
}

func newKey() string { return rand.Text() }

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
