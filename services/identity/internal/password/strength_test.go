package password

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckStrength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"ok ascii", "tiger-lily-42", nil},
		{"ok hangul letters", "장터에서쇼핑해요1", nil},
		{"exactly 8", "abcdefg1", nil},
		{"exactly 128", strings.Repeat("a", 127) + "1", nil},
		{"empty", "", ErrTooShort},
		{"7 chars", "abcdef1", ErrTooShort},
		// Eight Hangul syllables are 24 bytes but 8 characters.
		{"hangul counted in characters", "가나다라마바사1", nil},
		{"129 chars", strings.Repeat("a", 128) + "1", ErrTooLong},
		{"digits only", "1234567890", ErrNoLetter},
		{"symbols and digits", "!@#$%^&*12", ErrNoLetter},
		{"letters only", "correcthorse", ErrNoDigit},
		{"common", "password1", ErrCommon},
		{"common any case", "QWERTY123", ErrCommon},
		{"common korean favourite", "1q2w3e4r", ErrCommon},
		{"fullwidth normalises to common", "ｐａｓｓｗｏｒｄ１", ErrCommon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckStrength(tt.pw)
			if err != tt.want {
				t.Fatalf("CheckStrength(%q) = %v, want %v", tt.pw, err, tt.want)
			}
			if err != nil && !errors.Is(err, ErrWeak) {
				t.Fatalf("errors.Is(%v, ErrWeak) = false", err)
			}
		})
	}
}

func TestCommonListLoaded(t *testing.T) {
	t.Parallel()
	if n := len(commonPasswords); n < 40 {
		t.Fatalf("common password list has %d entries, want about 50", n)
	}
	// Every listed password must otherwise pass the rules, or the list
	// entry could never be the reason a password is refused.
	for pw := range commonPasswords {
		if err := CheckStrength(pw); err != ErrCommon {
			t.Errorf("CheckStrength(%q) = %v, want ErrCommon", pw, err)
		}
	}
}
