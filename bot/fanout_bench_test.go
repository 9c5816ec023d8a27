package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/kpi/chart"
)

// BenchmarkFanOut10k simulates the Monday fan-out of 10,000 weekly reports
// (6 in 10 to groups, 4 in 10 to private chats) through the outbox with
// its default limits (25 a second, 3 s per group, 1 s per private chat) on
// the fake clock. Each Send renders the workspace's real chart (3-6
// panels, 12 weeks and a 4-week forecast, built directly: no storage) and
// encodes it as the client would upload it, into io.Discard: no network.
//
// Metrics: sim-s is the simulated time from the first send to the last,
// floor-s the least the global rate allows for 10,000 messages (400 s;
// first to last is then 399 s, the last second's batch starting at 399);
// ns/report the real wall time per report of the whole fan-out (rendering,
// encoding and the outbox's own work), render-ns/report the part spent in
// chart.Weekly, cpu-ns/report the process's CPU time per report (GC
// included), PNG-KB the mean image size.
//
//	go test -run XXX -bench BenchmarkFanOut10k -benchtime 1x ./bot/
func BenchmarkFanOut10k(b *testing.B) {
	const (
		workspaces = 10_000
		floor      = workspaces / bot.DefaultGlobalRate * time.Second
	)
	b.ReportAllocs()
	var last fanOutRun
	for range b.N {
		last = runFanOut(b, workspaces)
	}
	n := float64(workspaces)
	b.ReportMetric(last.sim.Seconds(), "sim-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(last.wall.Nanoseconds())/n, "ns/report")
	b.ReportMetric(float64(last.render.Nanoseconds())/n, "render-ns/report")
	b.ReportMetric(last.cpu.Seconds()*1e9/n, "cpu-ns/report")
	b.ReportMetric(float64(last.pngBytes)/n/1024, "PNG-KB")
	b.Logf("%d reports: %v simulated first to last (floor %v), at most %d in one simulated second; "+
		"real %v wall (%v rendering), %v CPU; the outbox could keep up with %.0f reports/s against the limit's %d",
		workspaces, last.sim, floor, last.mostInSecond, last.wall.Round(time.Millisecond),
		last.render.Round(time.Millisecond), last.cpu.Round(time.Millisecond),
		n/last.wall.Seconds(), bot.DefaultGlobalRate)
}

type fanOutRun struct {
	sim, wall, render, cpu time.Duration
	pngBytes               int
	mostInSecond           int
}

// runFanOut enqueues one report per workspace into a new outbox on a fake
// clock and drives the clock until all are sent.
func runFanOut(b *testing.B, workspaces int) fanOutRun {
	b.Helper()
	clk := newFakeClock()
	ob := bot.NewOutbox(clk, slog.New(slog.DiscardHandler))
	var (
		mu       sync.Mutex
		run      fanOutRun
		sentAt   = make([]time.Duration, 0, workspaces)
		finished int
		failed   error
	)
	for i := range workspaces {
		chat := int64(1_000_000 + i)
		group := i%5 < 3
		if group {
			chat = -1_000_000_000_000 - int64(i)
		}
		ob.Enqueue(bot.Item{
			Chat: chat, Group: group, Key: fmt.Sprintf("weekly:%d:2026-W49", chat),
			Send: func(ctx context.Context) error {
				at := clk.Now().Sub(outboxT0)
				start := time.Now()
				png, err := chart.Weekly(fanOutReport(i))
				took := time.Since(start)
				if err != nil {
					return err
				}
				if err := encodeUpload(chat, png); err != nil {
					return err
				}
				mu.Lock()
				run.render += took
				run.pngBytes += len(png)
				sentAt = append(sentAt, at)
				mu.Unlock()
				return nil
			},
			Done: func(err error) {
				mu.Lock()
				finished++
				if err != nil && failed == nil {
					failed = err
				}
				mu.Unlock()
				clk.bump()
			},
		})
	}
	done := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished == workspaces
	}

	cpu0 := cpuBusy()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ob.Run(ctx)
	}()
	for !done() {
		// The items are all queued, so the outbox is idle exactly when it
		// waits for a timer: then the time jumps to it.
		if !clk.waitUntil(func(timers int) bool { return timers > 0 || done() }) {
			b.Fatalf("outbox stuck at +%v with %d left", clk.Now().Sub(outboxT0), ob.Len())
		}
		if !done() {
			clk.fireNext()
		}
	}
	run.wall = time.Since(start)
	cancel()
	<-stopped
	run.cpu = cpuBusy() - cpu0

	if failed != nil {
		b.Fatal(failed)
	}
	if len(sentAt) != workspaces {
		b.Fatalf("%d sends, want %d", len(sentAt), workspaces)
	}
	run.sim = sentAt[len(sentAt)-1] - sentAt[0]
	run.mostInSecond, _ = maxInWindow(sentAt, time.Second)
	if run.mostInSecond > bot.DefaultGlobalRate {
		b.Fatalf("%d sends in one simulated second, limit %d", run.mostInSecond, bot.DefaultGlobalRate)
	}
	return run
}

// cpuBusy returns the CPU time the process has used (user Go code, GC and
// runtime, not idle). runtime/metrics brings its CPU classes up to date
// only at a GC, hence the GC first.
func cpuBusy() time.Duration {
	runtime.GC()
	s := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(s)
	return time.Duration((s[0].Value.Float64() - s[1].Value.Float64()) * float64(time.Second))
}

// encodeUpload writes the multipart body of a sendPhoto as the Bot API
// client would, to nowhere.
func encodeUpload(chat int64, png []byte) error {
	w := multipart.NewWriter(io.Discard)
	if err := w.WriteField("chat_id", strconv.FormatInt(chat, 10)); err != nil {
		return err
	}
	if err := w.WriteField("parse_mode", "HTML"); err != nil {
		return err
	}
	if err := w.WriteField("caption", "<b>Отчёт за неделю 48</b>\nОхват · 12 500 · 62 % от цели"); err != nil {
		return err
	}
	part, err := w.CreateFormFile("photo", "report-1.png")
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, bytes.NewReader(png)); err != nil {
		return err
	}
	return w.Close()
}

var (
	fanOutWeeks    = []string{"07.09", "14.09", "21.09", "28.09", "05.10", "12.10", "19.10", "26.10", "02.11", "09.11", "16.11", "23.11"}
	fanOutForecast = []string{"30.11", "07.12", "14.12", "21.12"}
	fanOutStatus   = []string{"В графике", "Отстаёт от темпа", "Под угрозой", "Нет данных", "Цель достигнута"}
)

type fanOutMetric struct {
	name           string
	base, target   float64
	format         func(float64) string
	fromZero, less bool
}

var fanOutMetrics = []fanOutMetric{
	{name: "Охват", base: 8000, target: 20000, format: ruThousandsB},
	{name: "Вовлечённость (ER)", base: 3, target: 4.5, format: func(v float64) string { return ruNumB(v, 1) + "\u00a0%" }, fromZero: true},
	{name: "Конверсии", base: 12, target: 40, format: func(v float64) string { return ruNumB(v, 0) }},
	{name: "Подписчики", base: 1170, target: 1600, format: ruThousandsB},
	{name: "Время ответа", base: 100, target: 30, format: func(v float64) string { return ruNumB(v, 0) + "\u00a0мин" }, less: true},
	{name: "Клики по ссылке", base: 40, target: 90, format: func(v float64) string { return ruNumB(v, 0) }},
}

// fanOutReport is workspace i's weekly report: 3 to 6 KPIs, twelve weeks
// of values drifting from the baseline towards the target with noise and
// a missing week now and then, the pace line, the target and a forecast.
func fanOutReport(i int) chart.Report {
	rng := rand.New(rand.NewPCG(uint64(i), 48))
	panels := make([]chart.Panel, 3+i%4)
	onTrack := 0
	for k := range panels {
		m := fanOutMetrics[(i+k)%len(fanOutMetrics)]
		scale := 0.5 + rng.Float64()
		base, target := m.base*scale, m.target*scale
		progress := 0.3 + 0.6*rng.Float64() // how far towards the target by week 12
		values := make([]float64, len(fanOutWeeks))
		for w := range values {
			v := base + (target-base)*progress*float64(w)/float64(len(values)-1)
			values[w] = v * (1 + 0.08*(rng.Float64()-0.5))
			if rng.IntN(20) == 0 {
				values[w] = math.NaN()
			}
		}
		pace := make([]float64, len(fanOutWeeks)+len(fanOutForecast))
		for w := range pace {
			pace[w] = base + (target-base)*float64(w)/float64(len(pace)-1)
		}
		lastV := values[len(values)-1]
		if math.IsNaN(lastV) {
			lastV = values[len(values)-2]
		}
		forecast := make([]float64, len(fanOutForecast))
		step := (lastV - values[0]) / float64(len(values)-1)
		for w := range forecast {
			forecast[w] = lastV + step*float64(w+1)
		}
		status := chart.Status(rng.IntN(5))
		if status == chart.StatusOnTrack || status == chart.StatusAchieved {
			onTrack++
		}
		pct := int(math.Round(100 * lastV / target))
		panels[k] = chart.Panel{
			Title:  fmt.Sprintf("%s · %s · %d %% от цели", m.name, m.format(lastV), pct),
			Status: status, StatusText: fanOutStatus[status],
			Labels: fanOutWeeks, Values: values, Pace: pace, Target: target,
			Forecast: forecast, ForecastLabels: fanOutForecast,
			FormatY: m.format, FromZero: m.fromZero, LowerBetter: m.less,
		}
	}
	return chart.Report{
		Title:    fmt.Sprintf("Отчёт за неделю 48 · Кофейня №%d", i+1),
		Subtitle: fmt.Sprintf("23–29 ноября · %d из %d KPI в графике", onTrack, len(panels)),
		Legend:   chart.Legend{Actual: "Факт по неделям", Pace: "Темп к цели", Target: "Цель", Forecast: "Прогноз", Zone: "Зона цели"},
		Panels:   panels,
	}
}

// ruNumB writes v the Russian way: "12 500", "4,2".
func ruNumB(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var out strings.Builder
	if v < 0 {
		out.WriteString("−")
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out.WriteString("\u00a0")
		}
		out.WriteByte(intPart[i])
	}
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		out.WriteString("," + frac)
	}
	return out.String()
}

func ruThousandsB(v float64) string {
	if math.Abs(v) >= 1000 {
		return ruNumB(v/1000, 1) + "\u00a0тыс."
	}
	return ruNumB(v, 0)
}
