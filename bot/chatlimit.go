package bot

import (
	"context"
	"sync"
	"time"
)

// chatLimit keeps the bot's replies within Telegram's per-chat limits
// without slowing a normal exchange: at most perGroup messages in any
// window to one group (Telegram: about 20 a minute), and at most
// perPrivate in any privateWindow to one private chat (a short burst, then
// one a second on average). A reply that would pass the limit waits.
type chatLimit struct {
	window        time.Duration
	perGroup      int
	privateWindow time.Duration
	perPrivate    int
	now           func() time.Time
	after         func(time.Duration) <-chan time.Time

	mu   sync.Mutex
	sent map[int64][]time.Time // recent send times per chat, oldest first
}

func newChatLimit() *chatLimit {
	return &chatLimit{window: time.Minute, perGroup: 20, privateWindow: 3 * time.Second, perPrivate: 3, now: time.Now, after: time.After,
		sent: make(map[int64][]time.Time)}
}

// Wait blocks until a message to chat may go out, and counts it as sent.
// It returns early with ctx's error.
func (l *chatLimit) Wait(ctx context.Context, chat int64, group bool) error {
	for {
		d := l.reserve(chat, group)
		if d <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.after(d):
		}
	}
}

// reserve records a send now and returns 0, or returns how long to wait.
func (l *chatLimit) reserve(chat int64, group bool) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	window, max := l.privateWindow, l.perPrivate
	if group {
		window, max = l.window, l.perGroup
	}
	times := l.sent[chat]
	for len(times) > 0 && now.Sub(times[0]) >= window {
		times = times[1:]
	}
	if len(times) >= max {
		l.sent[chat] = times
		return times[0].Add(window).Sub(now)
	}
	l.sent[chat] = append(times, now)
	if len(l.sent) > 10000 {
		l.sweep(now)
	}
	return 0
}

// sweep forgets chats with nothing sent in the last window; l.mu is held.
func (l *chatLimit) sweep(now time.Time) {
	for chat, times := range l.sent {
		if len(times) == 0 || now.Sub(times[len(times)-1]) >= l.window {
			delete(l.sent, chat)
		}
	}
}
