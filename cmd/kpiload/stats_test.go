package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	thousand := make([]int, 1000)
	for i := range thousand {
		thousand[i] = i + 1
	}
	for _, tc := range []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one value is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p90 of 1..100", ms(hundred...), 90, 90 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ms(hundred...), 100, 100 * time.Millisecond},
		{"p99.9 of 1..1000 despite rounding", ms(thousand...), 99.9, 999 * time.Millisecond},
		{"p0 is the min", ms(3, 5), 0, 3 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.ds, tc.p); got != tc.want {
				t.Errorf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	s := summarize([]time.Duration{4, 1, 3, 2})
	if s.N != 4 || s.Min != 1 || s.Max != 4 || s.P50 != 2 || s.Mean != 2 {
		t.Errorf("summary %+v", s)
	}
	if (summarize(nil) != summary{}) {
		t.Errorf("summary of nothing is not zero")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct{ text, ok, want string }{
		{"✅ Охват: 12\u00a0500 (неделя 48) — 63\u00a0% от цели", okLog, ""},
		{"↩️ Отменено: охват 12 500", okUndo, ""},
		{"Что-то пошло не так, и я ничего не изменил.", okLog, "error answer: something went wrong"},
		{"Хранилище временно недоступно, поэтому я ничего не изменил.", okUndo, "error answer: storage unavailable"},
		{"Не понял число", okLog, "unexpected answer"},
	} {
		if got := classify(tc.text, tc.ok); got != tc.want {
			t.Errorf("classify(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestUndoData(t *testing.T) {
	for _, tc := range []struct{ name, markup, want string }{
		{"compact, as the bot sends it", `{"inline_keyboard":[[{"text":"↩️ Отменить","callback_data":"1:un:m1abc.0"}]]}`, "1:un:m1abc.0"},
		{"after other buttons", `{"inline_keyboard":[[{"text":"Ещё","callback_data":"1:lm"}],[{"text":"↩️","callback_data":"1:un:b"}]]}`, "1:un:b"},
		{"escaped data is decoded", `{"inline_keyboard":[[{"text":"↩️","callback_data":"1:un:a\"b"}]]}`, `1:un:a"b`},
		{"spaced JSON is decoded", `{"inline_keyboard": [[{"text": "↩️", "callback_data": "1:un:c"}]]}`, "1:un:c"},
		{"a retry button is no Undo", `{"inline_keyboard":[[{"text":"Ещё раз","callback_data":"1:lm"}]]}`, ""},
		{"none", "", ""},
	} {
		if got := undoData(tc.markup); got != tc.want {
			t.Errorf("%s: undoData = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseMetricLine(t *testing.T) {
	name, v, ok := parseMetricLine(`kpibot_handler_seconds_sum{kind="command"} 1.25`)
	if !ok || name != "kpibot_handler_seconds_sum" || v != 1.25 {
		t.Errorf("got %q %v %v", name, v, ok)
	}
	if _, _, ok := parseMetricLine("# HELP kpibot_updates_total Updates handled."); ok {
		t.Errorf("a comment parsed as a sample")
	}
}

func TestParseFlagsGuardsDatabaseZero(t *testing.T) {
	if _, err := parseFlags([]string{"-redis", "redis://127.0.0.1:6379/0"}); err == nil {
		t.Errorf("flushing database 0 by default was allowed")
	}
	if _, err := parseFlags([]string{"-redis", "redis://127.0.0.1:6379"}); err == nil {
		t.Errorf("flushing database 0 (no number) by default was allowed")
	}
	for _, args := range [][]string{
		{"-redis", "redis://127.0.0.1:6379/0", "-flush=false"},
		{"-redis", "redis://127.0.0.1:6379/0", "-flush"},
		{"-redis", "redis://127.0.0.1:6379/15"},
	} {
		if _, err := parseFlags(args); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	c, err := parseFlags([]string{"-chats", "300", "-groups", "20", "-workspaces", "10"})
	if err != nil || c.Workspaces != 320 {
		t.Errorf("workspaces %d (%v), want at least the 320 chats that send", c.Workspaces, err)
	}
}

func TestHistogramQuantile(t *testing.T) {
	m := map[string]float64{}
	for _, line := range []string{
		`kpibot_handler_seconds_bucket{kind="command",le="0.001"} 50`,
		`kpibot_handler_seconds_bucket{kind="button",le="0.001"} 40`,
		`kpibot_handler_seconds_bucket{kind="command",le="0.002"} 95`,
		`kpibot_handler_seconds_bucket{kind="button",le="0.002"} 40`,
		`kpibot_handler_seconds_bucket{kind="command",le="+Inf"} 100`,
		`kpibot_handler_seconds_bucket{kind="button",le="+Inf"} 100`,
	} {
		name, v, ok := parseMetricLine(line)
		if !ok {
			t.Fatalf("%s did not parse", line)
		}
		m[name] += v
	}
	for _, tc := range []struct{ q, want float64 }{{0.4, 0.001}, {0.5, 0.002}, {0.99, math.Inf(1)}} {
		if got := histogramQuantile(m, "kpibot_handler_seconds", tc.q); got != tc.want {
			t.Errorf("q%v = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := histogramQuantile(map[string]float64{}, "kpibot_handler_seconds", 0.5); got != 0 {
		t.Errorf("no observations: %v", got)
	}
}
