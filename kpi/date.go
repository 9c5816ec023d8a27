package kpi

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Date is a civil date, a day in no particular time zone. The zero Date is
// not a valid date; it stands for "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String returns the date as ISO 8601, "2026-11-20"; the year has at least
// four digits.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a day of the Gregorian calendar in years 1 to
// 9999: month 1 to 12 and a day the month has (29 February only in leap
// years).
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 &&
		d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= monthLen(d.Year, d.Month)
}

// daysInMonth returns the number of days of month m of year y, outside
// years 1 to 9999 and months 1 to 12 as time.Date counts them.
func daysInMonth(y int, m time.Month) int {
	if y < 1 || y > 9999 || m < time.January || m > time.December {
		return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	return monthLen(y, m)
}

// monthLen returns the number of days of month m (1 to 12) of year y (1 to
// 9999).
func monthLen(y int, m time.Month) int {
	if m == time.February && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return int(monthDays[m])
}

// monthDays is the number of days of each month in a common year.
var monthDays = [13]uint8{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// A day number counts the days from 0000-03-01 of the proleptic Gregorian
// calendar, in years that start in March so that a leap day ends its year
// (days_from_civil and civil_from_days of Howard Hinnant's "chrono-Compatible
// Low-Level Date Algorithms", in unsigned arithmetic). The valid dates are
// day numbers firstDayNum to lastDayNum. Date's methods count with them
// rather than build a time.Time and take it apart again.
const (
	firstDayNum = 306     // 0001-01-01
	lastDayNum  = 3652364 // 9999-12-31
)

// dayNum returns the day number of d, a valid date.
func (d Date) dayNum() uint32 {
	y, m := uint32(d.Year), uint32(d.Month)
	if m < 3 {
		y, m = y-1, m+12 // January and February end the year before
	}
	return 365*y + y/4 - y/100 + y/400 + (153*m-457)/5 + uint32(d.Day) - 1
}

// dateOfDayNum returns the date of day number n, firstDayNum to lastDayNum.
func dateOfDayNum(n uint32) Date {
	era := n / 146097                                      // 400 years
	doe := n - era*146097                                  // day of the era, 0..146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0..399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year, 0..365
	mp := (5*doy + 2) / 153                                // months since March, 0..11
	y, m := era*400+yoe, mp+3
	if m > 12 {
		y, m = y+1, m-12
	}
	return Date{Year: int(y), Month: time.Month(m), Day: int(doy - (153*mp+2)/5 + 1)}
}

// Time returns midnight at the start of d in loc (UTC when loc is nil).
// Where a daylight-saving change skips midnight (São Paulo on 4 November
// 2018), it returns the first instant of the day, 01:00 there. An invalid d
// is normalised the way time.Date normalises it (31 February is 3 March).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	day := DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC))
	if DateOf(t).Before(day) {
		// time.Date put the missing midnight in the day before, on the
		// old offset; the day starts where that offset ends.
		if _, end := t.ZoneBounds(); DateOf(end) == day {
			return end
		}
	}
	return t
}

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date {
	if d.Valid() {
		// A sum that overflows wraps far outside the range.
		if z := int(d.dayNum()) + n; z >= firstDayNum && z <= lastDayNum {
			return dateOfDayNum(uint32(z))
		}
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	if d.Valid() {
		return time.Weekday((d.dayNum() + uint32(time.Wednesday)) % 7) // as 0000-03-01
	}
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// MarshalText encodes d as "2026-11-20", and the zero Date as an empty
// string, so a Date is a JSON string. It fails with an error wrapping
// ErrInvalid when d is neither zero nor a valid date, rather than store
// text UnmarshalText would refuse.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("date %s: %w", d, ErrInvalid)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "2026-11-20" into d, and an empty text into the zero
// Date. It fails with an error wrapping ErrInvalid on any other text or on a
// day the calendar does not have.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, ok := canonicalISODate(string(b)) // string(b) does not escape: no copy
	if !ok {
		v, ok = parseISODate(string(b))
	}
	if !ok || !v.Valid() {
		return fmt.Errorf("date %q: %w", b, ErrInvalid)
	}
	*d = v
	return nil
}

// EndOfMonth returns the last day of d's month. The day of d is ignored; a
// month outside 1..12 is normalised as time.Date does (month 13 is January
// of the next year).
func EndOfMonth(d Date) Date {
	first := DateOf(time.Date(d.Year, d.Month, 1, 12, 0, 0, 0, time.UTC))
	return Date{Year: first.Year, Month: first.Month, Day: daysInMonth(first.Year, first.Month)}
}

// EndOfQuarter returns the last day of d's calendar quarter: 31 March,
// 30 June, 30 September or 31 December. The day of d is ignored; a month
// outside 1..12 is normalised as time.Date does.
func EndOfQuarter(d Date) Date {
	first := DateOf(time.Date(d.Year, d.Month, 1, 12, 0, 0, 0, time.UTC))
	return EndOfMonth(Date{Year: first.Year, Month: (first.Month-1)/3*3 + 3, Day: 1})
}

// maxDateInput is the longest input ParseDate reads, in runes.
const maxDateInput = 64

// dateAhead is how many days into the future a date typed without a year may
// lie; a later one is taken to be in the year before.
const dateAhead = 31

// relativeDays maps words for recent days to how many days back they are.
var relativeDays = map[string]int{
	"сегодня": 0, "today": 0,
	"вчера": 1, "yesterday": 1,
	"позавчера": 2, "day before yesterday": 2, "the day before yesterday": 2,
}

// dateMonthNames maps lower-case month names and abbreviations, English and
// Russian (nominative and genitive), to months.
var dateMonthNames = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,

	"январь": 1, "января": 1, "янв": 1, "февраль": 2, "февраля": 2, "фев": 2, "февр": 2,
	"март": 3, "марта": 3, "мар": 3, "апрель": 4, "апреля": 4, "апр": 4,
	"май": 5, "мая": 5, "июнь": 6, "июня": 6, "июн": 6, "июль": 7, "июля": 7, "июл": 7,
	"август": 8, "августа": 8, "авг": 8, "сентябрь": 9, "сентября": 9, "сен": 9, "сент": 9,
	"октябрь": 10, "октября": 10, "окт": 10, "ноябрь": 11, "ноября": 11, "ноя": 11, "нояб": 11,
	"декабрь": 12, "декабря": 12, "дек": 12,
}

// ParseDate reads a date as a person types it, relative to today (the
// current date in the workspace's time zone). It accepts:
//
//   - "2026-11-20" (ISO);
//   - day first with dots or slashes: "20.11.2026", "20.11.26" (20xx),
//     "20/11/2026", "20.11" and "20.11." without a year;
//   - month names in English or Russian: "20 Nov 2026", "Nov 20, 2026",
//     "20 ноября 2026 г.", "20 ноября";
//   - "сегодня"/"today", "вчера"/"yesterday", "позавчера".
//
// Day and month may have one or two digits. A date without a year is in
// today's year, or in the year before when that would put it more than 31
// days after today ("20.12" typed on 3 January is last December). Every form
// is accepted whatever l is; the day always comes before the month in numeric
// forms, also in English ("11/20/2026" fails). Case and surrounding spaces do
// not matter.
//
// It fails with an error wrapping ErrInvalid on anything else, on a day the
// calendar does not have (31.02, 29.02 in a common year, month 13), on a year
// outside 1..9999, or when today itself is not a valid date.
func ParseDate(s string, today Date, l Lang) (Date, error) {
	_ = l // every form is read the same way in both languages
	fail := func(why string) (Date, error) {
		return Date{}, fmt.Errorf("date %q: %s: %w", s, why, ErrInvalid)
	}
	if !today.Valid() {
		return fail(fmt.Sprintf("today %s is not a valid date", today))
	}
	if !utf8.ValidString(s) {
		return fail("not UTF-8")
	}
	if utf8.RuneCountInString(s) > maxDateInput {
		return fail("too long")
	}
	t := strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
	if t == "" {
		return fail("empty")
	}
	if n, ok := relativeDays[t]; ok {
		d := today.AddDays(-n)
		if !d.Valid() {
			return fail("out of range")
		}
		return d, nil
	}

	d, ok := parseISODate(t)
	hasYear := ok
	if !ok {
		d, hasYear, ok = parseNumericDate(t)
	}
	if !ok {
		d, hasYear, ok = parseNamedDate(t)
	}
	if !ok {
		return fail("unknown format")
	}
	if !hasYear {
		d.Year = today.Year
		if today.AddDays(dateAhead).Before(d) {
			d.Year--
		}
	}
	if !d.Valid() {
		return fail("no such day")
	}
	return d, nil
}

// atoiDigits returns the value of s when it is 1 to maxLen ASCII digits.
func atoiDigits(s string, maxLen int) (int, bool) {
	if len(s) == 0 || len(s) > maxLen {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseISODate reads "2026-11-20" (month and day may have one digit). It
// does not check the calendar.
func parseISODate(s string) (Date, bool) {
	if d, ok := canonicalISODate(s); ok {
		return d, true
	}
	p := strings.Split(s, "-")
	if len(p) != 3 || len(p[0]) != 4 {
		return Date{}, false
	}
	y, ok1 := atoiDigits(p[0], 4)
	m, ok2 := atoiDigits(p[1], 2)
	d, ok3 := atoiDigits(p[2], 2)
	if !ok1 || !ok2 || !ok3 {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

// canonicalISODate reads "2026-11-20" exactly: four digits, '-', two
// digits, '-', two digits, as parseISODate reads it but without allocating.
// It returns false on any other text, which parseISODate may still read
// ("2026-1-5"). It does not check the calendar.
func canonicalISODate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := digitsAt(s, 0, 4)
	m, ok2 := digitsAt(s, 5, 7)
	d, ok3 := digitsAt(s, 8, 10)
	if !ok1 || !ok2 || !ok3 {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

// digitsAt returns the value of s[from:to] when it is all ASCII digits.
func digitsAt(s string, from, to int) (int, bool) {
	n := 0
	for i := from; i < to; i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int(c)
	}
	return n, true
}

// parseNumericDate reads "20.11.2026", "20.11.26", "20.11", "20.11." and the
// same with slashes. It does not check the calendar.
func parseNumericDate(s string) (d Date, hasYear, ok bool) {
	sep := "."
	if strings.Contains(s, "/") {
		sep = "/"
	}
	p := strings.Split(s, sep)
	if len(p) == 3 && p[2] == "" && sep == "." {
		p = p[:2] // "20.11."
	}
	if len(p) != 2 && len(p) != 3 {
		return Date{}, false, false
	}
	day, ok1 := atoiDigits(p[0], 2)
	mon, ok2 := atoiDigits(p[1], 2)
	if !ok1 || !ok2 {
		return Date{}, false, false
	}
	d = Date{Month: time.Month(mon), Day: day}
	if len(p) == 2 {
		return d, false, true
	}
	switch y, ok := atoiDigits(p[2], 4); {
	case !ok:
		return Date{}, false, false
	case len(p[2]) == 2:
		d.Year = 2000 + y
	case len(p[2]) == 4:
		d.Year = y
	default:
		return Date{}, false, false
	}
	return d, true, true
}

// parseNamedDate reads "20 nov 2026", "20 nov", "nov 20, 2026", "nov 20",
// "20 ноября 2026 г." and "20th november". It does not check the calendar.
func parseNamedDate(s string) (d Date, hasYear, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	// A Russian year may be followed by "г", "г." or "года".
	if n := len(f); n > 0 && (f[n-1] == "г" || f[n-1] == "г." || f[n-1] == "года") {
		f = f[:n-1]
	} else if n > 0 && strings.HasSuffix(f[n-1], "г.") {
		f[n-1] = strings.TrimSuffix(f[n-1], "г.")
	} else if n > 0 && strings.HasSuffix(f[n-1], "г") {
		f[n-1] = strings.TrimSuffix(f[n-1], "г")
	}
	if len(f) != 2 && len(f) != 3 {
		return Date{}, false, false
	}
	dayTok, monTok := f[0], f[1]
	if _, isDay := dayNumber(dayTok); !isDay {
		dayTok, monTok = f[1], f[0] // "nov 20"
	}
	day, ok1 := dayNumber(dayTok)
	mon, ok2 := dateMonthNames[strings.TrimSuffix(monTok, ".")]
	if !ok1 || !ok2 {
		return Date{}, false, false
	}
	d = Date{Month: mon, Day: day}
	if len(f) == 2 {
		return d, false, true
	}
	if len(f[2]) != 4 {
		return Date{}, false, false
	}
	y, ok := atoiDigits(f[2], 4)
	if !ok {
		return Date{}, false, false
	}
	d.Year = y
	return d, true, true
}

// dayNumber reads a day of the month: "20", "1st", "22nd", "3rd", "20th".
func dayNumber(s string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(s, suf); ok {
			s = t
			break
		}
	}
	return atoiDigits(s, 2)
}
