package auth

import "time"

// SetClock replaces the verifier's clock (tests of expiry).
func SetClock(v *Verifier, now func() time.Time) { v.now = now }

// RememberVerified replaces the verifier's cache of verified tokens.
func RememberVerified(v *Verifier, ttl time.Duration, max int) {
	v.verified = newVerifiedCache(ttl, max)
}

// Remembered is how many verified tokens v remembers.
func Remembered(v *Verifier) int { return v.verified.len() }
