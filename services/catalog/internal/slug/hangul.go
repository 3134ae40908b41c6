package slug

import "strings"

// The precomposed Hangul syllables block. Each syllable is
// hangulFirst + (initial*21 + medial)*28 + final, which is what lets
// romanize split it into jamo by arithmetic instead of a table per syllable.
const (
	hangulFirst = 0xAC00
	hangulLast  = 0xD7A3
	initials    = 19
	medials     = 21
	finals      = 28
)

// Revised Romanization of Korean, jamo by jamo, in Unicode index order.
// Initials and medials use their before-a-vowel spelling; finals use the
// end-of-syllable spelling, which is why ㄱ is "g" as an initial but "k" as
// a final, and ㅅ/ㅈ/ㅊ/ㅎ all end in "t".
var (
	rrInitial = [initials]string{
		"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
		"ss", "", "j", "jj", "ch", "k", "t", "p", "h",
	}
	rrMedial = [medials]string{
		"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa",
		"wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
	}
	rrFinal = [finals]string{
		"", "k", "k", "k", "n", "n", "n", "t", "l", "k",
		"m", "l", "l", "l", "p", "l", "m", "p", "p", "t",
		"t", "ng", "t", "t", "k", "t", "p", "t",
	}
)

// romanize writes the romanization of the Hangul syllable r to b. r must be
// in hangulFirst..hangulLast.
func romanize(b *strings.Builder, r rune) {
	i := int(r - hangulFirst)
	b.WriteString(rrInitial[i/(medials*finals)])
	b.WriteString(rrMedial[i%(medials*finals)/finals])
	b.WriteString(rrFinal[i%finals])
}
