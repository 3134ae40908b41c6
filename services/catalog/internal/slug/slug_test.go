package slug

import (
	"strings"
	"testing"
)

func TestMake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		// ASCII
		{"plain", "Air Force 1", "air-force-1"},
		{"already a slug", "air-force-1", "air-force-1"},
		{"upper case", "NIKE DUNK LOW", "nike-dunk-low"},
		{"surrounding space", "   Dunk   Low  ", "dunk-low"},
		{"tabs and newlines", "Dunk\tLow\nRetro", "dunk-low-retro"},
		{"repeated dashes", "Dunk -- Low --- Retro", "dunk-low-retro"},
		{"leading and trailing dashes", "--dunk-low--", "dunk-low"},
		{"underscores", "dunk_low__retro", "dunk-low-retro"},
		{"punctuation", "Hello, World! (2024 Edition) & More?", "hello-world-2024-edition-more"},
		{"apostrophe kept in word", "Levi's 501", "levis-501"},
		{"typographic apostrophe", "Levi’s 501", "levis-501"},
		{"dots and slashes", "v1.2/beta", "v1-2-beta"},
		{"digits only", "2024", "2024"},

		// Latin accents and special letters
		{"acute", "Café Crème", "cafe-creme"},
		{"decomposed accent", "Cafe\u0301", "cafe"},
		{"umlaut", "Über Größe", "uber-grosse"},
		{"nordic", "Smørrebrød Ærø", "smorrebrod-aero"},
		{"polish", "Łódź", "lodz"},
		{"vietnamese", "Phở Đặc Biệt", "pho-dac-biet"},
		{"spanish", "Año Niño", "ano-nino"},
		{"full-width latin", "ＮＩＫＥ ２０２４", "nike-2024"},
		{"ligature", "ﬁne", "fine"},
		{"circled digit", "Pack ①", "pack-1"},

		// Hangul
		{"korean words", "서울 강남구", "seoul-gangnamgu"},
		{"korean and number", "나이키 에어포스 1", "naiki-eeoposeu-1"},
		{"final consonants", "대한민국", "daehanminguk"},
		{"double initials", "빵 까페 떡 씨앗 짜장", "ppang-kkape-tteok-ssiat-jjajang"},
		{"complex vowels", "과자 왜 외 워 웨 위 의", "gwaja-wae-oe-wo-we-wi-ui"},
		{"y vowels", "야 얘 여 예 요 유", "ya-yae-yeo-ye-yo-yu"},
		{"final ng and t", "강 옷 낮 꽃 밭 히읗", "gang-ot-nat-kkot-bat-hieut"},
		{"double finals", "닭 삶 넓 값 읽", "dak-sam-neol-gap-ik"},
		{"first and last syllables", "가 힣", "ga-hit"},
		{"decomposed jamo compose", "\u1112\u1161\u11AB\u1100\u116E\u11A8", "hanguk"},
		{"mixed korean english", "삼성 Galaxy S24 울트라", "samseong-galaxy-s24-ulteura"},
		{"korean glued to latin", "G마켓", "gmaket"},
		{"korean punctuation", "「한정판」 스니커즈·운동화", "hanjeongpan-seunikeojeu-undonghwa"},
		{"korean with brackets", "[무료배송] 티셔츠 (블랙)", "muryobaesong-tisyeocheu-beulraek"},

		// Dropped scripts, emoji, symbols
		{"emoji between words", "Hot 🔥 Deal", "hot-deal"},
		{"emoji with modifiers", "👍🏽 Good ❤️ Shoes", "good-shoes"},
		{"zwj emoji", "Family 👨‍👩‍👧 Pack", "family-pack"},
		{"cyrillic dropped", "Привет World", "world"},
		{"cjk ideographs dropped", "東京 Tokyo", "tokyo"},
		{"other script splits word", "abcДdef", "abc-def"},
		{"symbols", "50% off → now $9.99 ★", "50-off-now-9-99"},
		{"compatibility jamo dropped", "ㅋㅋ 웃김", "utgim"},

		// Fallback
		{"empty", "", "item"},
		{"only spaces", "   ", "item"},
		{"only punctuation", "!!! --- ???", "item"},
		{"only emoji", "🔥🔥🔥", "item"},
		{"only cyrillic", "Привет", "item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Make(tt.in); got != tt.want {
				t.Errorf("Make(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMakeLength(t *testing.T) {
	t.Parallel()
	word10 := "abcdefghij" // 10 bytes
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "exactly max",
			in:   strings.Repeat(word10+" ", 7) + "abc",
			want: strings.Repeat(word10+"-", 7) + "abc", // 7*11 + 3 = 80
		},
		{
			name: "cut at word boundary",
			in:   strings.Repeat("word ", 30),
			want: strings.TrimSuffix(strings.Repeat("word-", 16), "-"), // 79 bytes; a 17th would be 84
		},
		{
			name: "fits exactly 80",
			in:   strings.Repeat("x", 39) + " " + strings.Repeat("y", 40),
			want: strings.Repeat("x", 39) + "-" + strings.Repeat("y", 40),
		},
		{
			name: "one byte over drops last word",
			in:   strings.Repeat("x", 39) + " " + strings.Repeat("y", 41),
			want: strings.Repeat("x", 39),
		},
		{
			name: "single long word is cut",
			in:   strings.Repeat("z", 200),
			want: strings.Repeat("z", 80),
		},
		{
			name: "long korean name",
			in:   strings.Repeat("서울특별시 ", 20),
			want: strings.TrimSuffix(strings.Repeat("seoulteukbyeolsi-", 4), "-"), // 16*4+3 = 67; a 5th would be 84
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Make(tt.in)
			if got != tt.want {
				t.Errorf("Make(%q) = %q (%d bytes), want %q", tt.in, got, len(got), tt.want)
			}
			if len(got) > MaxLen {
				t.Errorf("len(Make(%q)) = %d, want <= %d", tt.in, len(got), MaxLen)
			}
		})
	}
}

func TestUnique(t *testing.T) {
	t.Parallel()
	long := strings.TrimSuffix(strings.Repeat("word-", 16), "-") // 79 bytes
	tests := []struct {
		name  string
		base  string
		taken []string
		want  string
	}{
		{"free", "air-force-1", nil, "air-force-1"},
		{"taken once", "air-force-1", []string{"air-force-1"}, "air-force-1-2"},
		{"taken thrice", "dunk", []string{"dunk", "dunk-2", "dunk-3"}, "dunk-4"},
		{"gap is reused", "dunk", []string{"dunk", "dunk-3"}, "dunk-2"},
		{"past nine", "x", []string{"x", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8", "x-9"}, "x-10"},
		{"empty base", "", []string{}, "item"},
		{"empty base taken", "", []string{"item"}, "item-2"},
		{"long base drops a word for the suffix", long, []string{long}, strings.TrimSuffix(strings.Repeat("word-", 15), "-") + "-2"},
		{"long single word is cut for the suffix", strings.Repeat("z", 80), []string{strings.Repeat("z", 80)}, strings.Repeat("z", 78) + "-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := make(map[string]bool, len(tt.taken))
			for _, s := range tt.taken {
				set[s] = true
			}
			got := Unique(tt.base, func(s string) bool { return set[s] })
			if got != tt.want {
				t.Errorf("Unique(%q) = %q, want %q", tt.base, got, tt.want)
			}
			if len(got) > MaxLen {
				t.Errorf("len(Unique(%q)) = %d, want <= %d", tt.base, len(got), MaxLen)
			}
		})
	}
}

func FuzzMake(f *testing.F) {
	for _, s := range []string{"Air Force 1", "서울 강남구", "Café 🔥", "", "---", "Привет"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Make(in)
		if got == "" || len(got) > MaxLen {
			t.Fatalf("Make(%q) = %q: want 1..%d bytes", in, got, MaxLen)
		}
		if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("Make(%q) = %q: stray dash", in, got)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Make(%q) = %q: unexpected %q", in, got, r)
			}
		}
		if again := Make(got); again != got {
			t.Fatalf("Make is not idempotent: Make(%q) = %q, Make(%q) = %q", in, got, got, again)
		}
	})
}
