package paypal

import (
	"fmt"
	"math/big"
	"strings"
)

// decimals is how many minor digits a PayPal currency has (2 unless listed).
var decimals = map[string]int{"JPY": 0, "HUF": 0, "TWD": 0}

func places(currency string) int {
	if d, ok := decimals[currency]; ok {
		return d
	}
	return 2
}

// Rate is how many KRW one unit of the charged currency costs ("1400.5").
type Rate struct{ r *big.Rat }

// ParseRate reads a positive decimal rate.
func ParseRate(s string) (Rate, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || r.Sign() <= 0 {
		return Rate{}, fmt.Errorf("paypal: rate %q is not a positive decimal", s)
	}
	return Rate{r}, nil
}

func (r Rate) String() string {
	if r.r == nil {
		return ""
	}
	return strings.TrimRight(strings.TrimRight(r.r.FloatString(6), "0"), ".")
}

// Charge converts krw into minor units of currency at r, rounded half up.
func (r Rate) Charge(krw int64, currency string) int64 {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places(currency))), nil)
	v := new(big.Rat).SetInt64(krw)
	v.Mul(v, new(big.Rat).SetInt(scale))
	v.Quo(v, r.r)
	v.Add(v, big.NewRat(1, 2))
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64()
}

// value formats minor units as PayPal's decimal string ("18.50").
func value(minor int64, currency string) string {
	d := places(currency)
	if d == 0 {
		return fmt.Sprint(minor)
	}
	scale := int64(1)
	for range d {
		scale *= 10
	}
	return fmt.Sprintf("%d.%0*d", minor/scale, d, minor%scale)
}

// minor reads PayPal's decimal string as minor units.
func minor(v, currency string) (int64, error) {
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		return 0, fmt.Errorf("paypal: amount %q", v)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places(currency))), nil)))
	if !r.IsInt() {
		return 0, fmt.Errorf("paypal: amount %q has too many digits for %s", v, currency)
	}
	return r.Num().Int64(), nil
}
