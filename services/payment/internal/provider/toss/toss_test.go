package toss_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/jangteo/jangteo/services/payment/internal/fakes/toss"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
	client "github.com/jangteo/jangteo/services/payment/internal/provider/toss"
)

// newToss starts a fake Toss Payments and a client of it.
func newToss(t *testing.T) (*toss.Fake, *client.Provider) {
	fake := toss.New("test_sk_secret", "test_ck_client")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, client.New(client.Config{BaseURL: srv.URL, SecretKey: "test_sk_secret", ClientKey: "test_ck_client", CheckoutURL: srv.URL + "/checkout"}, nil)
}

func TestTossPassesTheProviderSuite(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		_, p := newToss(t)
		return providertest.Harness{
			Provider: p, Currency: "KRW",
			BuyerApproves: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) url.Values {
				return providertest.Click(t, prepared.RedirectURL, "pay").Query()
			},
			BuyerDeclines: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) {
				providertest.Click(t, prepared.RedirectURL, "cancel")
			},
		}
	})
}
