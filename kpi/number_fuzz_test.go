package kpi

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// shownValue is the value FormatNumber shows for v: two decimals below
// 1000 in absolute value, an integer from there up.
func shownValue(v float64) float64 {
	abs := math.Abs(v)
	var r float64
	if abs < 1000 {
		r, _ = strconv.ParseFloat(strconv.FormatFloat(abs, 'f', 2, 64), 64)
	} else {
		r = math.Round(abs)
	}
	if v < 0 && r != 0 {
		r = -r
	}
	return r
}

// FuzzNumberRoundTrip adds to FuzzParseNumber: a number read from any text
// is finite, within 1e15 and never -0; what FormatNumber or FormatPercent shows for it reads back as
// exactly the value shown (up to 1e15), and FormatCompact's thousands and
// millions within their rounding; spaces around it and a minus before it do
// what a person expects; a refusal wraps exactly one of ErrInvalid and
// ErrAmbiguous.
func FuzzNumberRoundTrip(f *testing.F) {
	for _, s := range append(fuzzTexts, numberSeeds...) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, en bool) {
		l := fuzzLang(en)
		v, percent, err := ParseNumber(s, l)
		if err != nil {
			if errors.Is(err, ErrInvalid) == errors.Is(err, ErrAmbiguous) {
				t.Fatalf("ParseNumber(%q, %s) error %v: want exactly one of ErrInvalid and ErrAmbiguous", s, l, err)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxNumberAbs || v == 0 && math.Signbit(v) {
			t.Fatalf("ParseNumber(%q, %s) = %v: not a finite number within 1e15, or -0", s, l, v)
		}

		// What the bot shows reads back as the value shown.
		shown := FormatNumber(v, l)
		if percent {
			shown = FormatPercent(v, l)
		}
		back, backPercent, err := ParseNumber(shown, l)
		if err != nil || backPercent != percent || back != shownValue(v) {
			t.Fatalf("ParseNumber(%q, %s) = %v; shown as %q it reads back as %v, %v, %v; want %v",
				s, l, v, shown, back, backPercent, err, shownValue(v))
		}
		if again := FormatNumber(back, l); again != FormatNumber(v, l) {
			t.Fatalf("FormatNumber(%v) = %q but FormatNumber(%v) = %q", v, FormatNumber(v, l), back, again)
		}

		// The compact form of thousands and millions reads back within
		// its rounding: half of its last digit, a tenth of the unit below
		// 100 of it and the unit from there up.
		if !percent && math.Abs(v) < 999.5e6 {
			c := FormatCompact(v, l)
			cv, cp, err := ParseNumber(c, l)
			unit := 1e3
			if math.Abs(v) >= 1e6 {
				unit = 1e6
			}
			tolerance := 0.05 * unit
			if math.Abs(v) >= 100*unit {
				tolerance = 0.5 * unit
			}
			want := v
			if math.Abs(v) < 1e4 {
				tolerance, want = 0, shownValue(v) // shown in full, as FormatNumber shows it
			}
			if err != nil || cp || math.Abs(cv-want) > tolerance*(1+1e-12) {
				t.Fatalf("FormatCompact(%v, %s) = %q reads back as %v, %v", v, l, c, cv, err)
			}
		}

		// Spaces around a number do not matter.
		if utf8.RuneCountInString(s)+2 <= maxNumberInput {
			padded := " " + s + "\u00a0"
			if pv, pp, err := ParseNumber(padded, l); err != nil || pv != v || pp != percent {
				t.Fatalf("ParseNumber(%q) = %v, %v but ParseNumber(%q) = %v, %v, %v", s, v, percent, padded, pv, pp, err)
			}
		}
		// A minus before an unsigned number negates it.
		trimmed := strings.TrimFunc(s, unicode.IsSpace)
		if r, _ := utf8.DecodeRuneInString(trimmed); r != '-' && r != '+' && r != '\u2212' &&
			utf8.RuneCountInString(trimmed)+1 <= maxNumberInput {
			want := -v
			if v == 0 {
				want = 0
			}
			neg := "-" + trimmed
			if nv, np, err := ParseNumber(neg, l); err != nil || nv != want || np != percent || math.Signbit(nv) != math.Signbit(want) {
				t.Fatalf("ParseNumber(%q) = %v but ParseNumber(%q) = %v, %v, %v", s, v, neg, nv, np, err)
			}
		}
	})
}
