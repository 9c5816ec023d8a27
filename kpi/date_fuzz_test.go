package kpi

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// caseSafe reports whether upper-casing s and lower-casing it again gives
// the lower case of s: ASCII and the Russian alphabet.
func caseSafe(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && !(r >= 'А' && r <= 'я') && r != 'ё' && r != 'Ё' {
			return false
		}
	}
	return true
}

// FuzzDateRange adds to FuzzParseDate: a date that depends on today (typed
// without a year, or a word such as "вчера") lies between a year before
// today and 31 days after it; the language, surrounding spaces and letter
// case do not change what a text means.
func FuzzDateRange(f *testing.F) {
	for i, s := range fuzzTexts {
		f.Add(s, i%2 == 0, i*37-400)
	}
	f.Add("20.12", false, 0)  // typed on 3 January: last December
	f.Add("03.02", true, 0)   // 31 days ahead: this year
	f.Add("04.02", true, 0)   // 32 days ahead: last year
	f.Add("29.02", false, 60) // in a common year: no such day
	base := Date{2026, time.January, 3}
	f.Fuzz(func(t *testing.T, s string, en bool, offset int) {
		l, other := fuzzLang(en), fuzzLang(!en)
		today := base.AddDays(offset % 40000) // 1916..2135
		later := today.AddDays(400)
		d, err := ParseDate(s, today, l)
		d2, err2 := ParseDate(s, later, l)
		if err == nil && !d.Valid() {
			t.Fatalf("ParseDate(%q, %v) = %#v, not a calendar date", s, today, d)
		}
		if (err == nil) != (err2 == nil) || d != d2 {
			// The text means a day relative to today.
			for _, c := range []struct {
				today, d Date
				err      error
			}{{today, d, err}, {later, d2, err2}} {
				if c.err == nil && (c.d.Before(c.today.AddDays(-366)) || c.today.AddDays(dateAhead).Before(c.d)) {
					t.Fatalf("ParseDate(%q, today %v) = %v: more than a year before or 31 days after today", s, c.today, c.d)
				}
			}
		}

		same := func(what, s2 string, l2 Lang) {
			t.Helper()
			got, gotErr := ParseDate(s2, today, l2)
			if got != d || (gotErr == nil) != (err == nil) {
				t.Fatalf("ParseDate(%q, %s) = %v, %v but %s ParseDate(%q, %s) = %v, %v", s, l, d, err, what, s2, l2, got, gotErr)
			}
		}
		same("in the other language", s, other)
		if utf8.RuneCountInString(s)+3 <= maxDateInput {
			same("with spaces around", " \u00a0"+s+"\n", l)
		}
		if utf8.ValidString(s) && caseSafe(s) {
			same("in upper case", strings.ToUpper(s), l)
		}
	})
}
