package kpi

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzLogMetrics are the metrics of the ParseLog fuzz targets: the whole
// catalogue and the two custom metrics of logMetrics.
func fuzzLogMetrics() []Metric {
	return append(append([]Metric(nil), Catalog...), logMetrics()[5:]...)
}

// FuzzParseLogRoundTrip adds to FuzzParseLog, with today moving: a refusal
// is a *LogError of a known kind whose Word is what the person typed and
// whose Metric is empty or one of the plan's; a date in the future is
// refused; an accepted line written back the way the bot would ("date key
// value ...", values as FormatNumber shows them) reads as the same metrics
// with the values shown.
func FuzzParseLogRoundTrip(f *testing.F) {
	for i, s := range fuzzTexts {
		f.Add(s, i%2 == 1, i*11-300)
	}
	for _, tt := range logCases {
		f.Add(tt.in, tt.lang == English, 0)
	}
	f.Add("прирост подписчиков 15 позавчера время ответа: 12; конверсии=3 ctr 1,5 %", false, -2)
	f.Add("Записи через бота 5, Выручка 1,2 млн 1.11.2026", false, 400)
	ms := fuzzLogMetrics()
	keys := map[string]bool{}
	for _, m := range ms {
		keys[m.Key] = true
	}
	f.Fuzz(func(t *testing.T, text string, en bool, offset int) {
		l := fuzzLang(en)
		today := logToday.AddDays(offset % 3000)
		line, err := ParseLog(text, ms, l, today)
		if err != nil {
			checkLogError(t, text, err, keys, today, l)
			return
		}
		checkLogLine(t, text, line, ms, today)

		var b strings.Builder
		b.WriteString(line.Date.String())
		for _, p := range line.Pairs {
			b.WriteString(" " + p.Metric + " " + FormatNumber(p.Value, l))
		}
		again, err := ParseLog(b.String(), ms, l, today)
		if err != nil || again.Date != line.Date || len(again.Pairs) != len(line.Pairs) {
			t.Fatalf("ParseLog(%q) = %+v; written back as %q it reads %+v, %v", text, line, b.String(), again, err)
		}
		for i, p := range again.Pairs {
			if want := line.Pairs[i]; p.Metric != want.Metric || p.Value != shownValue(want.Value) {
				t.Fatalf("ParseLog(%q) = %+v; written back as %q it reads %+v", text, line, b.String(), again)
			}
		}
	})
}

// checkLogError fails t unless err is a refusal ParseLog may give for text.
func checkLogError(t *testing.T, text string, err error, keys map[string]bool, today Date, l Lang) {
	t.Helper()
	le, ok := err.(*LogError)
	if !ok {
		t.Fatalf("ParseLog(%q): %T %v, not a *LogError", text, err, err)
	}
	if le.Kind < KindEmpty || le.Kind > KindTooLong || strings.HasPrefix(le.Kind.String(), "LogErrorKind(") {
		t.Fatalf("ParseLog(%q): unknown kind %d", text, le.Kind)
	}
	if (le.Kind == KindTooLong) != (len(text) > MaxLogLine) {
		t.Fatalf("ParseLog(%q) (%d bytes): %v", text, len(text), err)
	}
	if errors.Is(err, ErrAmbiguous) != (le.Kind == KindAmbiguous) || errors.Is(err, ErrInvalid) == errors.Is(err, ErrAmbiguous) {
		t.Fatalf("ParseLog(%q): %v unwraps wrongly", text, err)
	}
	if le.Metric != "" && !keys[le.Metric] {
		t.Fatalf("ParseLog(%q): %v names a metric the plan does not have", text, err)
	}
	switch le.Kind {
	case KindEmpty, KindTooLong:
		if le.Word != "" {
			t.Fatalf("ParseLog(%q): %v has a word", text, err)
		}
	default:
		if le.Word == "" || !strings.Contains(strings.ToValidUTF8(text, "\uFFFD"), le.Word) {
			t.Fatalf("ParseLog(%q): %v: the word is not what was typed", text, err)
		}
	}
	if le.Kind == KindFuture {
		if d, err := ParseDate(le.Word, today, l); err == nil && !today.Before(d) {
			t.Fatalf("ParseLog(%q, today %v): %q = %v is refused as a date in the future", text, today, le.Word, d)
		}
	}
}

// FuzzLogMetricName types a custom metric's name, however odd, and a value:
// ParseLog finds that metric, unless the name has no words or another metric
// of the plan has the same name (then the key wins over an alias or a
// title, and two aliases or titles are ambiguous). Letter case does not
// matter.
func FuzzLogMetricName(f *testing.F) {
	for _, s := range fuzzTexts {
		if utf8.RuneCountInString(s) <= MaxCustomName {
			f.Add(s)
		}
	}
	for _, s := range []string{"Выручка", "Записи", "Заявки с сайта", "Лиды, шт", "Средний чек, ₽",
		"CTR (баннер)", "Reach: stories", "er=всего", "ответ; чат", "c1", "reach", "охваты",
		"Время ответа в чате", "2026-11-20", "вчера", "12 500", "Подписчики Instagram", "🍰 Торты"} {
		f.Add(s)
	}
	base := fuzzLogMetrics()
	f.Fuzz(func(t *testing.T, name string) {
		custom := Metric{Key: "c9", Name: name, Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true}
		if !utf8.ValidString(name) || custom.Validate() != nil {
			return
		}
		ph := toLogPhrase(name).text
		if ph == "" {
			return // no words: the name cannot be typed, only the key
		}
		want, kind := "c9", LogErrorKind(-1)
		for _, m := range base {
			if toLogPhrase(m.Key).text == ph {
				want = m.Key
				break
			}
			for _, p := range metricPhrases(m) {
				if p.text == ph {
					want, kind = "", KindAmbiguous
				}
			}
		}
		ms := append(append([]Metric(nil), base...), custom)
		for _, typed := range []string{name, strings.ToUpper(name)} {
			if typed != name && !caseSafe(name) {
				continue
			}
			text := typed + " 5"
			line, err := ParseLog(text, ms, Russian, logToday)
			var le *LogError
			switch {
			case want == "" && errors.As(err, &le) && le.Kind == kind:
			case want != "" && err == nil && len(line.Pairs) == 1 && line.Pairs[0].Metric == want && line.Pairs[0].Value == 5:
			default:
				t.Fatalf("custom metric %q: ParseLog(%q) = %+v, %v; want %s", name, text, line, err, want)
			}
		}
	})
}
