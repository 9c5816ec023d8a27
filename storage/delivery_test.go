package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

func deliveryKey(chat int64, kind, period string) string {
	return "kpi:{" + itoa(chat) + "}:delivery:" + kind + ":" + period
}

// expireNow simulates the expiry of key's TTL: it shortens the TTL to 1 ms
// and waits until the key is gone (the embedded store expires keys on its
// 100 ms clock).
func expireNow(t *testing.T, ctx context.Context, rdb redis.UniversalClient, key string) {
	t.Helper()
	if ok, err := rdb.PExpire(ctx, key, time.Millisecond).Result(); err != nil || !ok {
		t.Fatalf("PEXPIRE %s: %v, %v", key, ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := rdb.Exists(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not expire", key)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestClaimDeliveryOnlyOneOfConcurrentClaimersWins(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		const claimers = 16
		chat := newChat()
		start := make(chan struct{})
		tokens := make(chan string, claimers)
		var wg sync.WaitGroup
		for range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tok, ok, err := s.ClaimDelivery(ctx, chat, "weekly", "2026-W48", time.Minute)
				switch {
				case err != nil:
					t.Errorf("claim: %v", err)
				case ok != (tok != ""):
					t.Errorf("claim = %q, %v: a token exactly when it is won", tok, ok)
				case ok:
					tokens <- tok
				}
			}()
		}
		close(start)
		wg.Wait()
		close(tokens)
		var won []string
		for tok := range tokens {
			won = append(won, tok)
		}
		if len(won) != 1 {
			t.Fatalf("%d of %d concurrent claimers won, want exactly 1", len(won), claimers)
		}
		key := deliveryKey(chat, "weekly", "2026-W48")
		if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 50*time.Second || ttl > time.Minute {
			t.Errorf("claim TTL %v, want about 1m", ttl)
		}
		if done, err := s.Delivered(ctx, chat, "weekly", "2026-W48"); err != nil || done {
			t.Errorf("Delivered while claimed = %v, %v; want false", done, err)
		}
		if err := s.DoneDelivery(ctx, chat, "weekly", "2026-W48", won[0], 501); err != nil {
			t.Fatalf("done by the winner: %v", err)
		}
		if done, err := s.Delivered(ctx, chat, "weekly", "2026-W48"); err != nil || !done {
			t.Errorf("Delivered after done = %v, %v; want true", done, err)
		}
		if ttl := rdb.TTL(ctx, key).Val(); ttl <= 39*24*time.Hour || ttl > 40*24*time.Hour {
			t.Errorf("done TTL %v, want 40 days", ttl)
		}
		if got := rdb.Get(ctx, key).Val(); got != "done:501" {
			t.Errorf("key holds %q, want done:501", got)
		}
		// Done: nobody claims it again; the same Done repeated is fine.
		if tok, ok, err := s.ClaimDelivery(ctx, chat, "weekly", "2026-W48", time.Minute); err != nil || ok || tok != "" {
			t.Errorf("claim after done = %q, %v, %v; want refused", tok, ok, err)
		}
		if err := s.DoneDelivery(ctx, chat, "weekly", "2026-W48", won[0], 501); err != nil {
			t.Errorf("repeated done: %v", err)
		}
		// Other kinds and periods are independent.
		if _, ok, err := s.ClaimDelivery(ctx, chat, "weekly", "2026-W49", time.Minute); err != nil || !ok {
			t.Errorf("next week: %v, %v", ok, err)
		}
		if _, ok, err := s.ClaimDelivery(ctx, chat, "reminder", "2026-W48", time.Minute); err != nil || !ok {
			t.Errorf("another kind: %v, %v", ok, err)
		}
	})
}

func TestExpiredClaimIsTakenOverAndTheStaleDoneConflicts(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat, kind, period := newChat(), "quarterly", "2026-Q4"
		a, ok, err := s.ClaimDelivery(ctx, chat, kind, period, time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim A: %v, %v", ok, err)
		}
		if _, ok, err := s.ClaimDelivery(ctx, chat, kind, period, time.Minute); err != nil || ok {
			t.Fatalf("claim B while A holds it: %v, %v; want refused", ok, err)
		}
		// A stalls past its claim's TTL; B takes over.
		expireNow(t, ctx, rdb, deliveryKey(chat, kind, period))
		b, ok, err := s.ClaimDelivery(ctx, chat, kind, period, time.Minute)
		if err != nil || !ok || b == a {
			t.Fatalf("claim B after expiry: %q, %v, %v", b, ok, err)
		}
		if err := s.DoneDelivery(ctx, chat, kind, period, a, 10); !errors.Is(err, kpi.ErrConflict) {
			t.Fatalf("done by the stale token A: %v, want ErrConflict", err)
		}
		if done, _ := s.Delivered(ctx, chat, kind, period); done {
			t.Fatal("the stale Done marked the delivery done")
		}
		if err := s.DoneDelivery(ctx, chat, kind, period, b, 11); err != nil {
			t.Fatalf("done by B: %v", err)
		}
		if done, err := s.Delivered(ctx, chat, kind, period); err != nil || !done {
			t.Errorf("Delivered after B's done = %v, %v", done, err)
		}
		// A, late again, still conflicts: B's send is the one recorded.
		if err := s.DoneDelivery(ctx, chat, kind, period, a, 10); !errors.Is(err, kpi.ErrConflict) {
			t.Errorf("done by A after B's: %v, want ErrConflict", err)
		}
		if got := rdb.Get(ctx, deliveryKey(chat, kind, period)).Val(); got != "done:11" {
			t.Errorf("key holds %q, want done:11", got)
		}
	})
}

// A claim that expired without anyone taking it over: the send happened,
// so Done records it and nobody sends again.
func TestDoneAfterUntakenExpiryRecordsTheSend(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat := newChat()
		tok, ok, err := s.ClaimDelivery(ctx, chat, "weekly", "2026-W50", time.Minute)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		expireNow(t, ctx, rdb, deliveryKey(chat, "weekly", "2026-W50"))
		if err := s.DoneDelivery(ctx, chat, "weekly", "2026-W50", tok, 7); err != nil {
			t.Fatalf("done after untaken expiry: %v", err)
		}
		if done, _ := s.Delivered(ctx, chat, "weekly", "2026-W50"); !done {
			t.Error("not recorded")
		}
		if _, ok, _ := s.ClaimDelivery(ctx, chat, "weekly", "2026-W50", time.Minute); ok {
			t.Error("claimed again after done")
		}
	})
}

func TestDeliveryRefusesBadNames(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat := newChat()
		for _, c := range []struct {
			kind, period string
			ttl          time.Duration
		}{
			{"", "2026-W48", time.Minute},
			{"weekly", "", time.Minute},
			{"week:ly", "2026-W48", time.Minute},
			{"weekly", "2026-W48", 0},
		} {
			if _, ok, err := s.ClaimDelivery(ctx, chat, c.kind, c.period, c.ttl); ok || !errors.Is(err, kpi.ErrInvalid) {
				t.Errorf("claim %+v: %v, %v; want ErrInvalid", c, ok, err)
			}
		}
		if err := s.DoneDelivery(ctx, chat, "weekly", "2026-W48", "", 1); !errors.Is(err, kpi.ErrInvalid) {
			t.Errorf("done without token: %v", err)
		}
		if _, err := s.Delivered(ctx, chat, "", "x"); !errors.Is(err, kpi.ErrInvalid) {
			t.Errorf("delivered without kind: %v", err)
		}
	})
}

func TestSetActiveKeepsTheWorkspace(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat := newChat()
		if err := s.SetActive(ctx, chat, false); !errors.Is(err, kpi.ErrNotFound) {
			t.Fatalf("no workspace: %v, want ErrNotFound", err)
		}
		w := kpi.Workspace{ChatID: chat, Type: kpi.ChatGroup, Title: "Склад", Lang: kpi.Russian, Timezone: "Asia/Yekaterinburg", Active: true, Settings: kpi.DefaultSettings}
		w.ReportHour = 9
		if err := s.SaveWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		rev, _ := s.SaveWizard(ctx, chat, 0, []byte("{}"))
		saved, _ := s.Workspace(ctx, chat)
		if _, err := s.CommitPlan(ctx, saved, testPlan(7000), rev); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Workspace(ctx, chat)

		if err := s.SetActive(ctx, chat, false); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		got, err := s.Workspace(ctx, chat)
		if err != nil || got.Active {
			t.Fatalf("after deactivate: %+v, %v", got, err)
		}
		if got.Title != before.Title || got.Timezone != before.Timezone || got.Settings != before.Settings || !got.Created.Equal(before.Created) {
			t.Errorf("deactivate changed more than the flag: %+v, was %+v", got, before)
		}
		if p, err := s.Plan(ctx, chat); err != nil || p.KPIs[0].Target != 7000 {
			t.Errorf("plan after deactivate: %+v, %v", p, err)
		}
		if ids, _ := s.Workspaces(ctx); !containsID(ids, chat) {
			t.Error("an inactive workspace left kpi:workspaces")
		}
		if err := s.SetActive(ctx, chat, false); err != nil {
			t.Errorf("deactivate again: %v", err)
		}
		if err := s.SetActive(ctx, chat, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Workspace(ctx, chat); !got.Active || got.Title != before.Title {
			t.Errorf("after reactivate: %+v", got)
		}
	})
}
