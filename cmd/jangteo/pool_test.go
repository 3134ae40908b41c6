package main

import "testing"

// The dev pools are sized unless the URL sizes them itself.
func TestWithPoolSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		n    int
		want string
	}{
		{"postgres://postgres@127.0.0.1:54329/jangteo?sslmode=disable", 32, "postgres://postgres@127.0.0.1:54329/jangteo?pool_max_conns=32&sslmode=disable"},
		{"postgres://postgres@127.0.0.1:54329/jangteo?pool_max_conns=5", 32, "postgres://postgres@127.0.0.1:54329/jangteo?pool_max_conns=5"},
		{"postgres://postgres@127.0.0.1:54329/jangteo", 0, "postgres://postgres@127.0.0.1:54329/jangteo"},
	} {
		got, err := withPoolSize(c.url, c.n)
		if err != nil || got != c.want {
			t.Errorf("withPoolSize(%q, %d) = %q, %v; want %q", c.url, c.n, got, err, c.want)
		}
	}
	if _, err := withPoolSize("postgres://%zz", 1); err == nil {
		t.Error("an unparsable URL was accepted")
	}
}
