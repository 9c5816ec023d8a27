package kpi

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// ruSpaces writes the no-break space of Russian formatting as "_" in tables.
func ruSpaces(s string) string { return strings.ReplaceAll(s, "_", "\u00a0") }

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v      float64
		ru, en string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{42, "42", "42"},
		{100, "100", "100"},
		{999, "999", "999"},
		{1000, "1_000", "1,000"},
		{12500, "12_500", "12,500"},
		{1234567, "1_234_567", "1,234,567"},
		{1e15, "1_000_000_000_000_000", "1,000,000,000,000,000"},
		{4.2, "4,2", "4.2"},
		{4.25, "4,25", "4.25"},
		{4.20, "4,2", "4.2"},
		{4.256, "4,26", "4.26"},
		{4.001, "4", "4"},
		{0.05, "0,05", "0.05"},
		{0.5, "0,5", "0.5"},
		{0.004, "0", "0"},
		{12.345, "12,35", "12.35"}, // 12.345 is stored as 12.3450000000000006
		{999.99, "999,99", "999.99"},
		{999.996, "1_000", "1,000"},
		{1234.5, "1_235", "1,235"},
		{1234.4, "1_234", "1,234"},
		{12500.7, "12_501", "12,501"},
		{-3, "\u22123", "-3"},
		{-4.2, "\u22124,2", "-4.2"},
		{-1234.5, "\u22121_235", "-1,235"},
		{-0.001, "0", "0"},
		{math.Copysign(0, -1), "0", "0"},
		{math.NaN(), "NaN", "NaN"},
		{math.Inf(1), "∞", "∞"},
		{math.Inf(-1), "\u2212∞", "-∞"},
	}
	for _, tt := range tests {
		if got, want := FormatNumber(tt.v, Russian), ruSpaces(tt.ru); got != want {
			t.Errorf("FormatNumber(%v, ru) = %q, want %q", tt.v, got, want)
		}
		if got := FormatNumber(tt.v, English); got != tt.en {
			t.Errorf("FormatNumber(%v, en) = %q, want %q", tt.v, got, tt.en)
		}
	}
	if got, want := FormatNumber(12500, ""), FormatNumber(12500, Russian); got != want {
		t.Errorf("FormatNumber(12500, \"\") = %q, want the Russian %q", got, want)
	}
}

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		v      float64
		ru, en string
	}{
		{4.2, "4,2_%", "4.2%"},
		{0, "0_%", "0%"},
		{100, "100_%", "100%"},
		{12.345, "12,35_%", "12.35%"},
		{-3.5, "\u22123,5_%", "-3.5%"},
		{1500, "1_500_%", "1,500%"},
	}
	for _, tt := range tests {
		if got, want := FormatPercent(tt.v, Russian), ruSpaces(tt.ru); got != want {
			t.Errorf("FormatPercent(%v, ru) = %q, want %q", tt.v, got, want)
		}
		if got := FormatPercent(tt.v, English); got != tt.en {
			t.Errorf("FormatPercent(%v, en) = %q, want %q", tt.v, got, tt.en)
		}
		v, pct, err := ParseNumber(FormatPercent(tt.v, Russian), Russian)
		if err != nil || !pct || math.Abs(v-tt.v) > 0.5 {
			t.Errorf("ParseNumber(FormatPercent(%v, ru)) = %v, %v, %v", tt.v, v, pct, err)
		}
		v, pct, err = ParseNumber(FormatPercent(tt.v, English), English)
		if err != nil || !pct || math.Abs(v-tt.v) > 0.5 {
			t.Errorf("ParseNumber(FormatPercent(%v, en)) = %v, %v, %v", tt.v, v, pct, err)
		}
	}
}

func TestFormatCompact(t *testing.T) {
	tests := []struct {
		v      float64
		ru, en string
	}{
		{0, "0", "0"},
		{4.25, "4,25", "4.25"},
		{999, "999", "999"},
		{1500, "1_500", "1,500"},
		{9999, "9_999", "9,999"},
		{9999.7, "10_000", "10,000"},
		{10000, "10_тыс.", "10K"},
		{12500, "12,5_тыс.", "12.5K"},
		{12549, "12,5_тыс.", "12.5K"},
		{12551, "12,6_тыс.", "12.6K"},
		{99949, "99,9_тыс.", "99.9K"},
		{99960, "100_тыс.", "100K"},
		{250000, "250_тыс.", "250K"},
		{250600, "251_тыс.", "251K"},
		{999499, "999_тыс.", "999K"},
		{999960, "1_млн", "1M"},
		{1000000, "1_млн", "1M"},
		{1200000, "1,2_млн", "1.2M"},
		{1250000, "1,3_млн", "1.3M"},
		{45600000, "45,6_млн", "45.6M"},
		{3e9, "3_млрд", "3B"},
		{7.5e12, "7,5_трлн", "7.5T"},
		{2e15, "2_000_трлн", "2,000T"},
		{-12500, "\u221212,5_тыс.", "-12.5K"},
		{-1200000, "\u22121,2_млн", "-1.2M"},
		{-5000, "\u22125_000", "-5,000"},
		{math.NaN(), "NaN", "NaN"},
		{math.Inf(1), "∞", "∞"},
	}
	for _, tt := range tests {
		if got, want := FormatCompact(tt.v, Russian), ruSpaces(tt.ru); got != want {
			t.Errorf("FormatCompact(%v, ru) = %q, want %q", tt.v, got, want)
		}
		if got := FormatCompact(tt.v, English); got != tt.en {
			t.Errorf("FormatCompact(%v, en) = %q, want %q", tt.v, got, tt.en)
		}
	}
}

// FormatNumber and FormatCompact read back through ParseNumber.
func TestFormatRoundTrip(t *testing.T) {
	values := []float64{0, 0.5, 1, 4.2, 12.34, 99.99, 999.99, 1000, 1234, 12500, 99999,
		123456, 999999, 1.2e6, 45.6e6, 999e6, 123456789012}
	for _, l := range Langs {
		for _, x := range values {
			for _, v := range []float64{x, -x} {
				s := FormatNumber(v, l)
				got, _, err := ParseNumber(s, l)
				if err != nil || math.Abs(got-v) > 0.5 {
					t.Errorf("ParseNumber(FormatNumber(%v, %s) = %q) = %v, %v", v, l, s, got, err)
				}
				if math.Abs(v) >= 1e9 {
					continue // billions are not read back
				}
				s = FormatCompact(v, l)
				got, _, err = ParseNumber(s, l)
				if err != nil || math.Abs(got-v) > 0.01*math.Abs(v)+0.005 {
					t.Errorf("ParseNumber(FormatCompact(%v, %s) = %q) = %v, %v", v, l, s, got, err)
				}
			}
		}
	}
}

// FormatNumber of random values of every magnitude reads back within its
// rounding: 0.005 below 1000, 0.5 above.
func TestFormatNumberRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		v := math.Pow(10, r.Float64()*17-4) // 1e-4 .. 1e13
		if r.IntN(2) == 0 {
			v = -v
		}
		if r.IntN(4) == 0 {
			v = math.Round(v)
		}
		if math.Abs(v) >= 1e12 {
			continue
		}
		for _, l := range Langs {
			s := FormatNumber(v, l)
			got, pct, err := ParseNumber(s, l)
			bound := 0.005 + 1e-9
			if math.Abs(v) >= 999.995 {
				bound = 0.5 + 1e-9
			}
			if err != nil || pct || math.Abs(got-v) > bound {
				t.Fatalf("ParseNumber(FormatNumber(%v, %s) = %q) = %v, %v", v, l, s, got, err)
			}
		}
	}
}

func TestPluralRussian(t *testing.T) {
	const (
		one  = "день"
		few  = "дня"
		many = "дней"
	)
	want := map[int]string{
		0: many, 1: one, 2: few, 3: few, 4: few, 5: many, 6: many, 7: many, 8: many,
		9: many, 10: many, 11: many, 12: many, 13: many, 14: many, 15: many,
		16: many, 17: many, 18: many, 19: many, 20: many, 21: one, 22: few,
		23: few, 24: few, 25: many, 26: many, 27: many, 28: many, 29: many,
		30: many, 101: one, 102: few, 105: many, 111: many, 112: many,
		114: many, 121: one, 122: few, 1000: many, 1001: one, 1011: many,
		-1: one, -2: few, -5: many, -11: many, -21: one,
		math.MinInt: many, math.MaxInt: many, // ...808 and ...807
	}
	for n, w := range want {
		if got := Plural(Russian, n, one, few, many); got != w {
			t.Errorf("Plural(ru, %d) = %q, want %q", n, got, w)
		}
		if got := Plural("", n, one, few, many); got != w {
			t.Errorf("Plural(\"\", %d) = %q, want the Russian %q", n, got, w)
		}
	}
	for n := 0; n <= 30; n++ {
		if _, ok := want[n]; !ok {
			t.Fatalf("the table lacks %d", n)
		}
	}
}

func TestPluralEnglish(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "days"}, {1, "day"}, {2, "days"}, {3, "days"}, {5, "days"}, {11, "days"},
		{21, "days"}, {22, "days"}, {101, "days"}, {-1, "day"}, {-2, "days"},
	}
	for _, tt := range tests {
		if got := Plural(English, tt.n, "day", "FEW", "days"); got != tt.want {
			t.Errorf("Plural(en, %d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		d      Date
		ru, en string
	}{
		{Date{2026, time.November, 20}, "20.11.2026", "20 Nov 2026"},
		{Date{2026, time.March, 5}, "05.03.2026", "5 Mar 2026"},
		{Date{2024, time.February, 29}, "29.02.2024", "29 Feb 2024"},
		{Date{2025, time.December, 31}, "31.12.2025", "31 Dec 2025"},
		{Date{2026, 13, 1}, "2026-13-01", "2026-13-01"},
		{Date{}, "0000-00-00", "0000-00-00"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.d, Russian); got != tt.ru {
			t.Errorf("FormatDate(%v, ru) = %q, want %q", tt.d, got, tt.ru)
		}
		if got := FormatDate(tt.d, English); got != tt.en {
			t.Errorf("FormatDate(%v, en) = %q, want %q", tt.d, got, tt.en)
		}
		if !tt.d.Valid() {
			continue
		}
		today := Date{2026, time.January, 3}
		for _, l := range Langs {
			if got, err := ParseDate(FormatDate(tt.d, l), today, l); err != nil || got != tt.d {
				t.Errorf("ParseDate(FormatDate(%v, %s)) = %v, %v", tt.d, l, got, err)
			}
		}
	}
}
