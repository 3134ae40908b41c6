package password

import (
	_ "embed"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits, counted in characters (runes) after NFKC normalisation.
// The upper bound keeps a sign-up request from making argon2 hash megabytes.
const (
	MinLength = 8
	MaxLength = 128
)

// ErrWeak matches every strength error (errors.Is), so callers can map all
// of them to one "password" field violation and still show the rule text.
var ErrWeak = errors.New("password is too weak")

// The strength rules. Their messages are written for the person choosing
// the password and are safe to return to clients as they are.
var (
	// ErrTooShort: fewer than MinLength characters.
	ErrTooShort error = weakError("password must be at least 8 characters long")
	// ErrTooLong: more than MaxLength characters.
	ErrTooLong error = weakError("password must be at most 128 characters long")
	// ErrNoLetter: no letter in any script.
	ErrNoLetter error = weakError("password must contain at least one letter")
	// ErrNoDigit: no digit.
	ErrNoDigit error = weakError("password must contain at least one digit")
	// ErrCommon: on the list of commonly used passwords.
	ErrCommon error = weakError("password is too common; choose one that is harder to guess")
)

type weakError string

func (e weakError) Error() string { return string(e) }

// Is makes every rule error match ErrWeak.
func (e weakError) Is(target error) bool { return target == ErrWeak }

//go:embed common_passwords.txt
var commonPasswordsFile string

// commonPasswords holds the embedded list lower-cased, so "Password1" is
// caught as well as "password1".
var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for line := range strings.Lines(commonPasswordsFile) {
		if w := strings.TrimSpace(line); w != "" {
			m[strings.ToLower(w)] = struct{}{}
		}
	}
	return m
}()

// CheckStrength applies the sign-up rules to pw: 8 to 128 characters, at
// least one letter (any script, so Hangul counts) and one digit, and not a
// commonly used password. It returns the first rule broken, or nil.
func CheckStrength(pw string) error {
	pw = norm.NFKC.String(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	}
	var letter, digit bool
	for _, r := range pw {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	switch {
	case !letter:
		return ErrNoLetter
	case !digit:
		return ErrNoDigit
	}
	if _, ok := commonPasswords[strings.ToLower(pw)]; ok {
		return ErrCommon
	}
	return nil
}
