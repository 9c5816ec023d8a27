package kpi

import (
	"fmt"
	"strings"
	"time"
)

// Period is a run of whole days in the workspace's calendar, from Start to
// End, both included. Periods are civil dates, so a daylight-saving change
// never moves a day from one period to another: a week is seven days even
// when it lasts 167 or 169 hours on the clock.
type Period struct {
	Start Date `json:"start"`
	End   Date `json:"end"`
}

// Contains reports whether d is one of p's days: not before Start and not
// after End.
func (p Period) Contains(d Date) bool {
	return !d.Before(p.Start) && !p.End.Before(d)
}

// Days returns how many days p has, Start and End included: 7 for a week,
// 90 to 92 for a quarter. It returns 0 when End is before Start.
func (p Period) Days() int {
	if p.End.Before(p.Start) {
		return 0
	}
	return daysBetween(p.Start, p.End) + 1
}

// daysBetween returns the number of days from a to b, negative when b is
// before a. Invalid dates are normalised as time.Date normalises them and
// counted in Unix seconds rather than in a time.Duration, which would
// saturate after 292 years.
func daysBetween(a, b Date) int {
	if a.Valid() && b.Valid() {
		return int(b.dayNum()) - int(a.dayNum())
	}
	return int((dayStartUTC(b).Unix() - dayStartUTC(a).Unix()) / (24 * 60 * 60))
}

// dayStartUTC returns midnight UTC at the start of d.
func dayStartUTC(d Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// WeekOf returns the ISO 8601 week containing d: Monday to Sunday. An
// invalid d is normalised as time.Date normalises it (31 February is
// 3 March).
func WeekOf(d Date) Period {
	if d.Valid() {
		n := d.dayNum()
		start := n - (n+2)%7 // day number 0 was a Wednesday, 2 days after a Monday
		if start >= firstDayNum && start+6 <= lastDayNum {
			return Period{Start: dateOfDayNum(start), End: dateOfDayNum(start + 6)}
		}
	}
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	start := d.AddDays(-back)
	return Period{Start: start, End: start.AddDays(6)}
}

// ISOWeek returns the ISO 8601 year and week number of d. Week 1 is the week
// with the year's first Thursday, so 1 to 3 January may be in the last week
// (52 or 53) of the year before and 29 to 31 December in week 1 of the year
// after: 2027-01-03 is week 53 of 2026.
func ISOWeek(d Date) (year, week int) {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).ISOWeek()
}

// QuarterOf returns the calendar quarter containing d: January to March,
// April to June, July to September or October to December. An invalid d is
// normalised as time.Date normalises it.
func QuarterOf(d Date) Period {
	d = d.AddDays(0) // normalise
	start := Date{Year: d.Year, Month: (d.Month-1)/3*3 + 1, Day: 1}
	return Period{Start: start, End: EndOfQuarter(start)}
}

// PrevWeek returns the ISO week before the one containing p.Start.
func PrevWeek(p Period) Period {
	return WeekOf(WeekOf(p.Start).Start.AddDays(-1))
}

// PrevQuarter returns the calendar quarter before the one containing
// p.Start; the one before January to March is October to December of the
// year before.
func PrevQuarter(p Period) Period {
	return QuarterOf(QuarterOf(p.Start).Start.AddDays(-1))
}

// Today returns the date at the instant now in the IANA time zone tz
// ("Europe/Berlin"). Days start at local midnight, so on a daylight-saving
// change the day begins at a different UTC hour than the day before. It
// fails with an error wrapping ErrInvalid when tz is empty, "Local" (the
// machine's zone is no workspace's calendar) or a zone the system does not
// know.
func Today(now time.Time, tz string) (Date, error) {
	if tz == "" || strings.EqualFold(tz, "Local") {
		return Date{}, fmt.Errorf("time zone %q: %w", tz, ErrInvalid)
	}
	loc, err := LoadLocation(tz)
	if err != nil {
		return Date{}, fmt.Errorf("time zone %q: %w", tz, ErrInvalid)
	}
	return DateOf(now.In(loc)), nil
}

// Weeks returns the ISO weeks from the one containing from to the one
// containing to, both included, oldest first. It returns an empty slice when
// to is before from.
func Weeks(from, to Date) []Period {
	if to.Before(from) {
		return []Period{}
	}
	first, last := WeekOf(from), WeekOf(to)
	n := daysBetween(first.Start, last.Start)/7 + 1
	out := make([]Period, 0, n)
	for w := first; !last.Start.Before(w.Start); w = WeekOf(w.End.AddDays(1)) {
		out = append(out, w)
	}
	return out
}
