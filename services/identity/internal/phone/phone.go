// Package phone normalises user-entered phone numbers to E.164, the one form
// identity stores, so "010-1234-5678" and "+82 10 1234 5678" are the same
// number for uniqueness checks and for SMS providers.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for numbers written without a country
// code. Jangteo's users are mostly in Korea.
const DefaultRegion = "KR"

// maxInputLength bounds what is handed to the parser; real numbers with
// spacing and an extension fit easily, pasted essays do not.
const maxInputLength = 64

// ErrInvalid is returned for anything that is not a valid, dialable number.
// Its text is meant for the person who typed the number.
var ErrInvalid = errors.New("must be a valid phone number in E.164 (+821012345678) or national format (010-1234-5678)")

// Normalize parses raw, written either in E.164/international form or in the
// national form of defaultRegion (an ISO 3166-1 alpha-2 code; empty means
// DefaultRegion), and returns it in E.164 form, e.g. "+821012345678".
// Numbers that parse but are not assigned in their region's numbering plan
// are rejected too, so typos are caught at sign-up rather than at delivery.
func Normalize(raw, defaultRegion string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxInputLength {
		return "", ErrInvalid
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if region == "" {
		region = DefaultRegion
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrInvalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
