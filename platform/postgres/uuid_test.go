package postgres

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/jangteo/jangteo/platform/testkit"
)

func TestStringsBindToUUIDs(t *testing.T) {
	t.Parallel()
	pool := connect(t, testkit.Database(t), "svc")
	in := []string{
		"8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5e",
		"8F14E45FCEEA467FA0E60A1A2B3C4D5F", // PostgreSQL's other spellings go as text
		"{8f14e45f-ceea-467f-a0e6-0a1a2b3c4d60}",
	}
	var out []string
	if err := pool.QueryRow(t.Context(), `SELECT array_agg(u::text ORDER BY o) FROM unnest($1::uuid[]) WITH ORDINALITY AS x (u, o)`, in).Scan(&out); err != nil {
		t.Fatal(err)
	}
	want := []string{"8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5e", "8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5f", "8f14e45f-ceea-467f-a0e6-0a1a2b3c4d60"}
	if !slices.Equal(out, want) {
		t.Fatalf("got %q, want %q", out, want)
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM unnest($1::uuid[])`, []string{want[0], "not-a-uuid"}).Scan(&n); err == nil {
		t.Fatal("a string that is not a uuid was accepted")
	} else if pgErr, ok := err.(*pgconn.PgError); !ok || pgErr.Code != "22P02" {
		t.Fatalf("got %v, want PostgreSQL's invalid input (22P02)", err)
	}
}

func TestUUIDStringsEncodeInBinary(t *testing.T) {
	m := pgtype.NewMap()
	registerUUID(m)
	buf, err := m.Encode(pgtype.UUIDArrayOID, pgtype.BinaryFormatCode, []string{"8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5e"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(buf) == 0 {
		t.Fatal("nothing encoded")
	}
	if _, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, "8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5", nil); err == nil {
		t.Fatal("a short uuid was encoded")
	}
}

func TestUUIDFromStringMatchesPostgreSQLsBytes(t *testing.T) {
	for _, s := range []string{"8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5e", "8F14E45FCEEA467FA0E60A1A2B3C4D5E"} {
		got, err := uuidFromString{}.Encode(s, nil)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if want := "\x8f\x14\xe4\x5f\xce\xea\x46\x7f\xa0\xe6\x0a\x1a\x2b\x3c\x4d\x5e"; string(got) != want {
			t.Fatalf("%s: % x", s, got)
		}
	}
	for _, s := range []string{"", "8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5", "8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5g", "8f14e45fxceea-467f-a0e6-0a1a2b3c4d5e", "{8f14e45f-ceea-467f-a0e6-0a1a2b3c4d5}"} {
		if _, err := (uuidFromString{}).Encode(s, nil); err == nil {
			t.Errorf("%q was encoded", s)
		}
	}
}
