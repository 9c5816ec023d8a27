package kpi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// documentedFractional are the offsets from UTC, in minutes, that are not
// whole hours and that ParseTimezone's doc promises a zone for.
var documentedFractional = map[int]bool{
	5*60 + 30: true, 5*60 + 45: true, 3*60 + 30: true, 4*60 + 30: true, 6*60 + 30: true,
	8*60 + 45: true, 9*60 + 30: true, 10*60 + 30: true, 12*60 + 45: true,
	-(9*60 + 30): true, -(3*60 + 30): true,
}

// zoneOffsets returns the offsets from UTC of zone name, in minutes, in
// January and in July 2026 (they differ where the zone keeps summer time).
func zoneOffsets(t *testing.T, name string) [2]int {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %q does not load: %v", name, err)
	}
	var out [2]int
	for i, m := range []time.Month{time.January, time.July} {
		_, off := time.Date(2026, m, 15, 12, 0, 0, 0, loc).Zone()
		out[i] = off / 60
	}
	return out
}

// FuzzTimezoneOffset adds to FuzzParseTimezone: a zone from any text keeps
// an offset within UTC−12..UTC+14; a text shaped like an offset gives a zone
// with that offset; spaces around a text do not matter. From an offset
// built of numbers ("UTC+5:30", "GMT-0300", "−4", "utc + 03:00", "МСК+4")
// it checks the rule itself: accepted exactly when within −12..+14 hours,
// with minutes below 60, and whole hours or one of the documented
// fractional offsets.
func FuzzTimezoneOffset(f *testing.F) {
	for i, s := range fuzzTexts {
		f.Add(s, uint8(i%30), uint8(i%4*15), i%2 == 0, uint8(i))
	}
	f.Add("UTC+5:30", uint8(5), uint8(30), false, uint8(0))
	f.Add("-03:30", uint8(3), uint8(30), true, uint8(1))
	f.Add("UTC+14", uint8(14), uint8(0), false, uint8(2))
	f.Add("UTC-12", uint8(12), uint8(0), true, uint8(3))
	f.Add("мск+11", uint8(11), uint8(0), false, uint8(4))
	f.Add("UTC+5:45", uint8(5), uint8(60), false, uint8(5))
	f.Fuzz(func(t *testing.T, s string, h, m uint8, neg bool, form uint8) {
		checkZoneText(t, s)
		checkBuiltOffset(t, int(h)%100, int(m)%100, neg, form)
	})
}

// checkZoneText checks the zone ParseTimezone gives for s.
func checkZoneText(t *testing.T, s string) {
	t.Helper()
	name, err := ParseTimezone(s)
	if utf8.RuneCountInString(s)+3 <= maxTimezoneInput {
		padded := "\u00a0" + s + " \t"
		if again, err2 := ParseTimezone(padded); again != name || (err == nil) != (err2 == nil) {
			t.Fatalf("ParseTimezone(%q) = %q, %v but ParseTimezone(%q) = %q, %v", s, name, err, padded, again, err2)
		}
	}
	if err != nil {
		return
	}
	offs := zoneOffsets(t, name)
	for _, o := range offs {
		if o < minUTCOffset || o > maxUTCOffset {
			t.Fatalf("ParseTimezone(%q) = %q, offset %d minutes: outside UTC−12..UTC+14", s, name, o)
		}
	}
	if minutes, ok, oerr := parseOffset(strings.ToLower(strings.TrimFunc(s, unicode.IsSpace))); ok && oerr == nil {
		if offs[0] != minutes && offs[1] != minutes {
			t.Fatalf("ParseTimezone(%q) = %q with offsets %v minutes; want %d", s, name, offs, minutes)
		}
	}
}

// checkBuiltOffset writes the offset of h hours and m minutes (negative
// when neg) in the form form picks, and checks ParseTimezone against the
// rule.
func checkBuiltOffset(t *testing.T, h, m int, neg bool, form uint8) {
	t.Helper()
	sign := "+"
	if neg {
		sign = []string{"-", "\u2212", "\u2013"}[int(form/8)%3]
	}
	total := h*60 + m
	if neg {
		total = -total
	}
	var s string
	switch form % 5 {
	case 0:
		s = fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	case 1:
		s = fmt.Sprintf("GMT%s%02d%02d", sign, h, m)
	case 2:
		s = fmt.Sprintf("%s%d", sign, h)
		if m != 0 {
			s += fmt.Sprintf(":%02d", m)
		}
	case 3:
		s = fmt.Sprintf("utc %s %02d:%02d", sign, h, m)
	case 4:
		s = fmt.Sprintf("МСК%s%d", sign, h)
		if m != 0 {
			s += fmt.Sprintf(":%02d", m)
		}
		total += 180
	}
	want := m < 60 && total >= -12*60 && total <= 14*60 && (total%60 == 0 || documentedFractional[total])
	name, err := ParseTimezone(s)
	if (err == nil) != want {
		t.Fatalf("ParseTimezone(%q) = %q, %v; offset %d minutes should be accepted: %v", s, name, err, total, want)
	}
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("ParseTimezone(%q) error %v does not wrap ErrInvalid", s, err)
		}
		return
	}
	if offs := zoneOffsets(t, name); offs[0] != total && offs[1] != total {
		t.Fatalf("ParseTimezone(%q) = %q with offsets %v minutes; want %d", s, name, offs, total)
	}
}
