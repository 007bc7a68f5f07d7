package limits

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "hello", 5, "hello"},
		{"empty", "", 3, ""},
		{"cut ascii", "hello world", 5, "hell…"},
		{"one char", "hello", 1, "…"},
		{"zero", "hello", 0, ""},
		{"cjk fits", "你好世界", 4, "你好世界"},
		{"cjk cut", "你好世界和平", 4, "你好世…"},
		{"emoji cut", "✅⚠️🚀🚀🚀", 3, "✅⚠…"},
		{"invalid kept", "a\xffb", 3, "a\uFFFDb"},
		{"invalid cut", "\xff\xfe\xfdabc", 3, "\uFFFD\uFFFD…"},
		{"truncated rune at end", "ab\xe4\xbd", 10, "ab\uFFFD\uFFFD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Cut(tc.in, tc.max)
			if got != tc.want {
				t.Fatalf("Cut(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("Cut returned invalid UTF-8 %q", got)
			}
			if n := utf8.RuneCountInString(got); n > tc.max {
				t.Fatalf("Cut returned %d characters, limit %d", n, tc.max)
			}
		})
	}
}

func TestCutBytes(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "hello", 5, "hello"},
		{"cut ascii", "hello world", 8, "hello…"},
		// 3-byte characters: 10 bytes leave room for two plus the ellipsis.
		{"cjk never split", "你好世界", 10, "你好…"},
		{"cjk exact", "你好世界", 12, "你好世界"},
		// 🚀 is 4 bytes: 9 bytes hold one rocket and the ellipsis.
		{"emoji never split", "🚀🚀🚀", 9, "🚀…"},
		{"no room for anything", "hello", 2, ""},
		{"only the ellipsis", "hello", 3, "…"},
		// An invalid byte becomes the 3-byte U+FFFD and is counted so.
		{"invalid counted as replaced", "\xff\xff\xffabc", 6, "\uFFFD…"},
		{"invalid fits", "a\xff", 4, "a\uFFFD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CutBytes(tc.in, tc.max)
			if got != tc.want {
				t.Fatalf("CutBytes(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if !utf8.ValidString(got) || len(got) > tc.max {
				t.Fatalf("CutBytes returned %q (%d bytes), limit %d", got, len(got), tc.max)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"alice", 32, "alice"},
		{"two\nlines", 32, "two lines"},
		{"tab\tand\r\nbell\a", 32, "tab and  bell "},
		{"line\u2028sep", 32, "line sep"},
		{"evil\u202eexe.txt", 32, "evil exe.txt"},
		{"C1\u0085next", 32, "C1 next"},
		{"emoji 👩‍💻 kept", 32, "emoji 👩‍💻 kept"},
		{"long\nname", 4, "lon…"},
	}
	for _, tc := range cases {
		if got := Label(tc.in, tc.max); got != tc.want {
			t.Errorf("Label(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// A 1 MB value of every kind of text is cut to the limit, valid, with the
// ellipsis.
func TestCutHugeInput(t *testing.T) {
	huge := map[string]string{
		"ascii":   strings.Repeat("a", 1<<20),
		"cjk":     strings.Repeat("界", 1<<20/3),
		"emoji":   strings.Repeat("🚀", 1<<18),
		"invalid": strings.Repeat("\xff", 1<<20),
		"newline": strings.Repeat("\n", 1<<20),
	}
	for name, in := range huge {
		t.Run(name, func(t *testing.T) {
			c := Cut(in, NicknameChars)
			if utf8.RuneCountInString(c) != NicknameChars || !strings.HasSuffix(c, Ellipsis) || !utf8.ValidString(c) {
				t.Errorf("Cut: %d characters %q", utf8.RuneCountInString(c), c)
			}
			b := CutBytes(in, HostBytes)
			if len(b) > HostBytes || len(b) < HostBytes-utf8.UTFMax-len(Ellipsis) || !strings.HasSuffix(b, Ellipsis) || !utf8.ValidString(b) {
				t.Errorf("CutBytes: %d bytes", len(b))
			}
			l := Label(in, AliasChars)
			if strings.ContainsAny(l, "\n\r") || utf8.RuneCountInString(l) != AliasChars {
				t.Errorf("Label: %q", l)
			}
			if Fits(in, AliasChars) {
				t.Error("Fits said a 1 MB value fits 64 characters")
			}
		})
	}
}

func TestFits(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want bool
	}{
		{"", 0, true},
		{"abc", 3, true},
		{"abcd", 3, false},
		{"你好世", 3, true}, // 9 bytes, 3 characters
		{"你好世界", 3, false},
		{"\xff\xff", 2, true},
		{"\xff\xff\xff", 2, false},
	}
	for _, tc := range cases {
		if got := Fits(tc.in, tc.max); got != tc.want {
			t.Errorf("Fits(%q, %d) = %v", tc.in, tc.max, got)
		}
	}
}

// Values that fit come back as they are, without a copy.
func TestCutDoesNotCopyWhatFits(t *testing.T) {
	s := strings.Repeat("x", 100)
	if allocs := testing.AllocsPerRun(100, func() { _ = Cut(s, 100); _ = CutBytes(s, 100); _ = Label(s, 100) }); allocs != 0 {
		t.Fatalf("%v allocations for values that fit", allocs)
	}
}

// BenchmarkCutHuge cuts a 64 MiB value to a nickname; x-1KiB is its cost
// over cutting a 1 KiB value in the same run. It stays about 1: the cost
// does not grow with the input.
func BenchmarkCutHuge(b *testing.B) {
	small := strings.Repeat("界", 1<<10/3)
	huge := strings.Repeat("界", 64<<20/3)
	var smallTime time.Duration
	for b.Loop() {
		_ = Label(huge, NicknameChars)
		b.StopTimer()
		start := time.Now()
		_ = Label(small, NicknameChars)
		smallTime += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed())/float64(smallTime), "x-1KiB")
}

func TestPrefix(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"}, // é is two bytes: not split
		{"界界", 4, "界"},
		{"🙂x", 3, ""},
		{"abc", 0, ""},
		{"a\xffbc", 3, "a\xffb"}, // invalid bytes are kept as they are
	} {
		if got := Prefix(c.in, c.max); got != c.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	big := strings.Repeat("界", 1<<20)
	if got := Prefix(big, 1<<20); len(got) > 1<<20 || !utf8.ValidString(got) {
		t.Fatalf("Prefix of 3 MB to 1 MB: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}
