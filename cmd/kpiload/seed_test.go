package main

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
	"github.com/kpibot/kpibot/storage/embedded"
)

// mustStore returns a Store on an embedded store of its own.
func mustStore(tb testing.TB) *storage.Store {
	tb.Helper()
	emb, err := embedded.Open(context.Background(), tb.TempDir(), embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		tb.Fatalf("open embedded store: %v", err)
	}
	tb.Cleanup(func() { _ = emb.Close() })
	return storage.New(emb.Client())
}

func TestSeedHistory(t *testing.T) {
	for _, history := range []int{5, 0} {
		t.Run("history "+strconv.Itoa(history), func(t *testing.T) {
			ctx := context.Background()
			cfg, err := parseFlags([]string{"-history", strconv.Itoa(history), "-chats", "2", "-groups", "1", "-workspaces", "3"})
			if err != nil {
				t.Fatal(err)
			}
			st := mustStore(t)
			now := time.Now()
			if err := seed(ctx, st, cfg.Workspaces, cfg.Chats, cfg.History, now); err != nil {
				t.Fatal(err)
			}
			// A second seed leaves the workspaces, plans and entries as they are.
			if err := seed(ctx, st, cfg.Workspaces, cfg.Chats, cfg.History, now); err != nil {
				t.Fatal(err)
			}
			loc, _ := kpi.LoadLocation("Europe/Moscow")
			today := kpi.DateOf(now.In(loc))
			oldest := today.AddDays(-7 * 8)
			for i := range cfg.Workspaces {
				chat, _ := seedChat(i, cfg.Chats)
				es, err := st.AllEntries(ctx, chat)
				if err != nil {
					t.Fatal(err)
				}
				count := map[string]int{}
				for _, e := range es {
					count[e.Metric]++
					if e.Date.Before(oldest) || today.Before(e.Date) {
						t.Errorf("chat %d: %s dated %v, outside [%v, %v]", chat, e.Metric, e.Date, oldest, today)
					}
					if e.By == 0 || e.ByName == "" || e.At.After(now) {
						t.Errorf("chat %d: entry by %d %q at %v (now %v)", chat, e.By, e.ByName, e.At, now)
					}
				}
				if len(es) != history*len(loggedMetrics) {
					t.Errorf("chat %d: %d entries, want %d", chat, len(es), history*len(loggedMetrics))
				}
				for _, m := range loggedMetrics {
					if count[m.key] != history {
						t.Errorf("chat %d: %d entries of %s, want %d", chat, count[m.key], m.key, history)
					}
				}
			}
		})
	}
}
