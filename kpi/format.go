package kpi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Characters of Russian number formatting.
const (
	nbsp      = "\u00a0" // no-break space: groups thousands, precedes % and units
	minusSign = "\u2212" // the typographic minus
)

// numberStyle is how a language writes numbers.
type numberStyle struct {
	group, decimal, minus string
}

// styleOf returns the number style of l; a language other than English is
// written as Russian.
func styleOf(l Lang) numberStyle {
	if l == English {
		return numberStyle{group: ",", decimal: ".", minus: "-"}
	}
	return numberStyle{group: nbsp, decimal: ",", minus: minusSign}
}

// FormatNumber returns v as the bot shows it in l. Russian groups thousands
// with a no-break space (U+00A0), uses a decimal comma and the minus sign
// U+2212: "12 500", "4,2", "−3". English groups with "," and uses "." and
// "-": "12,500", "4.2", "-3". Values of 1000 and more in absolute value are
// rounded to integers; smaller ones are rounded to two decimals with trailing
// zeros dropped ("4,25", "4,2", "0,05", "7"). A value that rounds to zero is
// "0", never "−0". NaN is "NaN" and infinities are "∞" and "−∞" ("-∞" in
// English). It never fails. ParseNumber reads its output back in the same
// language for values up to 1e15 with at most 15 significant digits.
func FormatNumber(v float64, l Lang) string {
	st := styleOf(l)
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return st.minus + "∞"
	}
	abs := math.Abs(v)
	var s string
	if abs < 1000 {
		s = strconv.FormatFloat(abs, 'f', 2, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	} else {
		s = strconv.FormatFloat(math.Round(abs), 'f', 0, 64)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteString(st.minus)
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(st.group)
		}
		b.WriteByte(intPart[i])
	}
	if frac != "" {
		b.WriteString(st.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatPercent returns v, a percentage, as the bot shows it in l: the
// number as FormatNumber writes it followed by "%", after a no-break space
// in Russian ("4,2 %") and directly in English ("4.2%"). It never fails.
func FormatPercent(v float64, l Lang) string {
	if l == English {
		return FormatNumber(v, l) + "%"
	}
	return FormatNumber(v, l) + nbsp + "%"
}

// compactUnits are the units of FormatCompact, smallest first.
var compactUnits = []struct {
	value  float64
	ru, en string
}{
	{1e3, "тыс.", "K"},
	{1e6, "млн", "M"},
	{1e9, "млрд", "B"},
	{1e12, "трлн", "T"},
}

// FormatCompact returns v shortened for chart axes and short lines: below
// 10 000 in absolute value it is FormatNumber(v, l); larger values are
// written in thousands, millions, billions or trillions with one decimal
// below 100 of the unit and none above: 12 500 is "12,5 тыс." in Russian
// (a no-break space before the unit) and "12.5K" in English; 1 200 000 is
// "1,2 млн" and "1.2M"; 250 000 is "250 тыс." and "250K". A value that
// rounds to 1000 of a unit moves to the next one (999 960 is "1 млн"). It
// never fails; ParseNumber reads thousands and millions back.
func FormatCompact(v float64, l Lang) string {
	abs := math.Abs(v)
	if math.IsNaN(v) || math.IsInf(v, 0) || abs < 10000 {
		return FormatNumber(v, l)
	}
	i := 0
	for i+1 < len(compactUnits) && abs >= compactUnits[i+1].value {
		i++
	}
	m := roundCompact(abs / compactUnits[i].value)
	if m >= 1000 && i+1 < len(compactUnits) {
		i++
		m = roundCompact(abs / compactUnits[i].value)
	}
	if v < 0 {
		m = -m
	}
	u := compactUnits[i]
	if l == English {
		return FormatNumber(m, l) + u.en
	}
	return FormatNumber(m, l) + nbsp + u.ru
}

// roundCompact rounds m, a positive number of units, to one decimal below
// 100 and to an integer from 100 up.
func roundCompact(m float64) float64 {
	if m < 100 {
		return math.Round(m*10) / 10
	}
	return math.Round(m)
}

// Plural returns the form of a noun that agrees with the integer n in l.
// Russian follows the CLDR rules: one for 1, 21, 31, 101 (n mod 10 = 1 but
// not n mod 100 = 11); few for 2–4, 22–24 (n mod 10 in 2..4 but not n mod
// 100 in 12..14); many for the rest, including 0, 5–20 and 11–14. English
// uses one for 1 and many for everything else; few is unused. Negative n
// agree like their absolute value. Any language other than English follows
// the Russian rules.
func Plural(l Lang, n int, one, few, many string) string {
	mod10, mod100 := n%10, n%100
	if n < 0 {
		mod10, mod100 = -mod10, -mod100
	}
	if l == English {
		if n == 1 || n == -1 {
			return one
		}
		return many
	}
	switch {
	case mod10 == 1 && mod100 != 11:
		return one
	case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
		return few
	default:
		return many
	}
}

// FormatDate returns d as the bot shows it in l: "20.11.2026" in Russian and
// "20 Nov 2026" in English; the year has at least four digits. A Date with a month outside 1..12 is shown as
// its String. It never fails.
func FormatDate(d Date, l Lang) string {
	if d.Month < time.January || d.Month > time.December {
		return d.String()
	}
	if l == English {
		return fmt.Sprintf("%d %s %04d", d.Day, d.Month.String()[:3], d.Year)
	}
	return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
}
