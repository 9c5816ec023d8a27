package kpi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func mustLoadZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func TestDateString(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{Date{2026, time.November, 20}, "2026-11-20"},
		{Date{2026, time.March, 5}, "2026-03-05"},
		{Date{1, time.January, 1}, "0001-01-01"},
		{Date{9999, time.December, 31}, "9999-12-31"},
		{Date{}, "0000-00-00"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, time.November, 20}, true},
		{Date{2026, time.January, 31}, true},
		{Date{2026, time.February, 28}, true},
		{Date{2026, time.February, 29}, false},
		{Date{2024, time.February, 29}, true},
		{Date{2000, time.February, 29}, true},  // divisible by 400
		{Date{1900, time.February, 29}, false}, // divisible by 100
		{Date{2100, time.February, 29}, false},
		{Date{2026, time.February, 31}, false},
		{Date{2026, time.April, 30}, true},
		{Date{2026, time.April, 31}, false},
		{Date{2026, 13, 1}, false},
		{Date{2026, 0, 1}, false},
		{Date{2026, time.May, 0}, false},
		{Date{2026, time.May, -1}, false},
		{Date{0, time.May, 1}, false},
		{Date{10000, time.May, 1}, false},
		{Date{1, time.January, 1}, true},
		{Date{}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("%v.Valid() = %v, want %v", tt.d, got, tt.want)
		}
	}
	if !(Date{}).IsZero() || (Date{2026, 1, 1}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestDateOf(t *testing.T) {
	moscow := mustLoadZone(t, "Europe/Moscow")
	la := mustLoadZone(t, "America/Los_Angeles")
	instant := time.Date(2026, time.November, 20, 22, 30, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want Date
	}{
		{instant, Date{2026, time.November, 20}},
		{instant.In(moscow), Date{2026, time.November, 21}}, // 01:30 there
		{instant.In(la), Date{2026, time.November, 20}},
		{time.Date(2026, time.January, 1, 2, 0, 0, 0, time.UTC).In(la), Date{2025, time.December, 31}},
		// 00:30 on the day Europe moves its clocks forward.
		{time.Date(2026, time.March, 29, 0, 30, 0, 0, mustLoadZone(t, "Europe/Berlin")), Date{2026, time.March, 29}},
	}
	for _, tt := range tests {
		if got := DateOf(tt.t); got != tt.want {
			t.Errorf("DateOf(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	moscow := mustLoadZone(t, "Europe/Moscow")
	d := Date{2026, time.November, 20}
	if got, want := d.Time(moscow), time.Date(2026, time.November, 19, 21, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != moscow {
		t.Errorf("Time(Moscow) = %v, want %v in Moscow", got, want)
	}
	if got := d.Time(nil); !got.Equal(time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time(nil) = %v, want midnight UTC", got)
	}
	// Every day starts at its own midnight, whatever DST does later that day.
	berlin := mustLoadZone(t, "Europe/Berlin")
	for _, d := range []Date{{2026, time.March, 29}, {2026, time.October, 25}} {
		if got := d.Time(berlin); got.Hour() != 0 || DateOf(got) != d {
			t.Errorf("%v.Time(Berlin) = %v, want its midnight", d, got)
		}
	}
	// Where DST skipped midnight, the day starts at 01:00.
	saoPaulo := mustLoadZone(t, "America/Sao_Paulo")
	skipped := Date{2018, time.November, 4}
	if got := skipped.Time(saoPaulo); DateOf(got) != skipped || got.Hour() != 1 {
		t.Errorf("%v.Time(Sao Paulo) = %v, want 01:00 that day", skipped, got)
	}
	// In zones that move their clocks at midnight, every day still starts
	// at its first instant.
	for _, name := range []string{"America/Sao_Paulo", "America/Santiago", "America/Havana", "Asia/Beirut", "Asia/Tehran", "Europe/Moscow", "Australia/Lord_Howe"} {
		loc := mustLoadZone(t, name)
		for d := (Date{2010, time.January, 1}); d.Before(Date{2021, time.January, 1}); d = d.AddDays(1) {
			start := d.Time(loc)
			if DateOf(start) != d || DateOf(start.Add(-time.Nanosecond)) != d.AddDays(-1) {
				t.Fatalf("%v.Time(%s) = %v, not the first instant of the day", d, name, start)
			}
		}
	}
	// Days are the same length in UTC whatever the zone's DST.
	if got := (Date{2026, time.March, 30}).Time(time.UTC).Sub((Date{2026, time.March, 29}).Time(time.UTC)); got != 24*time.Hour {
		t.Errorf("a UTC day lasts %v", got)
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{Date{2026, time.November, 20}, 0, Date{2026, time.November, 20}},
		{Date{2026, time.November, 20}, 1, Date{2026, time.November, 21}},
		{Date{2026, time.November, 30}, 1, Date{2026, time.December, 1}},
		{Date{2026, time.December, 31}, 1, Date{2027, time.January, 1}},
		{Date{2027, time.January, 1}, -1, Date{2026, time.December, 31}},
		{Date{2024, time.February, 28}, 1, Date{2024, time.February, 29}},
		{Date{2026, time.February, 28}, 1, Date{2026, time.March, 1}},
		{Date{2024, time.March, 1}, -1, Date{2024, time.February, 29}},
		{Date{2026, time.March, 28}, 2, Date{2026, time.March, 30}},     // over a DST change
		{Date{2026, time.October, 24}, 2, Date{2026, time.October, 26}}, // and back
		{Date{2026, time.January, 1}, 365, Date{2027, time.January, 1}},
		{Date{2024, time.January, 1}, 365, Date{2024, time.December, 31}},
		{Date{2026, time.January, 3}, -31, Date{2025, time.December, 3}},
		{Date{2026, time.January, 3}, 31, Date{2026, time.February, 3}},
	}
	for _, tt := range tests {
		if got := tt.d.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestDateBefore(t *testing.T) {
	tests := []struct {
		a, b Date
		want bool
	}{
		{Date{2026, 11, 20}, Date{2026, 11, 21}, true},
		{Date{2026, 11, 21}, Date{2026, 11, 20}, false},
		{Date{2026, 11, 20}, Date{2026, 11, 20}, false},
		{Date{2026, 10, 31}, Date{2026, 11, 1}, true},
		{Date{2025, 12, 31}, Date{2026, 1, 1}, true},
		{Date{2026, 1, 1}, Date{2025, 12, 31}, false},
		{Date{2026, 12, 1}, Date{2027, 1, 1}, true},
	}
	for _, tt := range tests {
		if got := tt.a.Before(tt.b); got != tt.want {
			t.Errorf("%v.Before(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDateWeekday(t *testing.T) {
	tests := []struct {
		d    Date
		want time.Weekday
	}{
		{Date{2026, time.November, 20}, time.Friday},
		{Date{2026, time.January, 1}, time.Thursday},
		{Date{2024, time.February, 29}, time.Thursday},
		{Date{2000, time.January, 1}, time.Saturday},
		{Date{2026, time.March, 29}, time.Sunday},
	}
	for _, tt := range tests {
		if got := tt.d.Weekday(); got != tt.want {
			t.Errorf("%v.Weekday() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestEndOfMonth(t *testing.T) {
	tests := []struct {
		d, want Date
	}{
		{Date{2026, time.January, 15}, Date{2026, time.January, 31}},
		{Date{2026, time.February, 1}, Date{2026, time.February, 28}},
		{Date{2024, time.February, 10}, Date{2024, time.February, 29}},
		{Date{2000, time.February, 10}, Date{2000, time.February, 29}},
		{Date{1900, time.February, 10}, Date{1900, time.February, 28}},
		{Date{2026, time.April, 30}, Date{2026, time.April, 30}},
		{Date{2026, time.June, 1}, Date{2026, time.June, 30}},
		{Date{2026, time.December, 31}, Date{2026, time.December, 31}},
		{Date{2026, 13, 5}, Date{2027, time.January, 31}},
		{Date{2026, 0, 5}, Date{2025, time.December, 31}},
	}
	for _, tt := range tests {
		if got := EndOfMonth(tt.d); got != tt.want {
			t.Errorf("EndOfMonth(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestEndOfQuarter(t *testing.T) {
	for m := time.January; m <= time.December; m++ {
		var want Date
		switch {
		case m <= time.March:
			want = Date{2026, time.March, 31}
		case m <= time.June:
			want = Date{2026, time.June, 30}
		case m <= time.September:
			want = Date{2026, time.September, 30}
		default:
			want = Date{2026, time.December, 31}
		}
		for _, day := range []int{1, 15, 28} {
			d := Date{2026, m, day}
			if got := EndOfQuarter(d); got != want {
				t.Errorf("EndOfQuarter(%v) = %v, want %v", d, got, want)
			}
		}
	}
	if got, want := EndOfQuarter(Date{2026, 13, 1}), (Date{2027, time.March, 31}); got != want {
		t.Errorf("EndOfQuarter(month 13) = %v, want %v", got, want)
	}
}

func TestParseDate(t *testing.T) {
	today := Date{2026, time.November, 25}
	tests := []struct {
		in   string
		want Date
		err  bool
	}{
		// ISO.
		{"2026-11-20", Date{2026, 11, 20}, false},
		{"2026-1-5", Date{2026, 1, 5}, false},
		{"  2026-11-20 ", Date{2026, 11, 20}, false},
		{"2024-02-29", Date{2024, 2, 29}, false},
		{"2025-02-29", Date{}, true},
		{"2026-13-01", Date{}, true},
		{"2026-00-10", Date{}, true},
		{"2026-11-00", Date{}, true},
		{"0000-01-01", Date{}, true},
		{"26-11-20", Date{}, true},
		{"2026-11-20-1", Date{}, true},
		{"2026-111-20", Date{}, true},
		{"2026/11/20", Date{}, true},

		// Day first with dots.
		{"20.11.2026", Date{2026, 11, 20}, false},
		{"5.3.2026", Date{2026, 3, 5}, false},
		{"05.03.2026", Date{2026, 3, 5}, false},
		{"20.11.26", Date{2026, 11, 20}, false},
		{"01.01.00", Date{2000, 1, 1}, false},
		{"31.12.99", Date{2099, 12, 31}, false},
		{"20.11", Date{2026, 11, 20}, false},
		{"20.11.", Date{2026, 11, 20}, false},
		{"25.11", Date{2026, 11, 25}, false},
		{"31.12", Date{2025, 12, 31}, false}, // 36 days ahead: last year
		{"25.12", Date{2026, 12, 25}, false}, // 30 days ahead
		{"20.11.202", Date{}, true},
		{"20.11.20266", Date{}, true},
		{"20..11", Date{}, true},
		{"20.11.2026.", Date{}, true},
		{"120.11.2026", Date{}, true},
		{"20.011.2026", Date{}, true},
		{".11.2026", Date{}, true},
		{"20.", Date{}, true},
		{"20", Date{}, true},

		// Slashes.
		{"20/11/2026", Date{2026, 11, 20}, false},
		{"20/11/26", Date{2026, 11, 20}, false},
		{"20/11", Date{2026, 11, 20}, false},
		{"11/20/2026", Date{}, true}, // month 20: day always comes first
		{"20/11.2026", Date{}, true},
		{"20/11/", Date{}, true},

		// Invalid calendar dates.
		{"31.02.2026", Date{}, true},
		{"30.02.2024", Date{}, true},
		{"29.02.2026", Date{}, true},
		{"29.02.2024", Date{2024, 2, 29}, false},
		{"29.02.2000", Date{2000, 2, 29}, false},
		{"29.02.2100", Date{}, true},
		{"31.04.2026", Date{}, true},
		{"31.06.2026", Date{}, true},
		{"31.09.2026", Date{}, true},
		{"31.11.2026", Date{}, true},
		{"31.01.2026", Date{2026, 1, 31}, false},
		{"20.13.2026", Date{}, true},
		{"20.00.2026", Date{}, true},
		{"00.11.2026", Date{}, true},
		{"32.01.2026", Date{}, true},
		{"29.02", Date{}, true}, // 2026 is a common year

		// Words, in any case.
		{"сегодня", Date{2026, 11, 25}, false},
		{"Сегодня", Date{2026, 11, 25}, false},
		{"today", Date{2026, 11, 25}, false},
		{" TODAY ", Date{2026, 11, 25}, false},
		{"вчера", Date{2026, 11, 24}, false},
		{"ВЧЕРА", Date{2026, 11, 24}, false},
		{"yesterday", Date{2026, 11, 24}, false},
		{"позавчера", Date{2026, 11, 23}, false},
		{"day before yesterday", Date{2026, 11, 23}, false},
		{"завтра", Date{}, true},
		{"tomorrow", Date{}, true},

		// Month names.
		{"20 Nov 2026", Date{2026, 11, 20}, false},
		{"20 nov. 2026", Date{2026, 11, 20}, false},
		{"20 November", Date{2026, 11, 20}, false},
		{"Nov 20, 2026", Date{2026, 11, 20}, false},
		{"November 20", Date{2026, 11, 20}, false},
		{"1st May 2026", Date{2026, 5, 1}, false},
		{"20 ноября 2026", Date{2026, 11, 20}, false},
		{"20 ноября 2026 г.", Date{2026, 11, 20}, false},
		{"20 ноября 2026г.", Date{2026, 11, 20}, false},
		{"20 ноября 2026 года", Date{2026, 11, 20}, false},
		{"20 Ноября", Date{2026, 11, 20}, false},
		{"1 мая", Date{2026, 5, 1}, false},
		{"3 янв", Date{2026, 1, 3}, false},
		{"31 февраля", Date{}, true},
		{"20 ноября 26", Date{}, true},
		{"20 foo 2026", Date{}, true},
		{"nov", Date{}, true},

		// Garbage.
		{"", Date{}, true},
		{"   ", Date{}, true},
		{"abc", Date{}, true},
		{"2026", Date{}, true},
		{"-1.11.2026", Date{}, true},
		{"+1.11.2026", Date{}, true},
		{"1e1.11.2026", Date{}, true},
		{"２０.１１.２０２６", Date{}, true},
		{"\xff", Date{}, true},
	}
	for _, tt := range tests {
		for _, l := range Langs {
			got, err := ParseDate(tt.in, today, l)
			switch {
			case tt.err && !errors.Is(err, ErrInvalid):
				t.Errorf("ParseDate(%q, %s) = %v, %v; want an error wrapping ErrInvalid", tt.in, l, got, err)
			case tt.err && got != (Date{}):
				t.Errorf("ParseDate(%q, %s) failed with date %v", tt.in, l, got)
			case !tt.err && (err != nil || got != tt.want):
				t.Errorf("ParseDate(%q, %s) = %v, %v; want %v", tt.in, l, got, err, tt.want)
			}
		}
	}
}

// A date without a year is in today's year unless that puts it more than 31
// days ahead.
func TestParseDateYear(t *testing.T) {
	tests := []struct {
		today Date
		in    string
		want  Date
		err   bool
	}{
		{Date{2026, 1, 3}, "20.12", Date{2025, 12, 20}, false},
		{Date{2026, 1, 3}, "03.01", Date{2026, 1, 3}, false},
		{Date{2026, 1, 3}, "01.01", Date{2026, 1, 1}, false},
		{Date{2026, 1, 3}, "03.02", Date{2026, 2, 3}, false}, // exactly 31 days ahead
		{Date{2026, 1, 3}, "04.02", Date{2025, 2, 4}, false}, // 32 days ahead
		{Date{2026, 1, 3}, "3 feb", Date{2026, 2, 3}, false},
		{Date{2026, 1, 3}, "4 февраля", Date{2025, 2, 4}, false},
		{Date{2026, 12, 31}, "31.01", Date{2026, 1, 31}, false},
		{Date{2026, 12, 31}, "01.01", Date{2026, 1, 1}, false},
		{Date{2026, 11, 30}, "31.12", Date{2026, 12, 31}, false},
		{Date{2026, 11, 30}, "01.01", Date{2026, 1, 1}, false},
		{Date{2028, 2, 10}, "29.02", Date{2028, 2, 29}, false}, // a leap year
		{Date{2028, 1, 1}, "29.02", Date{}, true},              // 59 days ahead: 2027 has none
		{Date{2027, 3, 1}, "29.02", Date{}, true},
		{Date{2029, 1, 10}, "29.02", Date{2028, 2, 29}, false}, // 50 days ahead: last year, a leap one
		{Date{1, 1, 3}, "20.12", Date{}, true},                 // year 0
		{Date{2026, 3, 1}, "вчера", Date{2026, 2, 28}, false},
		{Date{2024, 3, 1}, "вчера", Date{2024, 2, 29}, false},
		{Date{2026, 1, 1}, "позавчера", Date{2025, 12, 30}, false},
		{Date{2026, 3, 30}, "вчера", Date{2026, 3, 29}, false}, // DST is irrelevant
		{Date{1, 1, 1}, "вчера", Date{}, true},
		{Date{}, "2026-11-20", Date{}, true},       // no today
		{Date{2026, 2, 30}, "today", Date{}, true}, // an impossible today
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.today, Russian)
		switch {
		case tt.err && !errors.Is(err, ErrInvalid):
			t.Errorf("ParseDate(%q) on %v = %v, %v; want an error wrapping ErrInvalid", tt.in, tt.today, got, err)
		case !tt.err && (err != nil || got != tt.want):
			t.Errorf("ParseDate(%q) on %v = %v, %v; want %v", tt.in, tt.today, got, err, tt.want)
		}
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Start    Date `json:"start"`
		Deadline Date `json:"deadline"`
	}
	in := doc{Start: Date{2026, time.November, 20}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"start":"2026-11-20","deadline":""}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", b, out, err, in)
	}
	if _, err := json.Marshal(doc{Start: Date{2026, 2, 30}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Marshal(30 February) error %v, want one wrapping ErrInvalid", err)
	}
	for _, bad := range []string{`{"start":"2026-02-30"}`, `{"start":"20.11.2026"}`, `{"start":"today"}`} {
		if err := json.Unmarshal([]byte(bad), &out); !errors.Is(err, ErrInvalid) {
			t.Errorf("Unmarshal(%s) error %v, want one wrapping ErrInvalid", bad, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-11-20", "20.11.2026", "20.11.26", "20.11", "20.12", "20/11/2026",
		"сегодня", "today", "вчера", "yesterday", "позавчера", "31.02.2026",
		"29.02.2024", "29.02", "20 Nov 2026", "nov 20, 2026", "20 ноября 2026 г.",
		"1st may", "", "2026-13-01", "0001-01-01", "9999-12-31",
	} {
		f.Add(s, true, 0)
		f.Add(s, false, 400)
	}
	base := Date{2026, time.January, 3}
	f.Fuzz(func(t *testing.T, s string, ru bool, offset int) {
		l := English
		if ru {
			l = Russian
		}
		today := base.AddDays(offset % 40000) // 1916..2135
		d, err := ParseDate(s, today, l)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseDate(%q, %v) error %v does not wrap ErrInvalid", s, today, err)
			}
			if d != (Date{}) {
				t.Fatalf("ParseDate(%q, %v) failed with date %v", s, today, d)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseDate(%q, %v) = %#v, not a calendar date", s, today, d)
		}
		if !time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Equal(d.Time(time.UTC)) || DateOf(d.Time(time.UTC)) != d {
			t.Fatalf("ParseDate(%q, %v) = %v does not survive time.Date", s, today, d)
		}
		for _, back := range []string{d.String(), FormatDate(d, l)} {
			if got, err := ParseDate(back, today, l); err != nil || got != d {
				t.Fatalf("ParseDate(%q) = %v; ParseDate(%q) = %v, %v", s, d, back, got, err)
			}
		}
		var u Date
		if b, err := d.MarshalText(); err != nil || u.UnmarshalText(b) != nil || u != d {
			t.Fatalf("%v does not survive MarshalText", d)
		}
	})
}
