package sandbox_test

import (
	"net/url"
	"testing"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

func TestSandboxPassesTheProviderSuite(t *testing.T) {
	dbURL := testkit.Database(t)
	pool, err := postgres.Connect(t.Context(), dbURL, "payment")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(t.Context(), pool, postgres.MigrationSet{Name: "payment", FS: store.Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(pool, "http://pay.test/")
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.Harness{
			Provider: sb,
			Currency: "KRW",
			BuyerApproves: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) url.Values {
				if err := sb.Authorize(t.Context(), prepared.Ref); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			BuyerDeclines: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) {
				if err := sb.Decline(t.Context(), prepared.Ref); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}
