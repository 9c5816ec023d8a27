package kpi

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// periodDate parses "2026-03-08" for tests; it panics on a bad literal.
func periodDate(s string) Date {
	d, ok := parseISODate(s)
	if !ok || !d.Valid() {
		panic(fmt.Sprintf("bad test date %q", s))
	}
	return d
}

// periodOf returns the Period from start to end, both "2026-03-08" literals.
func periodOf(start, end string) Period {
	return Period{Start: periodDate(start), End: periodDate(end)}
}

// periodZone loads an IANA zone or fails the test.
func periodZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestPeriodContainsAndDays(t *testing.T) {
	tests := []struct {
		p        Period
		d        string
		contains bool
		days     int
	}{
		{periodOf("2026-03-02", "2026-03-08"), "2026-03-02", true, 7},
		{periodOf("2026-03-02", "2026-03-08"), "2026-03-08", true, 7},
		{periodOf("2026-03-02", "2026-03-08"), "2026-03-05", true, 7},
		{periodOf("2026-03-02", "2026-03-08"), "2026-03-01", false, 7},
		{periodOf("2026-03-02", "2026-03-08"), "2026-03-09", false, 7},
		{periodOf("2026-12-28", "2027-01-03"), "2027-01-01", true, 7},
		{periodOf("2026-01-01", "2026-03-31"), "2026-02-28", true, 90},
		{periodOf("2024-01-01", "2024-03-31"), "2024-02-29", true, 91},
		{periodOf("2026-10-01", "2026-12-31"), "2027-01-01", false, 92},
		{periodOf("2026-05-05", "2026-05-05"), "2026-05-05", true, 1},
		{periodOf("2026-05-06", "2026-05-05"), "2026-05-05", false, 0}, // end before start
		{periodOf("0001-01-01", "9999-12-31"), "5000-06-15", true, 3652059},
	}
	for _, tt := range tests {
		if got := tt.p.Contains(periodDate(tt.d)); got != tt.contains {
			t.Errorf("%v.Contains(%s) = %v, want %v", tt.p, tt.d, got, tt.contains)
		}
		if got := tt.p.Days(); got != tt.days {
			t.Errorf("%v.Days() = %d, want %d", tt.p, got, tt.days)
		}
	}
}

func TestWeekOf(t *testing.T) {
	tests := []struct {
		d          string
		start, end string
	}{
		{"2026-03-02", "2026-03-02", "2026-03-08"}, // Monday
		{"2026-03-08", "2026-03-02", "2026-03-08"}, // Sunday
		{"2026-03-04", "2026-03-02", "2026-03-08"},
		{"2026-01-01", "2025-12-29", "2026-01-04"}, // week 1 of 2026 starts in 2025
		{"2026-12-31", "2026-12-28", "2027-01-03"}, // week 53 of 2026 ends in 2027
		{"2027-01-03", "2026-12-28", "2027-01-03"},
		{"2027-01-04", "2027-01-04", "2027-01-10"},
		{"2024-02-29", "2024-02-26", "2024-03-03"},
	}
	for _, tt := range tests {
		got := WeekOf(periodDate(tt.d))
		if want := periodOf(tt.start, tt.end); got != want {
			t.Errorf("WeekOf(%s) = %v, want %v", tt.d, got, want)
		}
		if got.Start.Weekday() != time.Monday || got.End.Weekday() != time.Sunday || got.Days() != 7 {
			t.Errorf("WeekOf(%s) = %v: not Monday to Sunday, 7 days", tt.d, got)
		}
	}
}

// TestWeekOfDST checks that the weeks holding a daylight-saving change are
// seven calendar days although they last 167 or 169 hours on the clock.
func TestWeekOfDST(t *testing.T) {
	tests := []struct {
		zone  string
		day   string // the day of the change, a Sunday
		start string
		hours float64 // from the week's first midnight to the next week's
	}{
		{"America/New_York", "2026-03-08", "2026-03-02", 167},
		{"America/New_York", "2026-11-01", "2026-10-26", 169},
		{"Europe/Berlin", "2026-03-29", "2026-03-23", 167},
		{"Europe/Berlin", "2026-10-25", "2026-10-19", 169},
	}
	for _, tt := range tests {
		loc := periodZone(t, tt.zone)
		w := WeekOf(periodDate(tt.day))
		if w.Start != periodDate(tt.start) || w.End != periodDate(tt.day) || w.Days() != 7 {
			t.Errorf("%s: WeekOf(%s) = %v (%d days), want %s to %s, 7 days", tt.zone, tt.day, w, w.Days(), tt.start, tt.day)
		}
		if h := w.End.AddDays(1).Time(loc).Sub(w.Start.Time(loc)).Hours(); h != tt.hours {
			t.Errorf("%s: week %v lasts %vh, want %vh", tt.zone, w, h, tt.hours)
		}
		// Every instant of the week, hour by hour, falls on one of its days.
		end := w.End.AddDays(1).Time(loc)
		for at := w.Start.Time(loc); at.Before(end); at = at.Add(time.Hour) {
			d, err := Today(at, tt.zone)
			if err != nil {
				t.Fatalf("Today(%v, %s): %v", at, tt.zone, err)
			}
			if !w.Contains(d) || WeekOf(d) != w {
				t.Errorf("%s: Today(%v) = %s, outside week %v", tt.zone, at.UTC(), d, w)
			}
		}
	}
}

func TestToday(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	tests := []struct {
		now  string
		zone string
		want string
	}{
		// New York springs forward on 2026-03-08: the day starts at
		// 05:00Z (EST) and ends at 04:00Z next day (EDT).
		{"2026-03-08T04:59:59Z", "America/New_York", "2026-03-07"},
		{"2026-03-08T05:00:00Z", "America/New_York", "2026-03-08"},
		{"2026-03-09T03:59:59Z", "America/New_York", "2026-03-08"},
		{"2026-03-09T04:00:00Z", "America/New_York", "2026-03-09"},
		// New York falls back on 2026-11-01: the day starts at 04:00Z
		// (EDT) and ends at 05:00Z next day (EST).
		{"2026-11-01T03:59:59Z", "America/New_York", "2026-10-31"},
		{"2026-11-01T04:00:00Z", "America/New_York", "2026-11-01"},
		{"2026-11-02T04:59:59Z", "America/New_York", "2026-11-01"},
		{"2026-11-02T05:00:00Z", "America/New_York", "2026-11-02"},
		// Berlin springs forward on 2026-03-29: midnight is 23:00Z (CET)
		// before it and 22:00Z (CEST) after it.
		{"2026-03-28T22:59:59Z", "Europe/Berlin", "2026-03-28"},
		{"2026-03-28T23:00:00Z", "Europe/Berlin", "2026-03-29"},
		{"2026-03-29T21:59:59Z", "Europe/Berlin", "2026-03-29"},
		{"2026-03-29T22:00:00Z", "Europe/Berlin", "2026-03-30"},
		// Berlin falls back on 2026-10-25.
		{"2026-10-24T21:59:59Z", "Europe/Berlin", "2026-10-24"},
		{"2026-10-24T22:00:00Z", "Europe/Berlin", "2026-10-25"},
		{"2026-10-25T22:59:59Z", "Europe/Berlin", "2026-10-25"},
		{"2026-10-25T23:00:00Z", "Europe/Berlin", "2026-10-26"},
		// The zone, not now's location, decides.
		{"2026-12-31T23:30:00Z", "UTC", "2026-12-31"},
		{"2026-12-31T23:30:00Z", "Europe/Moscow", "2027-01-01"},
		{"2027-01-01T04:00:00Z", "America/New_York", "2026-12-31"},
		{"2026-06-01T12:00:00Z", "Asia/Kathmandu", "2026-06-01"},
		{"2026-06-01T18:14:59Z", "Asia/Kathmandu", "2026-06-01"}, // +05:45
		{"2026-06-01T18:15:00Z", "Asia/Kathmandu", "2026-06-02"},
	}
	for _, tt := range tests {
		now := utc(tt.now)
		got, err := Today(now, tt.zone)
		if err != nil {
			t.Errorf("Today(%s, %s): %v", tt.now, tt.zone, err)
			continue
		}
		if got != periodDate(tt.want) {
			t.Errorf("Today(%s, %s) = %s, want %s", tt.now, tt.zone, got, tt.want)
		}
		// The same instant in another location gives the same day.
		if got2, _ := Today(now.In(time.FixedZone("X", -11*3600)), tt.zone); got2 != got {
			t.Errorf("Today(%s in UTC-11, %s) = %s, want %s", tt.now, tt.zone, got2, got)
		}
	}
}

func TestTodayInvalidZone(t *testing.T) {
	for _, tz := range []string{"", "Local", "local", "Mars/Olympus_Mons", "Europe/Nowhere", "../etc/passwd"} {
		d, err := Today(time.Now(), tz)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Today(now, %q) = %v, %v; want an error wrapping ErrInvalid", tz, d, err)
		}
		if !d.IsZero() {
			t.Errorf("Today(now, %q) = %v with an error, want the zero Date", tz, d)
		}
	}
}

func TestISOWeek(t *testing.T) {
	tests := []struct {
		d          string
		year, week int
	}{
		{"2026-01-01", 2026, 1},
		{"2025-12-29", 2026, 1},
		{"2025-12-28", 2025, 52},
		{"2026-03-08", 2026, 10},
		{"2026-12-28", 2026, 53}, // 2026 starts on a Thursday: 53 weeks
		{"2026-12-31", 2026, 53},
		{"2027-01-01", 2026, 53},
		{"2027-01-03", 2026, 53},
		{"2027-01-04", 2027, 1},
		{"2027-12-31", 2027, 52},
		{"2020-12-31", 2020, 53}, // leap year starting on a Wednesday
		{"2021-01-03", 2020, 53},
		{"2024-12-30", 2025, 1},
	}
	for _, tt := range tests {
		y, w := ISOWeek(periodDate(tt.d))
		if y != tt.year || w != tt.week {
			t.Errorf("ISOWeek(%s) = %d-W%02d, want %d-W%02d", tt.d, y, w, tt.year, tt.week)
		}
	}
	// Every day of an ISO week has the week's number.
	for _, w := range Weeks(periodDate("2026-12-01"), periodDate("2027-01-31")) {
		y0, n0 := ISOWeek(w.Start)
		for d := w.Start; w.Contains(d); d = d.AddDays(1) {
			if y, n := ISOWeek(d); y != y0 || n != n0 {
				t.Errorf("ISOWeek(%s) = %d-W%d, but %s is %d-W%d", d, y, n, w.Start, y0, n0)
			}
		}
	}
}

func TestQuarterOf(t *testing.T) {
	tests := []struct {
		d          string
		start, end string
		prev       Period
	}{
		{"2026-01-01", "2026-01-01", "2026-03-31", periodOf("2025-10-01", "2025-12-31")},
		{"2026-03-31", "2026-01-01", "2026-03-31", periodOf("2025-10-01", "2025-12-31")},
		{"2026-04-01", "2026-04-01", "2026-06-30", periodOf("2026-01-01", "2026-03-31")},
		{"2026-08-15", "2026-07-01", "2026-09-30", periodOf("2026-04-01", "2026-06-30")},
		{"2026-12-31", "2026-10-01", "2026-12-31", periodOf("2026-07-01", "2026-09-30")},
		{"2027-01-01", "2027-01-01", "2027-03-31", periodOf("2026-10-01", "2026-12-31")},
		{"2024-02-29", "2024-01-01", "2024-03-31", periodOf("2023-10-01", "2023-12-31")},
	}
	for _, tt := range tests {
		q := QuarterOf(periodDate(tt.d))
		if want := periodOf(tt.start, tt.end); q != want {
			t.Errorf("QuarterOf(%s) = %v, want %v", tt.d, q, want)
		}
		if got := PrevQuarter(q); got != tt.prev {
			t.Errorf("PrevQuarter(%v) = %v, want %v", q, got, tt.prev)
		}
		// PrevQuarter looks at the quarter of Start, whatever the period.
		if got := PrevQuarter(Period{Start: periodDate(tt.d), End: periodDate(tt.d)}); got != tt.prev {
			t.Errorf("PrevQuarter(day %s) = %v, want %v", tt.d, got, tt.prev)
		}
	}
	// A month outside 1..12 is normalised as time.Date does.
	if got, want := QuarterOf(Date{Year: 2026, Month: 13, Day: 1}), periodOf("2027-01-01", "2027-03-31"); got != want {
		t.Errorf("QuarterOf(2026-13-01) = %v, want %v", got, want)
	}
}

func TestPrevWeek(t *testing.T) {
	tests := []struct {
		p    Period
		want Period
	}{
		{periodOf("2026-03-09", "2026-03-15"), periodOf("2026-03-02", "2026-03-08")},
		{periodOf("2027-01-04", "2027-01-10"), periodOf("2026-12-28", "2027-01-03")}, // week 1 -> week 53
		{periodOf("2026-01-05", "2026-01-11"), periodOf("2025-12-29", "2026-01-04")},
		{periodOf("2026-03-12", "2026-03-12"), periodOf("2026-03-02", "2026-03-08")}, // a day: week of Start
	}
	for _, tt := range tests {
		if got := PrevWeek(tt.p); got != tt.want {
			t.Errorf("PrevWeek(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestWeeks(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     []Period
	}{
		{"across the year boundary of a 53-week year", "2026-12-20", "2027-01-10", []Period{
			periodOf("2026-12-14", "2026-12-20"), // W51
			periodOf("2026-12-21", "2026-12-27"), // W52
			periodOf("2026-12-28", "2027-01-03"), // W53
			periodOf("2027-01-04", "2027-01-10"), // 2027-W01
		}},
		{"mid-week to mid-week", "2026-03-04", "2026-03-18", []Period{
			periodOf("2026-03-02", "2026-03-08"),
			periodOf("2026-03-09", "2026-03-15"),
			periodOf("2026-03-16", "2026-03-22"),
		}},
		{"one day", "2026-03-08", "2026-03-08", []Period{periodOf("2026-03-02", "2026-03-08")}},
		{"same week", "2026-03-02", "2026-03-08", []Period{periodOf("2026-03-02", "2026-03-08")}},
		{"to before from", "2026-03-09", "2026-03-08", []Period{}},
	}
	for _, tt := range tests {
		got := Weeks(periodDate(tt.from), periodDate(tt.to))
		if got == nil {
			t.Errorf("%s: Weeks(%s, %s) = nil, want a non-nil slice", tt.name, tt.from, tt.to)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Weeks(%s, %s) = %v, want %v", tt.name, tt.from, tt.to, got, tt.want)
		}
	}

	// A whole 53-week ISO year: consecutive, 7 days each, numbered 1..53.
	year := Weeks(periodDate("2026-01-01"), periodDate("2027-01-03"))
	if len(year) != 53 {
		t.Fatalf("ISO year 2026 has %d weeks, want 53", len(year))
	}
	for i, w := range year {
		if y, n := ISOWeek(w.Start); y != 2026 || n != i+1 {
			t.Errorf("week %d: %v is %d-W%d", i+1, w, y, n)
		}
		if w.Days() != 7 || (i > 0 && year[i-1].End.AddDays(1) != w.Start) {
			t.Errorf("week %d: %v is not the 7 days after %v", i+1, w, year[max(i-1, 0)])
		}
	}
}
