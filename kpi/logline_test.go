package kpi

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// logToday is the current date of the ParseLog tests, a Friday.
var logToday = Date{Year: 2026, Month: time.November, Day: 20}

// logMetrics returns the metrics of the test plan: five catalogue metrics
// (not conversions and ctr) and two custom ones.
func logMetrics() []Metric {
	var ms []Metric
	for _, key := range []string{"reach", "engagement", "followers", "follower_growth", "response_time"} {
		m, _ := CatalogMetric(key)
		ms = append(ms, m)
	}
	return append(ms,
		Metric{Key: "c1", Name: "Записи через бота", Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true},
		Metric{Key: "c2", Name: "Выручка", Unit: UnitRubles, Agg: AggSum, Better: HigherBetter, Custom: true},
	)
}

// logDate returns the ISO date s, or logToday for "".
func logDate(s string) Date {
	if s == "" {
		return logToday
	}
	var d Date
	if err := d.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return d
}

// logCase is a ParseLog table case: pairs and date on success, err otherwise.
type logCase struct {
	in    string
	lang  Lang
	date  string // ISO; "" is today
	pairs []Pair
	err   *LogError
}

// p is a Pair literal for the tables.
func p(metric string, v float64, raw string) Pair { return Pair{Metric: metric, Value: v, Raw: raw} }

// logErr is a LogError literal for the tables.
func logErr(k LogErrorKind, word, metric string) *LogError {
	return &LogError{Kind: k, Word: word, Metric: metric}
}

var logCases = []logCase{
	// Russian workspace: the examples of SPEC 6.
	{in: "охват 12500", lang: Russian, pairs: []Pair{p("reach", 12500, "12500")}},
	{in: "охват 12 500", lang: Russian, pairs: []Pair{p("reach", 12500, "12 500")}},
	{in: "Охват 12\u00a0500", lang: Russian, pairs: []Pair{p("reach", 12500, "12\u00a0500")}},
	{in: "reach 12.5k er 4,2%", lang: Russian, pairs: []Pair{p("reach", 12500, "12.5k"), p("engagement", 4.2, "4,2%")}},
	{in: "вчера охват 12 500 er 4,2", lang: Russian, date: "2026-11-19",
		pairs: []Pair{p("reach", 12500, "12 500"), p("engagement", 4.2, "4,2")}},
	{in: "охват 12500 20.11", lang: Russian, date: "2026-11-20", pairs: []Pair{p("reach", 12500, "12500")}},
	{in: "2026-11-20 reach 5000", lang: Russian, pairs: []Pair{p("reach", 5000, "5000")}},
	{in: "ОХВАТ 1,2 млн", lang: Russian, pairs: []Pair{p("reach", 1.2e6, "1,2 млн")}},
	{in: "охват 12к", lang: Russian, pairs: []Pair{p("reach", 12000, "12к")}},
	{in: "охват 12,5", lang: Russian, pairs: []Pair{p("reach", 12.5, "12,5")}},
	{in: "Выручка 15 000", lang: Russian, pairs: []Pair{p("c2", 15000, "15 000")}},
	{in: "охват\n12500\ner\t4,2", lang: Russian, pairs: []Pair{p("reach", 12500, "12500"), p("engagement", 4.2, "4,2")}},

	// Dates in every position.
	{in: "позавчера охват 1", lang: Russian, date: "2026-11-18", pairs: []Pair{p("reach", 1, "1")}},
	{in: "охват 12500 вчера er 4,2 %", lang: Russian, date: "2026-11-19",
		pairs: []Pair{p("reach", 12500, "12500"), p("engagement", 4.2, "4,2 %")}},
	{in: "охват 12500 er 4,2 15.11.2026", lang: Russian, date: "2026-11-15",
		pairs: []Pair{p("reach", 12500, "12500"), p("engagement", 4.2, "4,2")}},
	{in: "20 ноября охват 5", lang: Russian, pairs: []Pair{p("reach", 5, "5")}},
	{in: "охват 5 1 ноября", lang: Russian, date: "2026-11-01", pairs: []Pair{p("reach", 5, "5")}},
	{in: "сегодня охват 5", lang: Russian, pairs: []Pair{p("reach", 5, "5")}},
	{in: "25.12 охват 5", lang: Russian, date: "2025-12-25", pairs: []Pair{p("reach", 5, "5")}},

	// Glued and separated names.
	{in: "охват:12500", lang: Russian, pairs: []Pair{p("reach", 12500, "12500")}},
	{in: "охват=12 500", lang: Russian, pairs: []Pair{p("reach", 12500, "12 500")}},
	{in: "er=4,2%", lang: Russian, pairs: []Pair{p("engagement", 4.2, "4,2%")}},
	{in: "охват: 12500", lang: Russian, pairs: []Pair{p("reach", 12500, "12500")}},
	{in: "охват = 12500", lang: Russian, pairs: []Pair{p("reach", 12500, "12500")}},
	{in: "охват 12500, er 4,2; подписчики 900", lang: Russian,
		pairs: []Pair{p("reach", 12500, "12500"), p("engagement", 4.2, "4,2"), p("followers", 900, "900")}},

	// Names of several words, keys, titles, ё.
	{in: "время ответа 15", lang: Russian, pairs: []Pair{p("response_time", 15, "15")}},
	{in: "Время ответа: 15", lang: Russian, pairs: []Pair{p("response_time", 15, "15")}},
	{in: "время ответа:15", lang: Russian, pairs: []Pair{p("response_time", 15, "15")}},
	{in: "прирост подписчиков 120", lang: Russian, pairs: []Pair{p("follower_growth", 120, "120")}},
	{in: "подписчиков 1200", lang: Russian, pairs: []Pair{p("followers", 1200, "1200")}},
	{in: "Записи через бота 7", lang: Russian, pairs: []Pair{p("c1", 7, "7")}},
	{in: "записи через бота=7 охват 100", lang: Russian, pairs: []Pair{p("c1", 7, "7"), p("reach", 100, "100")}},
	{in: "c1 7", lang: Russian, pairs: []Pair{p("c1", 7, "7")}},
	{in: "Вовлечённость 5", lang: Russian, pairs: []Pair{p("engagement", 5, "5")}},
	{in: "ВОВЛЕЧЕННОСТЬ 5", lang: Russian, pairs: []Pair{p("engagement", 5, "5")}},
	{in: "вовлечённость (ER) 5", lang: Russian, pairs: []Pair{p("engagement", 5, "5")}},
	{in: "follower_growth 5", lang: Russian, pairs: []Pair{p("follower_growth", 5, "5")}},
	{in: "er 0", lang: Russian, pairs: []Pair{p("engagement", 0, "0")}},
	{in: "er 100%", lang: Russian, pairs: []Pair{p("engagement", 100, "100%")}},

	// English workspace.
	{in: "reach 12,500", lang: English, pairs: []Pair{p("reach", 12500, "12,500")}},
	{in: "reach 12.5k er 4.2%", lang: English, pairs: []Pair{p("reach", 12500, "12.5k"), p("engagement", 4.2, "4.2%")}},
	{in: "yesterday reach 5000 views", lang: English, date: "2026-11-19", err: logErr(KindRepeated, "views", "reach")},
	{in: "yesterday Reach 5000 followers 1.2K", lang: English, date: "2026-11-19",
		pairs: []Pair{p("reach", 5000, "5000"), p("followers", 1200, "1.2K")}},
	{in: "Response time 15", lang: English, pairs: []Pair{p("response_time", 15, "15")}},
	{in: "Follower growth 30", lang: English, pairs: []Pair{p("follower_growth", 30, "30")}},
	{in: "Engagement rate 3.5 %", lang: English, pairs: []Pair{p("engagement", 3.5, "3.5 %")}},
	{in: "reach 5000 Nov 20, 2026", lang: English, pairs: []Pair{p("reach", 5000, "5000")}},
	{in: "the day before yesterday reach 5", lang: English, date: "2026-11-18", pairs: []Pair{p("reach", 5, "5")}},
	{in: "reach 12.500", lang: English, pairs: []Pair{p("reach", 12.5, "12.500")}},
	{in: "reach 1 234 567", lang: English, pairs: []Pair{p("reach", 1234567, "1 234 567")}},
	{in: "20.11 reach 7 c1 2", lang: English, pairs: []Pair{p("reach", 7, "7"), p("c1", 2, "2")}},

	// Every kind of error.
	{in: "", lang: Russian, err: logErr(KindEmpty, "", "")},
	{in: "  \n ", lang: English, err: logErr(KindEmpty, "", "")},
	{in: "вчера", lang: Russian, err: logErr(KindEmpty, "", "")},
	{in: "лайки 5", lang: Russian, err: logErr(KindUnknownMetric, "лайки", "")},
	{in: "ctr 5", lang: English, err: logErr(KindUnknownMetric, "ctr", "")},
	{in: "охват 5 лайки 6", lang: Russian, err: logErr(KindUnknownMetric, "лайки", "")},
	{in: "12500 охват", lang: Russian, err: logErr(KindUnknownMetric, "12500", "")},
	{in: "охват 12500, 5", lang: Russian, err: logErr(KindUnknownMetric, "5", "")},
	{in: "охват", lang: Russian, err: logErr(KindNoValue, "охват", "reach")},
	{in: "охват: ", lang: Russian, err: logErr(KindNoValue, "охват", "reach")},
	{in: "охват er 4", lang: Russian, err: logErr(KindNoValue, "охват", "reach")},
	{in: "Время Ответа двенадцать", lang: Russian, err: logErr(KindNoValue, "Время Ответа", "response_time")},
	{in: "охват вчера 5", lang: Russian, err: logErr(KindNoValue, "охват", "reach")},
	{in: "reach 2026-11-20", lang: English, err: logErr(KindNoValue, "reach", "reach")},
	{in: "охват 12x5", lang: Russian, err: logErr(KindBadNumber, "12x5", "reach")},
	{in: "охват 1e5", lang: Russian, err: logErr(KindBadNumber, "1e5", "reach")},
	{in: "охват 12%", lang: Russian, err: logErr(KindBadNumber, "12%", "reach")},
	{in: "охват 12 50", lang: Russian, err: logErr(KindBadNumber, "12 50", "reach")},
	{in: "er 4,2 5", lang: Russian, err: logErr(KindBadNumber, "4,2 5", "engagement")},
	{in: "охват 12,500", lang: Russian, err: logErr(KindAmbiguous, "12,500", "reach")},
	{in: "охват 12.500", lang: Russian, err: logErr(KindAmbiguous, "12.500", "reach")},
	{in: "охват 12,500 тыс", lang: Russian, err: logErr(KindAmbiguous, "12,500 тыс", "reach")},
	{in: "reach 12,5", lang: English, err: logErr(KindAmbiguous, "12,5", "reach")},
	{in: "er 4,2", lang: English, err: logErr(KindAmbiguous, "4,2", "engagement")},
	{in: "вчера охват 5 20.11", lang: Russian, err: logErr(KindTwoDates, "20.11", "")},
	{in: "today reach 5 yesterday", lang: English, err: logErr(KindTwoDates, "yesterday", "")},
	{in: "охват 5 охват 6", lang: Russian, err: logErr(KindRepeated, "охват", "reach")},
	{in: "охват 5 Reach 6", lang: Russian, err: logErr(KindRepeated, "Reach", "reach")},
	{in: "21.11 охват 5", lang: Russian, err: logErr(KindFuture, "21.11", "")},
	{in: "20.12 охват 5", lang: Russian, err: logErr(KindFuture, "20.12", "")},
	{in: "reach 5 2026-12-01", lang: English, err: logErr(KindFuture, "2026-12-01", "")},
	{in: "er 120", lang: Russian, err: logErr(KindOutOfRange, "120", "engagement")},
	{in: "er 100,5%", lang: Russian, err: logErr(KindOutOfRange, "100,5%", "engagement")},
	{in: "er 4k", lang: English, err: logErr(KindOutOfRange, "4k", "engagement")},
	{in: "охват -5", lang: Russian, err: logErr(KindOutOfRange, "-5", "reach")},
	{in: "охват 2 000 000 000 000", lang: Russian, err: logErr(KindOutOfRange, "2 000 000 000 000", "reach")},
	{in: "c2 1 234 567 890", lang: Russian, pairs: []Pair{p("c2", 1234567890, "1 234 567 890")}},
	{in: "охват 2000000000000", lang: Russian, err: logErr(KindOutOfRange, "2000000000000", "reach")},
	{in: "охват 1" + strings.Repeat(" ", MaxLogLine), lang: Russian, err: logErr(KindTooLong, "", "")},
}

func TestParseLog(t *testing.T) {
	ms := logMetrics()
	for _, tt := range logCases {
		got, err := ParseLog(tt.in, ms, tt.lang, logToday)
		if tt.err != nil {
			var le *LogError
			if !errors.As(err, &le) {
				t.Errorf("ParseLog(%q, %s) = %+v, %v; want %v", tt.in, tt.lang, got, err, tt.err)
				continue
			}
			if *le != *tt.err {
				t.Errorf("ParseLog(%q, %s) error %+v (%v); want %+v", tt.in, tt.lang, *le, le, *tt.err)
			}
			if !reflect.DeepEqual(got, LogLine{}) {
				t.Errorf("ParseLog(%q, %s) returned %+v with an error", tt.in, tt.lang, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseLog(%q, %s): %v", tt.in, tt.lang, err)
			continue
		}
		want := LogLine{Date: logDate(tt.date), Pairs: tt.pairs}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseLog(%q, %s) = %+v; want %+v", tt.in, tt.lang, got, want)
		}
	}
}

func TestParseLogCaseCount(t *testing.T) {
	kinds := map[LogErrorKind]bool{}
	langs := map[Lang]int{}
	for _, tt := range logCases {
		langs[tt.lang]++
		if tt.err != nil {
			kinds[tt.err.Kind] = true
		}
	}
	if len(logCases) < 40 || langs[Russian] < 10 || langs[English] < 10 {
		t.Errorf("%d cases, %v by language", len(logCases), langs)
	}
	for k := KindEmpty; k <= KindTooLong; k++ {
		if !kinds[k] {
			t.Errorf("no case of %v", k)
		}
	}
}

// TestParseLogSameNumber checks that one number is read by the chat's
// language.
func TestParseLogSameNumber(t *testing.T) {
	ms := logMetrics()
	for _, tt := range []struct {
		in     string
		ru, en float64 // -1: ambiguous
	}{
		{"охват 12,500", -1, 12500},
		{"охват 12,5", 12.5, -1},
		{"охват 12.5", 12.5, 12.5},
		{"охват 1.234,5", 1234.5, 1234.5},
	} {
		for _, c := range []struct {
			l    Lang
			want float64
		}{{Russian, tt.ru}, {English, tt.en}} {
			got, err := ParseLog(tt.in, ms, c.l, logToday)
			if c.want < 0 {
				if !errors.Is(err, ErrAmbiguous) || errors.Is(err, ErrInvalid) {
					t.Errorf("ParseLog(%q, %s) = %+v, %v; want only ErrAmbiguous", tt.in, c.l, got, err)
				}
				continue
			}
			if err != nil || len(got.Pairs) != 1 || got.Pairs[0].Value != c.want {
				t.Errorf("ParseLog(%q, %s) = %+v, %v; want %v", tt.in, c.l, got, err, c.want)
			}
		}
	}
}

func TestParseLogAmbiguousName(t *testing.T) {
	conv, _ := CatalogMetric("conversions")
	ms := []Metric{conv, {Key: "c3", Name: "Заявки", Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true}}
	_, err := ParseLog("заявки 5", ms, Russian, logToday)
	var le *LogError
	if !errors.As(err, &le) || *le != (LogError{Kind: KindAmbiguous, Word: "заявки"}) {
		t.Errorf("a name of two metrics: %v", err)
	}
	for in, key := range map[string]string{"conversions 5": "conversions", "C3 5": "c3", "конверсии 5": "conversions"} {
		got, err := ParseLog(in, ms, Russian, logToday)
		if err != nil || got.Pairs[0].Metric != key {
			t.Errorf("ParseLog(%q) = %+v, %v; want %s", in, got, err, key)
		}
	}
	// A custom metric named like an alias of a metric the plan does not use
	// is no conflict.
	got, err := ParseLog("заявки 5", ms[1:], Russian, logToday)
	if err != nil || got.Pairs[0].Metric != "c3" {
		t.Errorf("custom Заявки alone: %+v, %v", got, err)
	}
}

func TestParseLogErrors(t *testing.T) {
	ms := logMetrics()
	if _, err := ParseLog("охват 5", ms, Russian, Date{}); err == nil || !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid today: %v", err)
	}
	for k := KindEmpty; k <= KindTooLong; k++ {
		e := &LogError{Kind: k, Word: "x", Metric: "reach"}
		if errors.Is(e, ErrAmbiguous) != (k == KindAmbiguous) || errors.Is(e, ErrInvalid) == (k == KindAmbiguous) {
			t.Errorf("%v unwraps to %v", k, e.Unwrap())
		}
		if !strings.Contains(e.Error(), k.String()) || strings.HasPrefix(k.String(), "LogErrorKind") {
			t.Errorf("%v: Error() = %q", k, e.Error())
		}
	}
	if s := LogErrorKind(99).String(); s != "LogErrorKind(99)" {
		t.Errorf("unknown kind: %q", s)
	}
	// Exactly MaxLogLine bytes are read.
	in := "охват 5" + strings.Repeat(" ", MaxLogLine-len("охват 5"))
	if _, err := ParseLog(in, ms, Russian, logToday); err != nil {
		t.Errorf("%d bytes: %v", len(in), err)
	}
	// Invalid UTF-8 is a word like any other.
	_, err := ParseLog("охват 5 \xff", ms, Russian, logToday)
	var le *LogError
	if !errors.As(err, &le) || le.Kind != KindUnknownMetric {
		t.Errorf("invalid UTF-8: %v", err)
	}
	// No metrics at all.
	if _, err := ParseLog("охват 5", nil, Russian, logToday); !errors.As(err, &le) || le.Kind != KindUnknownMetric {
		t.Errorf("no metrics: %v", err)
	}
}

// checkLogLine fails t unless line is what ParseLog may accept.
func checkLogLine(t *testing.T, text string, line LogLine, ms []Metric, today Date) {
	t.Helper()
	if !line.Date.Valid() || today.Before(line.Date) {
		t.Fatalf("ParseLog(%q): date %v", text, line.Date)
	}
	if len(line.Pairs) == 0 {
		t.Fatalf("ParseLog(%q): no pairs and no error", text)
	}
	seen := map[string]bool{}
	for _, pr := range line.Pairs {
		var m Metric
		found := false
		for _, x := range ms {
			if x.Key == pr.Metric {
				m, found = x, true
				break
			}
		}
		if !found || seen[pr.Metric] {
			t.Fatalf("ParseLog(%q): metric %q unknown or repeated", text, pr.Metric)
		}
		seen[pr.Metric] = true
		if math.IsNaN(pr.Value) || math.IsInf(pr.Value, 0) || CheckValue(m, pr.Value) != nil {
			t.Fatalf("ParseLog(%q): %s = %v", text, pr.Metric, pr.Value)
		}
		if pr.Raw == "" || !strings.Contains(strings.ToValidUTF8(text, "\uFFFD"), pr.Raw) {
			t.Fatalf("ParseLog(%q): raw %q", text, pr.Raw)
		}
	}
}

func FuzzParseLog(f *testing.F) {
	for _, tt := range logCases {
		f.Add(tt.in, tt.lang == English)
	}
	f.Add("охват 12 500 вчера er 4,2 % Записи через бота: 3; время ответа=15 c2 1,2 млн", false)
	ms := logMetrics()
	f.Fuzz(func(t *testing.T, text string, en bool) {
		l := Russian
		if en {
			l = English
		}
		line, err := ParseLog(text, ms, l, logToday)
		if err != nil {
			var le *LogError
			if !errors.As(err, &le) {
				t.Fatalf("ParseLog(%q): %T %v", text, err, err)
			}
			if le.Kind < KindEmpty || le.Kind > KindTooLong {
				t.Fatalf("ParseLog(%q): kind %d", text, le.Kind)
			}
			if !reflect.DeepEqual(line, LogLine{}) {
				t.Fatalf("ParseLog(%q) returned %+v with an error", text, line)
			}
			return
		}
		checkLogLine(t, text, line, ms, logToday)
	})
}

func BenchmarkParseLog(b *testing.B) {
	ms := logMetrics()
	for b.Loop() {
		if _, err := ParseLog("охват 12 500 er 4,2%", ms, Russian, logToday); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseLogEveryName types every key, alias and title of the whole
// catalogue and of a custom metric, with values as the bot formats them.
func TestParseLogEveryName(t *testing.T) {
	ms := append(append([]Metric(nil), Catalog...), logMetrics()[5:]...)
	values := []float64{0, 1, 4.2, 12.5, 99.95, 100, 999, 1000, 12500, 1234567}
	for _, m := range ms {
		names := append([]string{m.Key}, m.Aliases()...)
		for _, l := range Langs {
			names = append(names, m.Title(l), strings.ToUpper(m.Title(l)))
		}
		for _, name := range names {
			for _, l := range Langs {
				for _, v := range values {
					if m.Percent() && v > 100 {
						continue
					}
					num := FormatNumber(v, l)
					if m.Percent() {
						num = FormatPercent(v, l)
					}
					in := name + " " + num
					got, err := ParseLog(in, ms, l, logToday)
					want, _, _ := ParseNumber(num, l)
					if err != nil || len(got.Pairs) != 1 || got.Pairs[0].Metric != m.Key || got.Pairs[0].Value != want {
						t.Errorf("ParseLog(%q, %s) = %+v, %v; want %s %v", in, l, got, err, m.Key, want)
					}
				}
			}
		}
	}
}

func TestNameTaken(t *testing.T) {
	custom := []Metric{{Key: "c1", Name: "Записи через бота", Custom: true, Unit: UnitCount, Agg: AggSum, Better: HigherBetter}}
	for name, want := range map[string]bool{
		"engagement": true, "Engagement": true, "ER": true, "охват": true, "Охваты": true, "ОХВАТ": true,
		"записи через бота": true, "Записи": true, "c1": true, "  reach ": true,
		"Лиды из бота": false, "Записи на стрижку": false, "Отзывы": false, "": false,
	} {
		if got := NameTaken(name, custom); got != want {
			t.Errorf("NameTaken(%q) = %v, want %v", name, got, want)
		}
	}
}
