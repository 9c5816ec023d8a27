package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/kpibot/kpibot/bot"
)

// fakeClock is a Clock whose time moves only when the test fires its next
// timer. Every After call and every bump wakes the waiters.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	changed chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

var outboxT0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock {
	return &fakeClock{now: outboxT0, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	}
	c.bumpLocked()
	return ch
}

func (c *fakeClock) bump() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bumpLocked()
}

func (c *fakeClock) bumpLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitUntil blocks until cond holds (it is re-checked after every After and
// bump) and reports false when that takes over a (real) minute, which means
// the outbox is stuck.
func (c *fakeClock) waitUntil(cond func(pendingTimers int) bool) bool {
	guard := time.NewTimer(time.Minute)
	defer guard.Stop()
	for {
		c.mu.Lock()
		ch, n := c.changed, len(c.timers)
		c.mu.Unlock()
		if cond(n) {
			return true
		}
		select {
		case <-ch:
		case <-guard.C:
			return false
		}
	}
}

// dropTimers forgets the timers of an outbox loop that has returned.
func (c *fakeClock) dropTimers() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = nil
}

// fireNext moves the time to the earliest timer and fires every timer due.
func (c *fakeClock) fireNext() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return
	}
	next := c.timers[0].at
	for _, tm := range c.timers {
		if tm.at.Before(next) {
			next = tm.at
		}
	}
	c.now = next
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(next) {
			kept = append(kept, tm)
		} else {
			tm.ch <- next
		}
	}
	c.timers = kept
}

// sendRec is one Send call an outbox made.
type sendRec struct {
	key  string
	chat int64
	at   time.Duration // since outboxT0
}

// outboxRig runs an outbox on a fake clock with scripted Send functions and
// records every call and every Done.
type outboxRig struct {
	t    *testing.T
	clk  *fakeClock
	ob   *bot.Outbox
	logs *lockedBuffer

	mu    sync.Mutex
	sends []sendRec
	tries map[string]int
	done  map[string][]error
	items int
}

func newOutboxRig(t *testing.T, opts ...bot.OutboxOption) *outboxRig {
	r := &outboxRig{t: t, clk: newFakeClock(), logs: &lockedBuffer{}, tries: map[string]int{}, done: map[string][]error{}}
	r.ob = bot.NewOutbox(r.clk, slog.New(slog.NewTextHandler(r.logs, nil)), opts...)
	return r
}

// add enqueues an item whose attempt n (1, 2, ...) returns script(n); a
// nil script always succeeds.
func (r *outboxRig) add(chat int64, group bool, key string, script func(n int) error) {
	r.mu.Lock()
	r.items++
	r.mu.Unlock()
	r.ob.Enqueue(bot.Item{
		Chat: chat, Group: group, Key: key,
		Send: func(ctx context.Context) error {
			at := r.clk.Now().Sub(outboxT0)
			r.mu.Lock()
			r.tries[key]++
			n := r.tries[key]
			r.sends = append(r.sends, sendRec{key: key, chat: chat, at: at})
			r.mu.Unlock()
			if script == nil {
				return nil
			}
			return script(n)
		},
		Done: func(err error) {
			r.mu.Lock()
			r.done[key] = append(r.done[key], err)
			r.mu.Unlock()
			r.clk.bump()
		},
	})
}

func (r *outboxRig) finished() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, errs := range r.done {
		n += len(errs)
	}
	return n
}

// drive runs the outbox until until() holds, moving the fake time to the
// next timer whenever the outbox waits for one. Items are all enqueued
// before, so the outbox is idle exactly when it has a timer pending.
func (r *outboxRig) drive(until func() bool) {
	r.t.Helper()
	r.clk.dropTimers()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.ob.Run(ctx)
	}()
	defer func() {
		cancel()
		<-stopped
	}()
	for {
		var done bool
		ok := r.clk.waitUntil(func(timers int) bool {
			done = until()
			return done || timers > 0
		})
		if !ok {
			r.t.Fatalf("outbox stuck at +%v: %d of %d items finished, Len %d",
				r.clk.Now().Sub(outboxT0), r.finished(), r.items, r.ob.Len())
		}
		if done {
			return
		}
		r.clk.fireNext()
	}
}

// driveAll runs the outbox until every item is finished.
func (r *outboxRig) driveAll() {
	r.t.Helper()
	r.drive(func() bool { return r.finished() == r.items })
}

func (r *outboxRig) sendsTo(chat int64) []sendRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sendRec
	for _, s := range r.sends {
		if s.chat == chat {
			out = append(out, s)
		}
	}
	return out
}

func (r *outboxRig) allSends() []sendRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sends)
}

func (r *outboxRig) doneOf(key string) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.done[key])
}

func times(recs []sendRec) []time.Duration {
	out := make([]time.Duration, len(recs))
	for i, s := range recs {
		out[i] = s.at
	}
	return out
}

func secs(s ...float64) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, v := range s {
		out[i] = time.Duration(v * float64(time.Second))
	}
	return out
}

// A group gets one message per 3 s, a private chat one per second, and the
// group's wait does not hold up the private chat enqueued between.
func TestOutboxSpacesMessagesPerChat(t *testing.T) {
	r := newOutboxRig(t)
	const group, private = -100123, 42
	for i := range 6 {
		r.add(group, true, fmt.Sprintf("report:%d:%d", group, i), nil)
		r.add(private, false, fmt.Sprintf("reminder:%d:%d", private, i), nil)
	}
	r.driveAll()

	g, p := r.sendsTo(group), r.sendsTo(private)
	if want := secs(0, 3, 6, 9, 12, 15); !slices.Equal(times(g), want) {
		t.Errorf("group sends at %v, want %v", times(g), want)
	}
	if want := secs(0, 1, 2, 3, 4, 5); !slices.Equal(times(p), want) {
		t.Errorf("private sends at %v, want %v", times(p), want)
	}
	for i := range 6 {
		if g[i].key != fmt.Sprintf("report:%d:%d", group, i) || p[i].key != fmt.Sprintf("reminder:%d:%d", private, i) {
			t.Fatalf("items of one chat out of order: %v %v", g, p)
		}
	}
	for _, key := range []string{"report:-100123:5", "reminder:42:5"} {
		if errs := r.doneOf(key); len(errs) != 1 || errs[0] != nil {
			t.Errorf("Done(%s) = %v, want one nil", key, errs)
		}
	}
	if n := r.ob.Len(); n != 0 {
		t.Errorf("Len = %d after all sent", n)
	}
}

// A negative chat id is a group even if Group was not set.
func TestOutboxTreatsNegativeChatsAsGroups(t *testing.T) {
	r := newOutboxRig(t)
	r.add(-5, false, "a", nil)
	r.add(-5, false, "b", nil)
	r.driveAll()
	if got := times(r.sendsTo(-5)); !slices.Equal(got, secs(0, 3)) {
		t.Errorf("sends at %v, want [0s 3s]", got)
	}
}

// maxInWindow returns the most sends in any window [t, t+w) that starts at
// a send, and how many windows it looked at.
func maxInWindow(at []time.Duration, w time.Duration) (most, windows int) {
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j] < at[i]+w; j++ {
			n++
		}
		most = max(most, n)
	}
	return most, len(at)
}

// 300 chats with one report each: never more than 25 in any second, in
// the order enqueued, all within 11 s.
func TestOutboxGlobalRate(t *testing.T) {
	r := newOutboxRig(t)
	const chats = 300
	for i := range chats {
		group := i%2 == 0
		chat := int64(1000 + i)
		if group {
			chat = -chat
		}
		r.add(chat, group, fmt.Sprintf("report:%d:2026-W48", chat), nil)
	}
	r.driveAll()

	sends := r.allSends()
	if len(sends) != chats {
		t.Fatalf("%d sends, want %d", len(sends), chats)
	}
	at := times(sends)
	for i := 0; i+25 < len(at); i++ {
		if at[i+25]-at[i] < time.Second {
			t.Fatalf("sends %d and %d are %v apart: 26 in under a second", i, i+25, at[i+25]-at[i])
		}
	}
	most, windows := maxInWindow(at, time.Second)
	if most != 25 {
		t.Errorf("at most %d sends in a 1 s window, want exactly 25 (the limit, reached)", most)
	}
	if last := at[len(at)-1]; last != 11*time.Second {
		t.Errorf("last send at %v, want 11s (12 full seconds of 25)", last)
	}
	for i, s := range sends {
		chat := int64(1000 + i)
		if i%2 == 0 {
			chat = -chat
		}
		if s.chat != chat {
			t.Fatalf("send %d went to %d, want %d: not in FIFO order", i, s.chat, chat)
		}
	}
	t.Logf("%d items, %d windows of 1 s checked, at most %d in one", len(sends), windows, most)
}

// A 429 stops every chat for retry_after, then the same item goes first
// and is delivered.
func TestOutboxPausesEverythingOn429(t *testing.T) {
	r := newOutboxRig(t)
	r.add(1, false, "a", func(n int) error {
		if n == 1 {
			return fmt.Errorf("send report: %w", &tgbot.TooManyRequestsError{Message: "too many requests", RetryAfter: 7})
		}
		return nil
	})
	r.add(2, false, "b", nil)
	r.add(-3, true, "c", nil)
	r.driveAll()

	want := []sendRec{{"a", 1, 0}, {"a", 1, 7 * time.Second}, {"b", 2, 7 * time.Second}, {"c", -3, 7 * time.Second}}
	if got := r.allSends(); !slices.Equal(got, want) {
		t.Errorf("sends %v, want %v", got, want)
	}
	for _, key := range []string{"a", "b", "c"} {
		if errs := r.doneOf(key); len(errs) != 1 || errs[0] != nil {
			t.Errorf("Done(%s) = %v, want one nil", key, errs)
		}
	}
	if !strings.Contains(r.logs.String(), "retry_after=7") {
		t.Errorf("the pause is not logged: %s", r.logs)
	}
}

var errBadGateway = errors.New("error response from telegram for method sendMessage, 502 Bad Gateway")

// A 5xx is retried after 1, 2, 4, 8, 16 s while its chat waits and other
// chats go on; the fifth retry succeeds.
func TestOutboxRetries5xxWithBackoff(t *testing.T) {
	r := newOutboxRig(t)
	r.add(1, false, "a", func(n int) error {
		if n <= 5 {
			return errBadGateway
		}
		return nil
	})
	r.add(2, false, "b", nil)
	r.add(1, false, "a2", nil)
	r.driveAll()

	if got, want := times(r.sendsTo(1)), secs(0, 1, 3, 7, 15, 31, 32); !slices.Equal(got, want) {
		t.Errorf("chat 1 sends at %v, want %v", got, want)
	}
	if got := r.sendsTo(1); got[5].key != "a" || got[6].key != "a2" {
		t.Errorf("chat 1 order %v, want a's retries then a2", got)
	}
	if got := r.sendsTo(2); len(got) != 1 || got[0].at != 0 {
		t.Errorf("chat 2 sends %v, want one at once", got)
	}
	if errs := r.doneOf("a"); len(errs) != 1 || errs[0] != nil {
		t.Errorf("Done(a) = %v, want one nil", errs)
	}
	if n := strings.Count(r.logs.String(), "will retry"); n != 5 {
		t.Errorf("%d retries logged, want 5", n)
	}
	if strings.Contains(r.logs.String(), "level=ERROR") {
		t.Errorf("a delivered item logged an error: %s", r.logs)
	}
}

// Five retries that fail too give the item up: Done gets the error once
// and it is logged at error level by key, without the message text.
func TestOutboxGivesUpAfterMaxRetries(t *testing.T) {
	r := newOutboxRig(t)
	quoting := fmt.Errorf(`%w: upstream said "Weekly report: reach 12500"`, errBadGateway)
	r.add(1, false, "report:1:2026-W48", func(int) error { return quoting })
	r.add(2, false, "b", nil)
	r.driveAll()

	if got, want := times(r.sendsTo(1)), secs(0, 1, 3, 7, 15, 31); !slices.Equal(got, want) {
		t.Errorf("attempts at %v, want %v", got, want)
	}
	errs := r.doneOf("report:1:2026-W48")
	if len(errs) != 1 || !errors.Is(errs[0], errBadGateway) {
		t.Fatalf("Done = %v, want one call with the 502", errs)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "key=report:1:2026-W48") || !strings.Contains(logs, "attempts=6") {
		t.Errorf("the failure is not logged at error level with its key: %s", logs)
	}
	if strings.Contains(logs, "Weekly report") {
		t.Errorf("the log carries message text: %s", logs)
	}
	if errs := r.doneOf("b"); len(errs) != 1 || errs[0] != nil {
		t.Errorf("Done(b) = %v, want one nil", errs)
	}
	if n := r.ob.Len(); n != 0 {
		t.Errorf("Len = %d after all finished", n)
	}
}

// 403 and 400 (migration included) are final at once; the chat's next
// item still goes out, the caller decides what to do about the chat.
func TestOutboxFinalErrors(t *testing.T) {
	for name, err := range map[string]error{
		"blocked":  fmt.Errorf("%w, Forbidden: bot was blocked by the user", tgbot.ErrorForbidden),
		"kicked":   fmt.Errorf("%w, Forbidden: bot was kicked from the group chat", tgbot.ErrorForbidden),
		"notfound": fmt.Errorf("%w, Bad Request: chat not found", tgbot.ErrorBadRequest),
		"migrated": &tgbot.MigrateError{Message: "bad request: Bad Request: group chat was upgraded to a supergroup chat", MigrateToChatID: -1001234},
	} {
		t.Run(name, func(t *testing.T) {
			r := newOutboxRig(t)
			r.add(-7, true, "x", func(int) error { return err })
			r.add(-7, true, "y", nil)
			r.driveAll()
			if got := r.allSends(); len(got) != 2 || got[0].key != "x" || got[1].at != 3*time.Second {
				t.Errorf("sends %v, want x once, then y 3 s later", got)
			}
			errs := r.doneOf("x")
			if len(errs) != 1 || !errors.Is(errs[0], err) {
				t.Fatalf("Done(x) = %v, want one call with %v", errs, err)
			}
			if !strings.Contains(r.logs.String(), "level=ERROR") || !strings.Contains(r.logs.String(), "key=x") {
				t.Errorf("the refusal is not logged: %s", r.logs)
			}
		})
	}
}

// Stopping Run leaves the items not sent in the queue with no Done; a new
// Run sends them, still spaced from the last send.
func TestOutboxStopAndResume(t *testing.T) {
	r := newOutboxRig(t)
	for i := range 3 {
		r.add(-9, true, fmt.Sprint(i), nil)
	}
	r.drive(func() bool { return r.finished() == 1 })
	if n := r.ob.Len(); n != 2 {
		t.Fatalf("Len = %d after stopping with one sent, want 2", n)
	}
	if len(r.doneOf("1"))+len(r.doneOf("2")) != 0 {
		t.Fatal("Done was called for items never sent")
	}
	r.driveAll()
	if got, want := times(r.sendsTo(-9)), secs(0, 3, 6); !slices.Equal(got, want) {
		t.Errorf("sends at %v, want %v", got, want)
	}
}
