package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
)

// Clock is the time source of the outbox; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock returns the wall clock.
func RealClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Item is one message the bot sends on its own: a report, a reminder, an
// alert.
type Item struct {
	Chat  int64 // the chat the message goes to: the unit of the per-chat limit
	Group bool  // a group, supergroup or channel (a negative Chat counts as one too)
	// Send makes the one Bot API call of the item. It is called from the
	// outbox's loop, once per attempt, and must return the client's error
	// unwrapped or wrapped with %w (the outbox tells 429, 400, 403 apart).
	Send func(ctx context.Context) error
	Key  string // names the item in logs, e.g. "report:-100123:2026-W48"; never the text
	// Done, when set, is called once from the outbox's loop when the item
	// is finished: with nil once it was sent, or with the final error.
	Done func(err error)
}

// Defaults of NewOutbox, after the Bot FAQ's limits with some margin.
const (
	DefaultGlobalRate      = 25              // messages in any one second, all chats together
	DefaultGroupInterval   = 3 * time.Second // between two messages to one group
	DefaultPrivateInterval = time.Second     // between two messages to one private chat
	DefaultMaxRetries      = 5               // retries after 5xx and network errors
	DefaultBackoff         = time.Second     // the first retry's delay, doubling
	DefaultMaxBackoff      = time.Minute     // the longest retry delay
)

// globalWindow is the window of the global rate.
const globalWindow = time.Second

// finishTimeout bounds a call left in flight by a shutdown.
const finishTimeout = 5 * time.Second

// OutboxOption changes one of NewOutbox's defaults.
type OutboxOption func(*outboxConfig)

type outboxConfig struct {
	globalRate      int
	groupInterval   time.Duration
	privateInterval time.Duration
	maxRetries      int
	backoff         time.Duration
	maxBackoff      time.Duration
}

// WithGlobalRate sets how many messages may go out in any one second, all
// chats together (n > 0).
func WithGlobalRate(n int) OutboxOption {
	return func(c *outboxConfig) {
		if n > 0 {
			c.globalRate = n
		}
	}
}

// WithGroupInterval sets the least time between two messages to one group.
func WithGroupInterval(d time.Duration) OutboxOption {
	return func(c *outboxConfig) {
		if d >= 0 {
			c.groupInterval = d
		}
	}
}

// WithPrivateInterval sets the least time between two messages to one
// private chat.
func WithPrivateInterval(d time.Duration) OutboxOption {
	return func(c *outboxConfig) {
		if d >= 0 {
			c.privateInterval = d
		}
	}
}

// WithMaxRetries sets how many times an item is retried after a 5xx or
// network error before it is given up: an item is tried at most n+1 times.
func WithMaxRetries(n int) OutboxOption {
	return func(c *outboxConfig) {
		if n >= 0 {
			c.maxRetries = n
		}
	}
}

// WithBackoff sets the delay before the first retry after a 5xx or network
// error; each further retry waits twice as long, up to max.
func WithBackoff(first, max time.Duration) OutboxOption {
	return func(c *outboxConfig) {
		if first > 0 {
			c.backoff = first
		}
		if max > 0 {
			c.maxBackoff = max
		}
	}
}

// Outbox sends what the bot says on its own within Telegram's flood limits:
// at most WithGlobalRate messages in any second, one message per
// WithGroupInterval to a group and per WithPrivateInterval to a private
// chat.
//
// Items go out in the order they were enqueued, except that an item whose
// chat must still wait does not hold up the items of other chats; the items
// of one chat keep their order. One call is in flight at a time, and every
// limit is counted from the moment that call returned, so the times at which
// Telegram receives two calls are never closer than the limits allow, however
// long the calls take on the way.
//
// A 429 pauses the whole outbox for its retry_after, after which the same
// item is tried first again, as often as Telegram asks. A 5xx or network
// error pauses the item's chat (others go on) for an exponential backoff and
// retries, WithMaxRetries times; then the item is given up: Done gets the
// error and it is logged. 400 and 403 (and 401, 404, 409) are final at once:
// what to do about them (deactivate the chat, migrate it) is up to Done.
//
// All waiting goes through the Clock.
type Outbox struct {
	clock Clock
	log   *slog.Logger
	cfg   outboxConfig
	wake  chan struct{} // a new item, or Run may have to look again

	mu          sync.Mutex
	queue       []*queued
	inFlight    int
	nextAt      map[int64]time.Time // per chat: no attempt before then
	sent        []time.Time         // ring of the last globalRate attempts' ends
	sentHead    int                 // the oldest entry of sent, once it is full
	pausedUntil time.Time           // after a 429: no attempt before then
	running     bool
}

type queued struct {
	it       Item
	failures int // 5xx and network errors so far
}

// NewOutbox returns an empty outbox; its loop is Run. log may be nil.
func NewOutbox(clock Clock, log *slog.Logger, opts ...OutboxOption) *Outbox {
	if clock == nil {
		clock = RealClock()
	}
	if log == nil {
		log = slog.Default()
	}
	cfg := outboxConfig{
		globalRate:      DefaultGlobalRate,
		groupInterval:   DefaultGroupInterval,
		privateInterval: DefaultPrivateInterval,
		maxRetries:      DefaultMaxRetries,
		backoff:         DefaultBackoff,
		maxBackoff:      DefaultMaxBackoff,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return &Outbox{
		clock:  clock,
		log:    log,
		cfg:    cfg,
		wake:   make(chan struct{}, 1),
		nextAt: map[int64]time.Time{},
		sent:   make([]time.Time, 0, cfg.globalRate),
	}
}

// Enqueue adds an item at the end of the queue. It is safe for concurrent
// use and never blocks on sending.
func (o *Outbox) Enqueue(it Item) {
	if it.Send == nil {
		panic("bot: Outbox.Enqueue: Item.Send is nil")
	}
	o.mu.Lock()
	o.queue = append(o.queue, &queued{it: it})
	o.mu.Unlock()
	o.poke()
}

// Len returns how many items are not finished yet: waiting or being sent.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue) + o.inFlight
}

func (o *Outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends the queued items until ctx is done; then it returns, leaving
// the items not yet sent in the queue (their Done is not called), so a later
// Run goes on with them. Only one Run may be active at a time.
func (o *Outbox) Run(ctx context.Context) {
	o.mu.Lock()
	if o.running {
		o.mu.Unlock()
		panic("bot: Outbox.Run called twice at once")
	}
	o.running = true
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.running = false
		o.mu.Unlock()
	}()

	for ctx.Err() == nil {
		select { // what is queued now is seen below
		case <-o.wake:
		default:
		}
		o.mu.Lock()
		q, wait := o.pickLocked(o.clock.Now())
		if q != nil {
			o.inFlight++
		}
		o.mu.Unlock()
		if q != nil {
			o.attempt(ctx, q)
			continue
		}
		var timer <-chan time.Time
		switch {
		case wait > 0:
			timer = o.clock.After(wait)
		case wait == 0:
			continue // cannot happen: something would have been ready
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-timer:
		}
	}
}

// pickLocked takes the first item that may be sent at now off the queue.
// Otherwise it returns how long to wait before looking again, or -1 when
// the queue is empty.
func (o *Outbox) pickLocked(now time.Time) (*queued, time.Duration) {
	if len(o.queue) == 0 {
		return nil, -1
	}
	if now.Before(o.pausedUntil) {
		return nil, o.pausedUntil.Sub(now)
	}
	if len(o.sent) == o.cfg.globalRate {
		if free := o.sent[o.sentHead].Add(globalWindow); now.Before(free) {
			return nil, free.Sub(now)
		}
	}
	var soonest time.Time
	for i, q := range o.queue {
		at := o.nextAt[q.it.Chat]
		if !now.Before(at) {
			o.queue = append(o.queue[:i], o.queue[i+1:]...)
			return q, 0
		}
		if soonest.IsZero() || at.Before(soonest) {
			soonest = at
		}
	}
	return nil, soonest.Sub(now)
}

// attempt makes one call of q and decides what comes next.
func (o *Outbox) attempt(ctx context.Context, q *queued) {
	// A call in flight when ctx ends (a shutdown) is finished, not dropped:
	// Telegram may have posted the message already, and only its answer
	// lets Done record it (a report not recorded is posted again later).
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	err := callSend(sendCtx, q.it.Send)
	cancel()
	now := o.clock.Now()

	o.mu.Lock()
	o.inFlight--
	o.countLocked(q.it, now)
	finished, final := false, err
	var tooMany *tg.TooManyRequestsError
	switch {
	case err == nil:
		finished = true
	case ctx.Err() != nil:
		// Stopped during the call: the item stays first, uncounted.
		o.queue = append([]*queued{q}, o.queue...)
	case errors.As(err, &tooMany):
		pause := time.Duration(tooMany.RetryAfter) * time.Second
		if pause < time.Second {
			pause = time.Second
		}
		if until := now.Add(pause); until.After(o.pausedUntil) {
			o.pausedUntil = until
		}
		o.queue = append([]*queued{q}, o.queue...)
		o.log.Warn("outbox paused by 429", "key", q.it.Key, "chat", q.it.Chat, "retry_after", tooMany.RetryAfter)
	case isFinal(err):
		finished = true
		o.log.Error("outbox: send refused", "key", q.it.Key, "chat", q.it.Chat, "err", redactQuoted(err.Error()))
	default:
		q.failures++
		if q.failures > o.cfg.maxRetries {
			finished = true
			final = fmt.Errorf("bot: outbox gave up after %d attempts: %w", q.failures, err)
			o.log.Error("outbox: send failed, giving up", "key", q.it.Key, "chat", q.it.Chat,
				"attempts", q.failures, "err", redactQuoted(err.Error()))
			break
		}
		delay := o.backoff(q.failures)
		if until := now.Add(delay); until.After(o.nextAt[q.it.Chat]) {
			o.nextAt[q.it.Chat] = until
		}
		o.queue = append([]*queued{q}, o.queue...)
		o.log.Warn("outbox: send failed, will retry", "key", q.it.Key, "chat", q.it.Chat,
			"attempt", q.failures, "retry_in", delay, "err", redactQuoted(err.Error()))
	}
	o.pruneLocked(now)
	o.mu.Unlock()

	if finished && q.it.Done != nil {
		q.it.Done(final)
	}
}

// callSend calls send, turning a panic into an error.
func callSend(ctx context.Context, send func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic in Send: %v", errSendPanic, r)
		}
	}()
	return send(ctx)
}

var errSendPanic = errors.New("bot: outbox")

// countLocked records an attempt that ended at now against the global rate
// and the chat's interval; failed attempts count too, as Telegram counts them.
func (o *Outbox) countLocked(it Item, now time.Time) {
	if len(o.sent) < o.cfg.globalRate {
		o.sent = append(o.sent, now)
	} else {
		o.sent[o.sentHead] = now
		o.sentHead = (o.sentHead + 1) % len(o.sent)
	}
	interval := o.cfg.privateInterval
	if it.Group || it.Chat < 0 {
		interval = o.cfg.groupInterval
	}
	if next := now.Add(interval); next.After(o.nextAt[it.Chat]) {
		o.nextAt[it.Chat] = next
	}
}

// pruneLocked forgets the chats whose interval has passed, once there are
// many of them.
func (o *Outbox) pruneLocked(now time.Time) {
	if len(o.nextAt) <= 2*len(o.queue)+1024 {
		return
	}
	for chat, at := range o.nextAt {
		if !now.Before(at) {
			delete(o.nextAt, chat)
		}
	}
}

// backoff returns the delay before retry n (1, 2, ...).
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.backoff
	for i := 1; i < n && d < o.cfg.maxBackoff; i++ {
		d *= 2
	}
	return min(d, o.cfg.maxBackoff)
}

// isFinal reports whether err is an answer that a retry would not change:
// 400 (migration included), 401, 403, 404, 409, or a panic in Send.
func isFinal(err error) bool {
	var migrate *tg.MigrateError
	return errors.As(err, &migrate) ||
		errors.Is(err, tg.ErrorBadRequest) ||
		errors.Is(err, tg.ErrorForbidden) ||
		errors.Is(err, tg.ErrorUnauthorized) ||
		errors.Is(err, tg.ErrorNotFound) ||
		errors.Is(err, tg.ErrorConflict) ||
		errors.Is(err, errSendPanic)
}

// redactQuoted replaces every double-quoted fragment of an error text (an
// error description may quote a piece of the message, as in `Unsupported
// start tag "x"`) with an ellipsis, so logs never carry message text.
func redactQuoted(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	inside := false
	for _, r := range s {
		switch {
		case r == '"':
			if !inside {
				b.WriteString(`"…`)
			} else {
				b.WriteRune(r)
			}
			inside = !inside
		case !inside:
			b.WriteRune(r)
		}
	}
	return b.String()
}
