//go:build unix

package storage_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

// BenchmarkBegin loads a workspace and its seven-KPI plan, as every update
// does. It claims no update id: on the embedded store the claim is a
// journalled write whose fsync would drown the decoding.
func BenchmarkBegin(b *testing.B) {
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			s := storage.New(be.rdb)
			chat := mustChatWithPlan(b, ctx, s)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				_, snap, err := s.Begin(ctx, 0, chat)
				if err != nil || !snap.HasPlan || len(snap.Plan.KPIs) != 7 {
					b.Fatalf("Begin: %+v, %v", snap, err)
				}
			}
		})
	}
}

// BenchmarkAddEntries logs one value of a metric that has 15 entries in the
// period read back, as /log does. The new entry is dated the day before
// the period, so every iteration reads back the same 15.
func BenchmarkAddEntries(b *testing.B) {
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			s := storage.New(be.rdb)
			chat := newChat()
			from, to := kpi.Date{Year: 2026, Month: 10, Day: 5}, kpi.Date{Year: 2026, Month: 11, Day: 29}
			at := time.Date(2026, 11, 29, 18, 30, 0, 0, time.UTC)
			seed := make([]kpi.Entry, 15)
			for i := range seed {
				seed[i] = kpi.Entry{Metric: "reach", Value: float64(12000 + 137*i), Date: from.AddDays(3 * i),
					By: 501234567, ByName: "Анна Смирнова", At: at.Add(-time.Duration(15-i) * 72 * time.Hour)}
			}
			if _, _, err := s.AddEntries(ctx, chat, seed, from, to); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				e := []kpi.Entry{{Metric: "reach", Value: 12500, Date: from.AddDays(-1), By: 501234567, ByName: "Анна Смирнова", At: at}}
				_, got, err := s.AddEntries(ctx, chat, e, from, to)
				if err != nil || len(got["reach"]) != 15 {
					b.Fatalf("AddEntries: %d read back, %v", len(got["reach"]), err)
				}
			}
		})
	}
}

// reportCPU, deferred before the loop, reports the CPU time (user and
// system) the test process spent an iteration as cpu-ns/op. Against a real
// Redis that is the client's work alone, which wall time on a busy machine
// hides; the embedded store adds its server's.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
