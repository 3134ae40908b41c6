package catalog_test

import (
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

// Ten parallel creates of one name without a slug all succeed, each with its
// own derived slug.
func TestParallelCreatesDeriveDistinctSlugs(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := as(e.iss.Token("staff-1", "staff"))
	const n = 10
	slugs := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "운동화"})
			if err != nil {
				t.Errorf("create: %v", err)
				return
			}
			slugs <- resp.GetCategory().GetSlug()
		})
	}
	wg.Wait()
	close(slugs)
	seen := map[string]bool{}
	for s := range slugs {
		if seen[s] {
			t.Fatalf("slug %q given twice", s)
		}
		seen[s] = true
	}
	if len(seen) != n || !seen["undonghwa"] {
		t.Fatalf("slugs = %v; want %d distinct, the first the plain one", seen, n)
	}
}

// Moving two categories under each other at once deadlocks in PostgreSQL;
// the transaction helper retries the loser, which then sees the cycle. So
// one move wins and the other is a 400, never a 500.
func TestOppositeCategoryMoves(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := as(e.iss.Token("staff-1", "staff"))
	for round := range 8 {
		a := must(e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "a"})).GetCategory().GetId()
		b := must(e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "b"})).GetCategory().GetId()
		errc := make(chan error, 2)
		var wg sync.WaitGroup
		for _, move := range [][2]string{{a, b}, {b, a}} {
			wg.Go(func() {
				_, err := e.client.UpdateCategory(staff, &catalogv1.UpdateCategoryRequest{Id: move[0], ParentId: &move[1]})
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		ok := 0
		for err := range errc {
			switch status.Code(err) {
			case codes.OK:
				ok++
			case codes.InvalidArgument:
			default:
				t.Fatalf("round %d: move = %v; want OK or a cycle refusal", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d moves succeeded; want exactly one", round, ok)
		}
	}
}
