package kpi

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchSink keeps the benchmarks' results alive.
var benchSink any

func BenchmarkWeekOf(b *testing.B) {
	d := Date{Year: 2026, Month: 11, Day: 20}
	var p Period
	for i := 0; b.Loop(); i++ {
		p = WeekOf(d.AddDays(i % 64))
	}
	benchSink = p
}

func BenchmarkParseISODate(b *testing.B) {
	text := []byte("2026-11-20")
	b.ReportAllocs()
	var d Date
	for b.Loop() {
		if err := d.UnmarshalText(text); err != nil {
			b.Fatal(err)
		}
	}
	benchSink = d
}

// BenchmarkEvaluate evaluates a KPI logged daily for the 8 weeks /log reads
// back: 56 entries of the metric.
func BenchmarkEvaluate(b *testing.B) {
	m := progMetric(b, "reach")
	entries := make([]Entry, 56)
	for i := range entries {
		entries[i] = Entry{Metric: "reach", Value: float64(1000 + 3*i), Date: evalToday.AddDays(i - 55)}
	}
	b.ReportAllocs()
	var p Progress
	for b.Loop() {
		p = Evaluate(evalReach, m, entries, evalStart, evalToday, 20)
	}
	benchSink = p
}

// The fast paths of Date (integer day arithmetic, the canonical ISO date)
// and weeklyHistory must give exactly what the time.Date-based code they
// replace gave. The ref functions below are that code.

func refDaysInMonth(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func refValid(d Date) bool {
	return d.Year >= 1 && d.Year <= 9999 &&
		d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= refDaysInMonth(d.Year, d.Month)
}

func refAddDays(d Date, n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

func refWeekday(d Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

func refDaysBetween(a, b Date) int {
	return int((dayStartUTC(b).Unix() - dayStartUTC(a).Unix()) / (24 * 60 * 60))
}

func refWeekOf(d Date) Period {
	back := (int(refWeekday(d)) + 6) % 7
	start := refAddDays(d, -back)
	return Period{Start: start, End: refAddDays(start, 6)}
}

func refParseISODate(s string) (Date, bool) {
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

func refWeeklyHistory(k KPI, m Metric, entries []Entry, last Date) []Point {
	byWeek := map[Date][]Entry{}
	for _, e := range entries {
		if e.Metric != k.Metric || last.Before(e.Date) {
			continue
		}
		w := refWeekOf(e.Date).Start
		byWeek[w] = append(byWeek[w], e)
	}
	pts := make([]Point, 0, len(byWeek))
	for w, es := range byWeek {
		v, ok := Aggregate(m.Agg, es)
		if ok {
			pts = append(pts, Point{Period: refWeekOf(w), Value: v, OK: true})
		}
	}
	slices.SortFunc(pts, func(a, b Point) int { return refDaysBetween(b.Period.Start, a.Period.Start) })
	return pts
}

// checkDateSame fails t when d's Weekday, WeekOf, AddDays(n) for each of ns
// or Valid differ from the time.Date-based code.
// It does not call t.Helper, which would cost more than the checks.
func checkDateSame(t *testing.T, d Date, ns []int) {
	if got, want := d.Valid(), refValid(d); got != want {
		t.Fatalf("%+v.Valid() = %v, want %v", d, got, want)
	}
	if got, want := d.Weekday(), refWeekday(d); got != want {
		t.Fatalf("%+v.Weekday() = %v, want %v", d, got, want)
	}
	if got, want := WeekOf(d), refWeekOf(d); got != want {
		t.Fatalf("WeekOf(%+v) = %+v, want %+v", d, got, want)
	}
	for _, n := range ns {
		if got, want := d.AddDays(n), refAddDays(d, n); got != want {
			t.Fatalf("%+v.AddDays(%d) = %+v, want %+v", d, n, got, want)
		}
	}
}

// everyDayNs are the day counts added to every day of years 1 to 9999;
// TestAddDaysEveryNSameAsTime and TestInvalidDateSameAsTime add more.
var everyDayNs = []int{0, 1, -1, 6, -7, 29, -31, 366, -400, 1_000_000, -3_652_059, 3_652_059}

// moreNs are day counts beyond -400..400, up to and past the fast path's
// range of valid dates and overflow.
var moreNs = []int{
	146097, -146097, 1_000_000, -1_000_000, 3_652_059, -3_652_059,
	lastDayNum, -lastDayNum, 1 << 28, -1 << 28,
	math.MaxInt - lastDayNum, math.MinInt + lastDayNum,
	1 << 40, -1 << 40, math.MaxInt, math.MinInt,
}

func TestDateArithmeticSameAsTime(t *testing.T) {
	epoch := Date{Year: 1970, Month: time.January, Day: 1}
	first := Date{Year: 1, Month: time.January, Day: 1}
	prev := uint32(firstDayNum - 1)
	for y := 1; y <= 9999; y++ {
		for m := time.January; m <= time.December; m++ {
			if got, want := daysInMonth(y, m), refDaysInMonth(y, m); got != want {
				t.Fatalf("daysInMonth(%d, %d) = %d, want %d", y, m, got, want)
			}
			for day := 1; day <= refDaysInMonth(y, m); day++ {
				d := Date{Year: y, Month: m, Day: day}
				checkDateSame(t, d, everyDayNs)
				if n := d.dayNum(); n != prev+1 {
					t.Fatalf("%v.dayNum() = %d after %d", d, n, prev)
				}
				prev++
				if got := dateOfDayNum(prev); got != d {
					t.Fatalf("dateOfDayNum(%d) = %v, want %v", prev, got, d)
				}
				if got, want := daysBetween(epoch, d), refDaysBetween(epoch, d); got != want {
					t.Fatalf("daysBetween(%v, %v) = %d, want %d", epoch, d, got, want)
				}
				if got, want := daysBetween(d, first), refDaysBetween(d, first); got != want {
					t.Fatalf("daysBetween(%v, %v) = %d, want %d", d, first, got, want)
				}
			}
		}
	}
	if prev != lastDayNum {
		t.Errorf("9999-12-31 is day number %d, lastDayNum is %d", prev, lastDayNum)
	}
}

// TestAddDaysEveryNSameAsTime adds every n from -400 to 400 to the days
// around the ends of months and leap days of years with and without them.
func TestAddDaysEveryNSameAsTime(t *testing.T) {
	ns := slices.Clone(moreNs)
	for n := -400; n <= 400; n++ {
		ns = append(ns, n)
	}
	for _, y := range []int{1, 2, 4, 100, 400, 1582, 1899, 1900, 1970, 1999, 2000, 2023, 2024, 2025, 2026, 2100, 9998, 9999} {
		for m := time.January; m <= time.December; m++ {
			last := refDaysInMonth(y, m)
			for _, day := range []int{1, 2, 28, 29, 30, 31} {
				if day <= last {
					checkDateSame(t, Date{Year: y, Month: m, Day: day}, ns)
				}
			}
		}
	}
}

// TestInvalidDateSameAsTime: dates that are not valid are normalised as
// time.Date normalises them, as before.
func TestInvalidDateSameAsTime(t *testing.T) {
	dates := []Date{
		{},
		{2026, time.February, 29}, {2026, time.February, 31}, {1900, time.February, 29},
		{2026, time.April, 31}, {2026, time.January, 0}, {2026, time.January, -5},
		{2026, 0, 15}, {2026, 13, 1}, {2026, -3, 1}, {2026, 25, 400},
		{0, time.January, 1}, {-1, time.December, 31}, {10000, time.January, 1}, {-400000, 6, 7},
		{9999, time.December, 32},
	}
	for _, d := range dates {
		checkDateSame(t, d, everyDayNs)
		for _, o := range []Date{{1970, 1, 1}, {2026, 11, 20}, {}} {
			if got, want := daysBetween(d, o), refDaysBetween(d, o); got != want {
				t.Errorf("daysBetween(%+v, %+v) = %d, want %d", d, o, got, want)
			}
			if got, want := daysBetween(o, d), refDaysBetween(o, d); got != want {
				t.Errorf("daysBetween(%+v, %+v) = %d, want %d", o, d, got, want)
			}
		}
	}
	for _, y := range []int{-1, 0, 10000, 1 << 40} {
		for m := time.Month(-1); m <= 14; m++ {
			if got, want := daysInMonth(y, m), refDaysInMonth(y, m); got != want {
				t.Errorf("daysInMonth(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
}

// checkParseSame fails t when parseISODate or UnmarshalText read s
// differently from the code before the canonical fast path.
func checkParseSame(t *testing.T, s string) {
	t.Helper()
	got, ok := parseISODate(s)
	want, wantOK := refParseISODate(s)
	if got != want || ok != wantOK {
		t.Fatalf("parseISODate(%q) = %+v, %v; want %+v, %v", s, got, ok, want, wantOK)
	}
	var d Date
	err := d.UnmarshalText([]byte(s))
	switch {
	case s == "":
		want, wantOK = Date{}, true
	case !wantOK || !refValid(want):
		want, wantOK = Date{}, false
	}
	if (err == nil) != wantOK || (err == nil && d != want) {
		t.Fatalf("UnmarshalText(%q) = %+v, %v; want %+v, ok %v", s, d, err, want, wantOK)
	}
}

func TestParseISODateSame(t *testing.T) {
	for _, y := range []int{1, 1900, 1999, 2000, 2024, 2025, 2026, 9999} {
		for d := (Date{Year: y, Month: 1, Day: 1}); d.Year == y; d = d.AddDays(1) {
			checkParseSame(t, d.String())
			checkParseSame(t, fmt.Sprintf("%d-%d-%d", d.Year, d.Month, d.Day))
		}
	}
	for _, s := range []string{
		"", "2026-1-5", "2026-11-2x", "202-11-20", "+2026-11-20", "2026-11-20 ",
		" 2026-11-20", "2026-11-20\n", "2026/11/20", "2026-11--20", "2026--11-20",
		"2026-00-00", "0000-01-01", "2026-13-01", "2026-02-30", "9999-99-99",
		"20261-1-20", "2026-111-2", "2026-11-200", "2026-11-", "-2026-11-20",
		"2026-+1-20", "2026-11-+2", "2026-1 -20", "２０２６-11-20", "2026-11-2\x00",
		"2026-11-20-", "2026-11", "2026", "--", "-----", "2026-11-2/", "2026-11-2:",
	} {
		checkParseSame(t, s)
	}
	// One character changed anywhere in a canonical date.
	base := []byte("2024-02-29")
	for i := range base {
		for c := 0; c < 256; c++ {
			b := slices.Clone(base)
			b[i] = byte(c)
			checkParseSame(t, string(b))
		}
	}
}

func FuzzParseISODateSame(f *testing.F) {
	for _, s := range []string{"2026-11-20", "2026-1-5", "2026-11-2x", "202-11-20", "+2026-11-20", "2026-11-20 ", "9999-99-99", ""} {
		f.Add(s)
	}
	f.Fuzz(checkParseSame)
}

func FuzzDateArithmeticSame(f *testing.F) {
	f.Add(2026, 11, 20, 400)
	f.Add(2024, 2, 29, -366)
	f.Add(2026, 2, 31, 1)
	f.Add(9999, 12, 31, 2)
	f.Add(1, 1, 1, -1)
	f.Add(2026, 11, 20, math.MaxInt)
	f.Fuzz(func(t *testing.T, y, m, d, n int) {
		date := Date{Year: y, Month: time.Month(m), Day: d}
		checkDateSame(t, date, []int{n, -n, n % 1000})
		o := Date{Year: 2026, Month: time.November, Day: 20}.AddDays(n % 4_000_000)
		if got, want := daysBetween(date, o), refDaysBetween(date, o); got != want {
			t.Fatalf("daysBetween(%+v, %+v) = %d, want %d", date, o, got, want)
		}
	})
}

// TestWeeklyHistorySame compares weeklyHistory with the map-based code it
// replaced on random histories: entries out of date order, of other metrics,
// after the last day, on the same day with the same At, on dates that are
// not valid, and with values whose sums depend on their order.
func TestWeeklyHistorySame(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	k := KPI{Metric: "reach"}
	today := Date{Year: 2026, Month: time.February, Day: 8}
	last := WeekOf(today).End
	at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for range 1000 {
		n := rng.IntN(80)
		entries := make([]Entry, n)
		for j := range entries {
			e := Entry{Metric: "reach", Value: rng.Float64()*1e6 - 1e5, Date: today.AddDays(-rng.IntN(70) + 3)}
			switch rng.IntN(10) {
			case 0:
				e.Metric = "followers"
			case 1:
				e.Date = Date{Year: 2026, Month: time.Month(rng.IntN(3) + 1), Day: rng.IntN(35)} // 31 January, 30 February...
			case 2:
				e.Value = float64(rng.IntN(3)) * 0.1
			}
			e.At = at.Add(time.Duration(rng.IntN(4)) * time.Hour)
			entries[j] = e
		}
		for _, agg := range []Aggregation{AggSum, AggMean, AggLast, "median"} {
			m := Metric{Key: "reach", Agg: agg}
			got, want := weeklyHistory(k, m, entries, last), refWeeklyHistory(k, m, entries, last)
			if !slices.Equal(got, want) {
				t.Fatalf("weeklyHistory(%s) of %d entries\n= %+v\nwant %+v", agg, n, got, want)
			}
		}
	}
}
