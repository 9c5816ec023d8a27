package kpi

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// bothLangs marks a ParseNumber case read the same way in both languages.
const bothLangs Lang = "both"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		lang    Lang
		want    float64
		percent bool
		err     error // nil, ErrInvalid or ErrAmbiguous
	}{
		// Plain numbers.
		{"12500", bothLangs, 12500, false, nil},
		{"0", bothLangs, 0, false, nil},
		{"007", bothLangs, 7, false, nil},
		{"  42  ", bothLangs, 42, false, nil},
		{"\u00a042\t", bothLangs, 42, false, nil},
		{"-3", bothLangs, -3, false, nil},
		{"+5", bothLangs, 5, false, nil},
		{"- 3", bothLangs, -3, false, nil},
		{"\u22123", bothLangs, -3, false, nil},
		{"-0", bothLangs, 0, false, nil},

		// Spaces between thousands.
		{"12 500", bothLangs, 12500, false, nil},
		{"12\u00a0500", bothLangs, 12500, false, nil},
		{"12\u202f500", bothLangs, 12500, false, nil},
		{"12\u2009500", bothLangs, 12500, false, nil},
		{"1 234 567", bothLangs, 1234567, false, nil},
		{"-1 234 567", bothLangs, -1234567, false, nil},
		{"1 234,5", bothLangs, 1234.5, false, nil},
		{"1 234.5", bothLangs, 1234.5, false, nil},
		{"1\u00a0234,567", bothLangs, 1234.567, false, nil},
		{"12 5", bothLangs, 0, false, ErrInvalid},
		{"12 5000", bothLangs, 0, false, ErrInvalid},
		{"1234 567", bothLangs, 0, false, ErrInvalid},
		{"012 500", bothLangs, 0, false, ErrInvalid},
		{"12  500", bothLangs, 0, false, ErrInvalid},
		{"12,5 000", bothLangs, 0, false, ErrInvalid},
		{"1 234,5,6", bothLangs, 0, false, ErrInvalid},

		// A dot before anything but three digits is decimal in both.
		{"12.5", bothLangs, 12.5, false, nil},
		{"12.50", bothLangs, 12.5, false, nil},
		{"12.5000", bothLangs, 12.5, false, nil},
		{"0.05", bothLangs, 0.05, false, nil},
		{".5", bothLangs, 0.5, false, nil},
		{"1234.567", bothLangs, 1234.567, false, nil},
		{"0.500", bothLangs, 0.5, false, nil},

		// A dot before three digits.
		{"12.500", English, 12.5, false, nil},
		{"12.500", Russian, 0, false, ErrAmbiguous},
		{"1.234", Russian, 0, false, ErrAmbiguous},
		{"1.234", English, 1.234, false, nil},

		// A lone comma.
		{"12,5", Russian, 12.5, false, nil},
		{"12,5", English, 0, false, ErrAmbiguous},
		{"12,50", Russian, 12.5, false, nil},
		{"12,50", English, 0, false, ErrAmbiguous},
		{"0,5", Russian, 0.5, false, nil},
		{"0,5", English, 0, false, ErrAmbiguous},
		{",5", Russian, 0.5, false, nil},
		{",5", English, 0, false, ErrAmbiguous},
		{"12,500", English, 12500, false, nil},
		{"12,500", Russian, 0, false, ErrAmbiguous},
		{"1,000", English, 1000, false, nil},
		{"1,000", Russian, 0, false, ErrAmbiguous},
		{"0,500", Russian, 0.5, false, nil},
		{"0,500", English, 0, false, ErrAmbiguous},
		{"1234,500", Russian, 1234.5, false, nil},
		{"1234,500", English, 0, false, ErrAmbiguous},

		// A separator that occurs twice groups thousands.
		{"1,234,567", bothLangs, 1234567, false, nil},
		{"1.234.567", bothLangs, 1234567, false, nil},
		{"-1.234.567", bothLangs, -1234567, false, nil},
		{"1.2.3", bothLangs, 0, false, ErrInvalid},
		{"1,23,456", bothLangs, 0, false, ErrInvalid},
		{"1.234.5678", bothLangs, 0, false, ErrInvalid},
		{"1 234.567.890", bothLangs, 0, false, ErrInvalid},

		// Two different separators: the last one is decimal.
		{"1,234.5", bothLangs, 1234.5, false, nil},
		{"1.234,5", bothLangs, 1234.5, false, nil},
		{"1,234,567.89", bothLangs, 1234567.89, false, nil},
		{"1.234.567,89", bothLangs, 1234567.89, false, nil},
		{"1.234,5.6", bothLangs, 0, false, ErrInvalid},
		{"1,2.5", bothLangs, 0, false, ErrInvalid},
		{"1234,567.5", bothLangs, 0, false, ErrInvalid},
		{"1 234.567,5", bothLangs, 0, false, ErrInvalid},
		{"12.5,3", bothLangs, 0, false, ErrInvalid},

		// Multipliers.
		{"12k", bothLangs, 12000, false, nil},
		{"12K", bothLangs, 12000, false, nil},
		{"12к", bothLangs, 12000, false, nil},
		{"12К", bothLangs, 12000, false, nil},
		{"12 тыс", bothLangs, 12000, false, nil},
		{"12тыс.", bothLangs, 12000, false, nil},
		{"12 ТЫС.", bothLangs, 12000, false, nil},
		{"12\u00a0тыс", bothLangs, 12000, false, nil},
		{"5 тысяч", bothLangs, 5000, false, nil},
		{"12.5k", bothLangs, 12500, false, nil},
		{"12,5к", Russian, 12500, false, nil},
		{"12,5к", English, 0, false, ErrAmbiguous},
		{"1.2M", bothLangs, 1.2e6, false, nil},
		{"1.2m", bothLangs, 1.2e6, false, nil},
		{"1,2 млн", Russian, 1.2e6, false, nil},
		{"1,2 млн", English, 0, false, ErrAmbiguous},
		{"1,2М", Russian, 1.2e6, false, nil},
		{"1,2м", Russian, 1.2e6, false, nil},
		{"3 mln", bothLangs, 3e6, false, nil},
		{"3 млн.", bothLangs, 3e6, false, nil},
		{"2 million", bothLangs, 2e6, false, nil},
		{"1кк", bothLangs, 1e6, false, nil},
		{"-1.5k", bothLangs, -1500, false, nil},
		{"12 500 тыс", bothLangs, 12.5e6, false, nil},
		{"12,500k", English, 12.5e6, false, nil},
		{"12kk k", bothLangs, 0, false, ErrInvalid},
		{"12 km", bothLangs, 0, false, ErrInvalid},
		{"12k.", bothLangs, 0, false, ErrInvalid},
		{"1.2345678901234k", bothLangs, 1234.5678901234, false, nil},

		// Percent.
		{"4.2%", bothLangs, 4.2, true, nil},
		{"4,2 %", Russian, 4.2, true, nil},
		{"4,2\u00a0%", Russian, 4.2, true, nil},
		{"4,2 %", English, 0, false, ErrAmbiguous},
		{"-3%", bothLangs, -3, true, nil},
		{"100 %", bothLangs, 100, true, nil},
		{"0%", bothLangs, 0, true, nil},
		{"4k%", bothLangs, 0, false, ErrInvalid},
		{"%", bothLangs, 0, false, ErrInvalid},
		{"%5", bothLangs, 0, false, ErrInvalid},
		{"5%%", bothLangs, 0, false, ErrInvalid},

		// Garbage.
		{"", bothLangs, 0, false, ErrInvalid},
		{"   ", bothLangs, 0, false, ErrInvalid},
		{"k", bothLangs, 0, false, ErrInvalid},
		{"тыс", bothLangs, 0, false, ErrInvalid},
		{"млн", bothLangs, 0, false, ErrInvalid},
		{"abc", bothLangs, 0, false, ErrInvalid},
		{"12abc", bothLangs, 0, false, ErrInvalid},
		{"abc12", bothLangs, 0, false, ErrInvalid},
		{"двенадцать", bothLangs, 0, false, ErrInvalid},
		{"--3", bothLangs, 0, false, ErrInvalid},
		{"+-3", bothLangs, 0, false, ErrInvalid},
		{"-+3", bothLangs, 0, false, ErrInvalid},
		{"3-", bothLangs, 0, false, ErrInvalid},
		{"3+", bothLangs, 0, false, ErrInvalid},
		{"1-2", bothLangs, 0, false, ErrInvalid},
		{"1e5", bothLangs, 0, false, ErrInvalid},
		{"1E5", bothLangs, 0, false, ErrInvalid},
		{"1e308", bothLangs, 0, false, ErrInvalid},
		{"1e-5", bothLangs, 0, false, ErrInvalid},
		{"0x10", bothLangs, 0, false, ErrInvalid},
		{"NaN", bothLangs, 0, false, ErrInvalid},
		{"nan", bothLangs, 0, false, ErrInvalid},
		{"Inf", bothLangs, 0, false, ErrInvalid},
		{"-Infinity", bothLangs, 0, false, ErrInvalid},
		{"∞", bothLangs, 0, false, ErrInvalid},
		{"12.", bothLangs, 0, false, ErrInvalid},
		{"12,", bothLangs, 0, false, ErrInvalid},
		{".", bothLangs, 0, false, ErrInvalid},
		{"..5", bothLangs, 0, false, ErrInvalid},
		{"1..5", bothLangs, 0, false, ErrInvalid},
		{".5.5", bothLangs, 0, false, ErrInvalid},
		{"1_000", bothLangs, 0, false, ErrInvalid},
		{"12\n500", bothLangs, 0, false, ErrInvalid},
		{"١٢", bothLangs, 0, false, ErrInvalid},
		{"１２", bothLangs, 0, false, ErrInvalid},
		{"\xff12", bothLangs, 0, false, ErrInvalid},
		{"1" + strings.Repeat("0", 70), bothLangs, 0, false, ErrInvalid},

		// Size limits.
		{"999999999999999", bothLangs, 999999999999999, false, nil},
		{"999 999 999 999 999", bothLangs, 999999999999999, false, nil},
		{"1000000000000000", bothLangs, 1e15, false, nil},
		{"1000000000000001", bothLangs, 0, false, ErrInvalid},
		{"9999999999999999", bothLangs, 0, false, ErrInvalid},
		{"0.1234567890123456", bothLangs, 0, false, ErrInvalid},
		{"0.123456789012345", bothLangs, 0.123456789012345, false, nil},
		{"12.500000000000000000", bothLangs, 12.5, false, nil},
		{"1000 млн", bothLangs, 1e9, false, nil},
		{"1000000 млн", bothLangs, 1e12, false, nil},
		{"1000000000 млн", bothLangs, 1e15, false, nil},
		{"1000000001 млн", bothLangs, 0, false, ErrInvalid},
		{"-2000000000000000", bothLangs, 0, false, ErrInvalid},
		{"0.0000000001", bothLangs, 1e-10, false, nil},
	}
	for _, tt := range tests {
		langs := []Lang{tt.lang}
		if tt.lang == bothLangs {
			langs = []Lang{Russian, English}
		}
		for _, l := range langs {
			v, pct, err := ParseNumber(tt.in, l)
			switch {
			case tt.err == nil && err != nil:
				t.Errorf("ParseNumber(%q, %s) error %v, want %v", tt.in, l, err, tt.want)
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("ParseNumber(%q, %s) = %v, %v, %v; want an error wrapping %v", tt.in, l, v, pct, err, tt.err)
			case tt.err != nil && (v != 0 || pct):
				t.Errorf("ParseNumber(%q, %s) failed with %v, %v; want 0, false", tt.in, l, v, pct)
			case tt.err == nil && (v != tt.want || pct != tt.percent):
				t.Errorf("ParseNumber(%q, %s) = %v, %v; want %v, %v", tt.in, l, v, pct, tt.want, tt.percent)
			}
			if errors.Is(err, ErrAmbiguous) && errors.Is(err, ErrInvalid) {
				t.Errorf("ParseNumber(%q, %s) error %v wraps both ErrAmbiguous and ErrInvalid", tt.in, l, err)
			}
			if err == nil && math.Signbit(v) && v == 0 {
				t.Errorf("ParseNumber(%q, %s) = -0", tt.in, l)
			}
		}
	}
}

// An unknown language reads numbers as Russian does.
func TestParseNumberUnknownLang(t *testing.T) {
	for _, in := range []string{"12,5", "12,500", "12.500", "1 234,5"} {
		v1, p1, err1 := ParseNumber(in, "")
		v2, p2, err2 := ParseNumber(in, Russian)
		if v1 != v2 || p1 != p2 || (err1 == nil) != (err2 == nil) || !errors.Is(err1, ErrAmbiguous) && errors.Is(err2, ErrAmbiguous) {
			t.Errorf("ParseNumber(%q, \"\") = %v, %v, %v; Russian gives %v, %v, %v", in, v1, p1, err1, v2, p2, err2)
		}
	}
}

// numberSeeds are inputs the fuzzers start from.
var numberSeeds = []string{
	"12500", "12 500", "12\u00a0500", "12\u202f500", "12,5", "12.5", "12k", "12K",
	"12к", "12 тыс", "12тыс.", "1.2M", "1,2 млн", "1.2m", "1,2М", "4.2%", "4,2 %",
	"-3", "+5", "12,500", "12.500", "1,234,567", "1.234.567", "1,234.5",
	"1.234,5", "1 234,5", "", "k", "--3", "1e308", "NaN", "Inf", ".5", ",5",
	"999999999999999", "1000000000 млн", "\u22121\u00a0234", "0,05", "1кк",
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, ru bool) {
		l := English
		if ru {
			l = Russian
		}
		v, pct, err := ParseNumber(s, l)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrAmbiguous) {
				t.Fatalf("ParseNumber(%q, %s) error %v wraps neither ErrInvalid nor ErrAmbiguous", s, l, err)
			}
			if v != 0 || pct {
				t.Fatalf("ParseNumber(%q, %s) failed but returned %v, %v", s, l, v, pct)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e15 {
			t.Fatalf("ParseNumber(%q, %s) = %v: not finite or above 1e15", s, l, v)
		}
		if pct != strings.Contains(s, "%") {
			t.Fatalf("ParseNumber(%q, %s) percent = %v", s, l, pct)
		}
		// The bot's own rendering reads back in the same language.
		if math.Abs(v) >= 1e12 {
			return
		}
		out := FormatNumber(v, l)
		back, bpct, err := ParseNumber(out, l)
		if err != nil || bpct {
			t.Fatalf("ParseNumber(FormatNumber(%v, %s) = %q) = %v, %v, %v", v, l, out, back, bpct, err)
		}
		diff := math.Abs(back - v)
		// FormatNumber rounds to 0.01 below 1000 and to 1 above: check that
		// bound everywhere, and 1% where the rounding cannot reach 1%.
		bound := 0.005 + 1e-9
		if math.Abs(v) >= 999.995 {
			bound = 0.5 + 1e-9
		}
		if diff > bound {
			t.Fatalf("FormatNumber(%v, %s) = %q reads back as %v", v, l, out, back)
		}
		if math.Abs(v) >= 0.5 && diff > 0.01*math.Abs(v) {
			t.Fatalf("FormatNumber(%v, %s) = %q reads back as %v, more than 1%% off", v, l, out, back)
		}
	})
}
