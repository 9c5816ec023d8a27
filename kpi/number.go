package kpi

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrAmbiguous means a number could be read two ways in the chat's language,
// such as "12,500" for a Russian speaker (12.5 or 12500) or "12,5" for an
// English one. The bot should ask the person to retype it rather than guess.
// Errors wrapping ErrAmbiguous do not also wrap ErrInvalid.
var ErrAmbiguous = errors.New("ambiguous number")

// Limits of ParseNumber.
const (
	// maxNumberInput is the longest input ParseNumber reads, in runes.
	maxNumberInput = 64
	// maxSignificantDigits is the most significant digits a number may have:
	// more than a float64 holds exactly.
	maxSignificantDigits = 15
	// maxNumberAbs is the largest absolute value ParseNumber accepts.
	maxNumberAbs = 1e15
)

// numberMultipliers maps a lower-case suffix to the decimal exponent it
// multiplies by.
var numberMultipliers = map[string]int{
	"k": 3, "к": 3, "тыс": 3, "тыс.": 3, "тысяча": 3, "тысячи": 3, "тысяч": 3,
	"thousand": 3, "thousands": 3,
	"m": 6, "м": 6, "млн": 6, "млн.": 6, "mln": 6, "million": 6, "millions": 6,
	"миллион": 6, "миллиона": 6, "миллионов": 6, "кк": 6, "kk": 6,
}

// isGroupSpace reports whether r may separate groups of thousands: a space,
// a no-break space, a narrow no-break space, a thin space or a figure space.
func isGroupSpace(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '\u2007':
		return true
	}
	return false
}

// ParseNumber reads a number as a person types it on a phone: "12500",
// "12 500" (ASCII, no-break or narrow no-break spaces between thousands),
// "12,5", "12.5", "1,234.5", "1.234,5", "-3", "+5", "4,2 %", and multiplier
// suffixes "12k", "12к", "12 тыс", "1.2M", "1,2 млн", "1кк" (k/к/тыс/thousand
// = 1e3; m/м/млн/mln/million/кк = 1e6; case-insensitive, any spaces before
// them). It returns the value and whether a trailing % sign was present; the
// multipliers and % cannot be combined.
//
// Whether a lone comma or dot separates thousands or decimals depends on l:
// in English "12,500" is 12500 and "12,5" fails with ErrAmbiguous; in
// Russian "12,5" is 12.5 while "12,500" and "12.500" fail with ErrAmbiguous.
// "12.5" is 12.5 in both. A separator that occurs twice ("1.234.567"), two
// different separators ("1,234.5") or spaces between thousands followed by a
// comma or dot ("1 234,5") are read the same in both languages. A language
// other than English is read as Russian.
//
// It fails with an error wrapping ErrInvalid on empty input, a suffix without
// digits, letters, exponents ("1e5"), NaN or infinity words, two signs,
// misplaced or impossible separators, more than 15 significant digits, or a
// value above 1e15 in absolute value. A negative zero is returned as 0.
func ParseNumber(s string, l Lang) (v float64, percent bool, err error) {
	fail := func(why string) (float64, bool, error) {
		return 0, false, fmt.Errorf("number %q: %s: %w", s, why, ErrInvalid)
	}
	if !utf8.ValidString(s) {
		return fail("not UTF-8")
	}
	if utf8.RuneCountInString(s) > maxNumberInput {
		return fail("too long")
	}
	t := strings.TrimFunc(s, unicode.IsSpace)
	if t == "" {
		return fail("empty")
	}

	// Sign.
	neg := false
	switch r, size := utf8.DecodeRuneInString(t); r {
	case '-', '\u2212':
		neg = true
		t = strings.TrimLeftFunc(t[size:], unicode.IsSpace)
	case '+':
		t = strings.TrimLeftFunc(t[size:], unicode.IsSpace)
	}

	// Percent sign.
	if rest, ok := strings.CutSuffix(t, "%"); ok {
		percent = true
		t = strings.TrimRightFunc(rest, unicode.IsSpace)
	}

	// Multiplier: everything after the last digit.
	last := strings.LastIndexFunc(t, func(r rune) bool { return r >= '0' && r <= '9' })
	if last < 0 {
		return fail("no digits")
	}
	exp := 0
	if suffix := strings.TrimLeftFunc(t[last+1:], unicode.IsSpace); suffix != "" {
		e, ok := numberMultipliers[strings.ToLower(suffix)]
		if !ok {
			return fail(fmt.Sprintf("unknown suffix %q", suffix))
		}
		if percent {
			return fail("both a multiplier and a percent sign")
		}
		exp = e
	}
	mantissa := t[:last+1]

	intPart, frac, err := splitMantissa(mantissa, l)
	if err != nil {
		return 0, false, fmt.Errorf("number %q: %w", s, err)
	}

	digits := strings.TrimRight(strings.TrimLeft(intPart+frac, "0"), "0")
	if len(digits) > maxSignificantDigits {
		return fail(fmt.Sprintf("more than %d significant digits", maxSignificantDigits))
	}
	if intPart == "" {
		intPart = "0"
	}
	lit := intPart
	if frac != "" {
		lit += "." + frac
	}
	if exp != 0 {
		lit += "e" + strconv.Itoa(exp)
	}
	v, perr := strconv.ParseFloat(lit, 64)
	if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fail("out of range")
	}
	if v > maxNumberAbs {
		return fail("above 1e15")
	}
	if neg && v != 0 {
		v = -v
	}
	return v, percent, nil
}

// splitMantissa splits the digits and separators of a number (no sign, no
// suffix) into its integer and fractional digits, deciding which separator is
// the decimal one. Its errors wrap ErrInvalid or ErrAmbiguous.
func splitMantissa(m string, l Lang) (intPart, frac string, err error) {
	var (
		groups []string // digit runs; the first may be empty
		seps   []rune   // seps[i] separates groups[i] and groups[i+1]; ' ' stands for any group space
		cur    strings.Builder
	)
	for _, r := range m {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r == '.' || r == ',' || isGroupSpace(r):
			if isGroupSpace(r) {
				r = ' '
			}
			if cur.Len() == 0 && (len(seps) > 0 || r == ' ') {
				return "", "", fmt.Errorf("misplaced separator: %w", ErrInvalid)
			}
			groups = append(groups, cur.String())
			cur.Reset()
			seps = append(seps, r)
		default:
			return "", "", fmt.Errorf("unexpected %q: %w", r, ErrInvalid)
		}
	}
	if cur.Len() == 0 {
		return "", "", fmt.Errorf("ends with a separator: %w", ErrInvalid)
	}
	groups = append(groups, cur.String())
	if len(seps) == 0 {
		return groups[0], "", nil
	}
	if groups[0] == "" && len(seps) > 1 {
		return "", "", fmt.Errorf("starts with a separator: %w", ErrInvalid)
	}

	var dots, commas, spaces int
	for _, r := range seps {
		switch r {
		case '.':
			dots++
		case ',':
			commas++
		default:
			spaces++
		}
	}
	lastSep := seps[len(seps)-1]
	n := len(seps)

	switch {
	case dots == 0 && commas == 0:
		// "12 500": spaces group thousands.
		return joinGroups(groups, "")

	case dots > 0 && commas > 0:
		// "1,234.5", "1.234,5": the last one is the decimal separator and
		// occurs once; the other one groups thousands.
		if spaces > 0 {
			return "", "", fmt.Errorf("spaces and two kinds of separator: %w", ErrInvalid)
		}
		if (lastSep == '.' && dots != 1) || (lastSep == ',' && commas != 1) {
			return "", "", fmt.Errorf("two decimal separators: %w", ErrInvalid)
		}
		return joinGroups(groups[:n], groups[n])

	case dots+commas >= 2:
		// "1.234.567", "1,234,567": a decimal separator occurs once, so this
		// one groups thousands.
		if spaces > 0 {
			return "", "", fmt.Errorf("spaces and another thousands separator: %w", ErrInvalid)
		}
		return joinGroups(groups, "")

	case spaces > 0:
		// "1 234,5", "1 234.5": spaces group thousands, so the comma or dot
		// is the decimal separator; it must come last.
		if lastSep == ' ' {
			return "", "", fmt.Errorf("space after the decimal separator: %w", ErrInvalid)
		}
		return joinGroups(groups[:n], groups[n])
	}

	// A lone comma or dot between two runs of digits.
	a, b := groups[0], groups[1]
	couldGroup := len(b) == 3 && validLeadGroup(a)
	switch {
	case lastSep == '.' && (l != English && couldGroup):
		return "", "", fmt.Errorf("dot before three digits in Russian: %w", ErrAmbiguous)
	case lastSep == '.':
		return a, b, nil
	case l == English && couldGroup:
		return a + b, "", nil
	case l == English:
		return "", "", fmt.Errorf("decimal comma in English: %w", ErrAmbiguous)
	case couldGroup:
		return "", "", fmt.Errorf("comma before three digits in Russian: %w", ErrAmbiguous)
	default:
		return a, b, nil
	}
}

// validLeadGroup reports whether g can be the first group of a number whose
// thousands are separated: one to three digits, not starting with 0.
func validLeadGroup(g string) bool { return len(g) >= 1 && len(g) <= 3 && g[0] != '0' }

// joinGroups returns the integer digits of groups of thousands and frac, or
// an error wrapping ErrInvalid unless groups are a valid lead group followed
// by groups of exactly three digits.
func joinGroups(groups []string, frac string) (intPart, fracPart string, err error) {
	if !validLeadGroup(groups[0]) {
		return "", "", fmt.Errorf("thousands group %q: %w", groups[0], ErrInvalid)
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", "", fmt.Errorf("thousands group %q is not three digits: %w", g, ErrInvalid)
		}
	}
	return strings.Join(groups, ""), frac, nil
}
