package bot

import (
	"context"
	"testing"
	"time"
)

// A fake clock: waiting advances it, so the test runs at once.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestChatLimitAllowsABurstThenSpaces(t *testing.T) {
	c := &stepClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	l := newChatLimit()
	l.now, l.after = c.Now, c.After
	ctx := context.Background()
	start := c.now
	// A group: 20 at once, the 21st a minute after the first.
	for i := 0; i < 21; i++ {
		if err := l.Wait(ctx, -100, true); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.now.Sub(start); got != time.Minute {
		t.Errorf("21st group message after %v, want 1m", got)
	}
	// A private chat: 3 at once, then 3 more after 3 s; other chats unaffected.
	start = c.now
	for i := 0; i < 5; i++ {
		l.Wait(ctx, 42, false)
	}
	if got := c.now.Sub(start); got != 3*time.Second {
		t.Errorf("5 private messages took %v, want 3s", got)
	}
	before := c.now
	l.Wait(ctx, 43, false)
	if c.now != before {
		t.Error("another chat waited")
	}
	// A cancelled context stops the wait.
	l.sent[44] = []time.Time{c.now, c.now, c.now}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	l.after = func(time.Duration) <-chan time.Time { return nil }
	if err := l.Wait(cctx, 44, false); err == nil {
		t.Error("Wait ignored a cancelled context")
	}
}
