// Package slug turns product, brand and category names into URL slugs.
//
// Slugs are lower-case ASCII words joined by "-", so they survive every
// client, log line and shell unescaped. Jangteo's names are mostly Korean
// and English, so Latin accents are folded ("Café" → "cafe") and Hangul is
// romanized with the Revised Romanization of Korean ("서울" → "seoul");
// anything else (other scripts, emoji, symbols) only separates words.
package slug

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxLen is the longest slug Make returns. It keeps URLs readable and fits
// comfortably in an indexed column.
const MaxLen = 80

// Fallback is the slug for a name that yields no usable characters (only
// emoji, or a script this package does not transliterate), so callers
// always get a non-empty slug to pass to Unique.
const Fallback = "item"

// Make returns the slug for name: lower-case ASCII letters and digits,
// words joined by single dashes, at most MaxLen bytes cut at a word
// boundary. A Korean word stays one slug word ("강남구" → "gangnamgu");
// the romanization is syllable by syllable, without the sound-change
// rules, which is predictable and good enough for a URL.
func Make(name string) string {
	var (
		words []string
		cur   strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	// NFKC first: it composes Hangul jamo sequences and combining accents
	// into single runes and folds compatibility forms (full-width "Ａ",
	// ligature "ﬁ", "①") into the plain letters and digits they stand for.
	for _, r := range norm.NFKC.String(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			cur.WriteRune(r + ('a' - 'A'))
		case r >= hangulFirst && r <= hangulLast:
			romanize(&cur, r)
		case r == '\'' || r == '’' || unicode.Is(unicode.Mn, r):
			// "Levi's" reads better as "levis" than "levi-s"; a stray
			// combining mark or variation selector carries no letter.
		case unicode.IsLetter(r):
			if s, ok := foldLatin(r); ok {
				cur.WriteString(s)
			} else {
				flush()
			}
		default:
			flush()
		}
	}
	flush()
	return join(words, MaxLen)
}

// Unique returns base if it is free, otherwise base with the first free
// suffix "-2", "-3", … — the form shops use for the second "Air Force 1".
// taken reports whether a slug is already used; the store passes a check
// against the database. The answer can be stale by the time the row is
// written, so the unique index stays the real guard and the caller retries
// on a conflict. The result never exceeds MaxLen: a long base loses whole
// words to make room for the suffix.
func Unique(base string, taken func(string) bool) string {
	if base == "" {
		base = Fallback
	}
	if !taken(base) {
		return base
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		candidate := join(strings.Split(base, "-"), MaxLen-len(suffix)) + suffix
		if !taken(candidate) {
			return candidate
		}
	}
}

// WithSuffix appends "-suffix" to s, dropping trailing words of s so the
// result stays within MaxLen.
func WithSuffix(s, suffix string) string {
	return join(strings.Split(s, "-"), MaxLen-len(suffix)-1) + "-" + suffix
}

// join joins words with "-" keeping as many whole words as fit in limit
// bytes. A first word longer than limit is cut, since there is no boundary
// to cut at. Empty words (from "--" in Unique's base) are skipped.
func join(words []string, limit int) string {
	var b strings.Builder
	for _, w := range words {
		if w == "" {
			continue
		}
		if b.Len() == 0 {
			b.WriteString(w[:min(len(w), limit)])
			continue
		}
		if b.Len()+1+len(w) > limit {
			break
		}
		b.WriteByte('-')
		b.WriteString(w)
	}
	if b.Len() == 0 {
		return Fallback
	}
	return b.String()
}

// foldLatin maps a non-ASCII letter to ASCII. Accented letters decompose
// into a base letter and marks (NFD), which are dropped; the handful of
// Latin letters that do not decompose are spelled out. Letters of other
// scripts report false.
func foldLatin(r rune) (string, bool) {
	if s, ok := latinSpecial[r]; ok {
		return s, true
	}
	var out []byte
	for _, d := range norm.NFD.String(string(r)) {
		switch {
		case d >= 'a' && d <= 'z':
			out = append(out, byte(d))
		case d >= 'A' && d <= 'Z':
			out = append(out, byte(d+('a'-'A')))
		case unicode.Is(unicode.Mn, d):
		default:
			return "", false
		}
	}
	return string(out), len(out) > 0
}

// latinSpecial spells the Latin letters that have no canonical
// decomposition the way their languages transliterate them.
var latinSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o",
	'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th",
	'ł': "l", 'Ł': "l",
	'ı': "i",
	'ħ': "h", 'Ħ': "h",
}

// RandomSuffix is 6 base-36 characters: 2 billion values.
func RandomSuffix() string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 6)
	for i := range b {
		b[i] = digits[rand.IntN(len(digits))]
	}
	return string(b)
}
