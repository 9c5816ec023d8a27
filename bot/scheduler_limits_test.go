package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/storage"
)

// doneCounter is the store with a signal once want deliveries are marked
// done: the scheduler marks a delivery from the outbox's Done, after the
// fake has answered, so the fake's state cannot tell when it happened.
type doneCounter struct {
	*storage.Store
	mu   sync.Mutex
	n    int
	want int
	all  chan struct{}
}

func (d *doneCounter) expect(n int) <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n, d.want, d.all = 0, n, make(chan struct{})
	return d.all
}

func (d *doneCounter) DoneDelivery(ctx context.Context, chat int64, kind, period, token string, messageID int) error {
	err := d.Store.DoneDelivery(ctx, chat, kind, period, token, messageID)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n++; d.n == d.want {
		close(d.all)
	}
	return err
}

// 300 workspaces (150 groups, 150 private chats) get their Monday 10:00
// report from one Tick through the outbox on the real clock, with the
// limits shortened a hundredfold and the fake Telegram enforcing the same
// limits: every chat gets exactly one report photo, every delivery is
// marked done, and the fake never had to refuse a call. The next Monday a
// few 429s are armed: they are waited out and those reports still arrive.
func TestFanOutWithinLimits(t *testing.T) {
	const (
		groups, privates = 150, 150
		perSecond        = 250
		groupEvery       = 30 * time.Millisecond
		privateEvery     = 10 * time.Millisecond
		fanOutWait       = 60 * time.Second
	)
	w := newWorldWith(t, telegramtest.WithFloodLimits(perSecond, groupEvery, privateEvery))
	store := &doneCounter{Store: w.st}
	w.sched.Store = store
	logs := &lockedBuffer{}
	ob := bot.NewOutbox(bot.RealClock(), slog.New(slog.NewTextHandler(logs, nil)),
		bot.WithGlobalRate(perSecond), bot.WithGroupInterval(groupEvery), bot.WithPrivateInterval(privateEvery))
	w.sched.Outbox = ob
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ob.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})

	setup := time.Now()
	var chats []telegramtest.Chat
	for i := range groups {
		chats = append(chats, w.workspaceIn(w.tg.Group(int64(-1_000_001-i), fmt.Sprintf("Team %d", i)), "Europe/Moscow", false))
	}
	for i := range privates {
		chats = append(chats, w.workspace(int64(5_000_001+i), "Europe/Moscow", false))
	}
	setupTook := time.Since(setup)

	// fanOut ticks at monday and waits until each of chats has n report
	// photos and every delivery of the week is marked done.
	fanOut := func(chats []telegramtest.Chat, monday string, n int) (tick, total time.Duration) {
		t.Helper()
		allDone := store.expect(len(chats))
		start := time.Now()
		if sent := w.at(monday); sent != len(chats) {
			t.Fatalf("Tick at %s queued %d reports, want %d", monday, sent, len(chats))
		}
		tick = time.Since(start)
		next := 0 // chats[:next] have their photos: each check looks on from there
		w.tg.WaitFor(t, fanOutWait, fmt.Sprintf("%d report photos in each of %d chats", n, len(chats)), func() bool {
			for next < len(chats) && len(photos(w.tg, chats[next].ID)) >= n {
				next++
			}
			return next == len(chats)
		})
		select {
		case <-allDone:
		case <-time.After(fanOutWait):
			t.Fatalf("deliveries not all marked done after %v", fanOutWait)
		}
		return tick, time.Since(start)
	}
	// check asserts n photos in each of chats, every delivery of period
	// done, no flood violation, and returns the sendPhoto calls by status.
	check := func(chats []telegramtest.Chat, period string, n int) map[int]int {
		t.Helper()
		total := 0
		for _, c := range chats {
			got := len(photos(w.tg, c.ID))
			if got != n {
				t.Errorf("chat %d has %d report photos, want %d", c.ID, got, n)
			}
			total += got
			if ok, err := w.st.Delivered(context.Background(), c.ID, bot.KindWeekly, period); err != nil || !ok {
				t.Errorf("chat %d: %s delivery not marked done (%v)", c.ID, period, err)
			}
		}
		if total != n*len(chats) {
			t.Errorf("%d report photos, want %d", total, n*len(chats))
		}
		if v := w.tg.FloodViolations(); v != 0 {
			t.Errorf("the fake refused %d calls over the flood limits: %+v", v, w.tg.FloodViolationLog())
		}
		byStatus := map[int]int{}
		for _, c := range w.tg.Calls("sendPhoto") {
			byStatus[c.Status]++
		}
		return byStatus
	}

	tick1, took1 := fanOut(chats, "2026-11-30T07:00:00Z", 1) // Monday 10:00 in Moscow
	if st := check(chats, "2026-W49", 1); st[200] != len(chats) || len(st) != 1 {
		t.Errorf("sendPhoto answers %v, want %d × 200 only", st, len(chats))
	}
	arrived := w.tg.FloodArrivals(0)
	span := arrived[len(arrived)-1].Sub(arrived[0])
	most, _ := maxInWindow(sinceFirst(arrived), time.Second)

	// The next Monday, for 20 of the workspaces (the others are made
	// inactive: rendering 300 charts again would double the test's time
	// under -race), with three 429s armed for one report: bot.reply waits
	// out the first two itself (it retries a 429 twice, after retry_after),
	// the third reaches the outbox, which pauses every chat for retry_after
	// and then sends that report first.
	var again []telegramtest.Chat
	for i, c := range chats {
		if i%groups < 10 {
			again = append(again, c)
		} else if err := w.st.SetActive(context.Background(), c.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	limited := chats[groups+5].ID
	w.tg.FailNext("sendPhoto", limited, telegramtest.TooManyRequests(1).Times(3))
	seq := w.tg.Seq()
	tick2, took2 := fanOut(again, "2026-12-07T07:00:00Z", 2)
	st := check(again, "2026-W50", 2)
	if st[200] != len(chats)+len(again) || st[429] != 3 || len(st) != 2 {
		t.Errorf("sendPhoto answers %v, want %d × 200 and the 3 armed 429s", st, len(chats)+len(again))
	}
	if n := w.tg.ArmedFailures(); n != 0 {
		t.Errorf("%d armed failures left", n)
	}
	var got []int
	var at []time.Time
	var sends []telegramtest.Call
	for _, c := range w.tg.CallsAfter(seq) {
		if c.Method != "sendPhoto" {
			continue
		}
		sends = append(sends, c)
		if c.ChatID == limited {
			got, at = append(got, c.Status), append(at, c.At)
		}
	}
	// Nothing else went out from the first 429 until the report was in.
	for i, c := range sends {
		if c.ChatID == limited {
			for _, d := range sends[i:min(i+4, len(sends))] {
				if d.ChatID != limited {
					t.Errorf("a send to %d while chat %d was being told to wait", d.ChatID, limited)
				}
			}
			break
		}
	}
	if fmt.Sprint(got) != "[429 429 429 200]" {
		t.Errorf("chat %d: sendPhoto answers %v, want [429 429 429 200]", limited, got)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < time.Second {
			t.Errorf("chat %d: call %d came %v after a 429 with retry_after 1", limited, i, gap)
		}
	}
	// Scheduled sends make one request each: the outbox sees every 429
	// and pauses everything for each.
	if n := strings.Count(logs.String(), "outbox paused by 429"); n != 3 {
		t.Errorf("the outbox logged %d pauses, want 3 (one per 429): %s", n, logs)
	}

	t.Logf("setup of %d workspaces %v; week 1: Tick (rendering %d charts) %v, all delivered and marked %v; "+
		"%d photos over %v at the fake, at most %d in one second (limit %d); "+
		"week 2, %d workspaces with 3 armed 429s: Tick %v, all delivered %v; flood violations %d",
		len(chats), setupTook.Round(time.Millisecond), len(chats), tick1.Round(time.Millisecond), took1.Round(time.Millisecond),
		len(arrived), span.Round(time.Millisecond), most, perSecond,
		len(again), tick2.Round(time.Millisecond), took2.Round(time.Millisecond), w.tg.FloodViolations())
}

func sinceFirst(at []time.Time) []time.Duration {
	out := make([]time.Duration, len(at))
	for i, a := range at {
		out[i] = a.Sub(at[0])
	}
	return out
}
