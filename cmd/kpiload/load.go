package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// action is what a simulated user does.
type action int

const (
	actLog   action = iota // types "/log охват 15000" or the like
	actPress               // presses Undo under an earlier /log answer
)

func (a action) String() string {
	if a == actPress {
		return "Undo press"
	}
	return "/log"
}

// simChat is one chat of the simulation. A chat is in exactly one place at
// a time: in the ready queue, with the dispatcher, or with a sender and
// then pending, and only its holder touches turn and msgSeq; pending,
// undo, seen and kept are guarded by load.mu.
type simChat struct {
	chat     telegramtest.Chat
	users    []telegramtest.User
	interval time.Duration // least time between two updates
	turn     int           // next user of a group
	msgSeq   int           // the users' message ids

	pending *pending
	undo    *undoButton // Undo of the last /log answer, not pressed yet
	seen    int         // the highest id of a bot message seen in the chat
	kept    int         // the fake was told to forget the messages below this id
}

// keepFrom returns the lowest id of the chat's bot messages the load may
// still press or see edited: the one a press in flight pressed, else the
// one with the Undo button, else any not seen yet. While a /log is in
// flight without an Undo to keep it returns 0 (keep all): its answer may
// have an id below one seen already (an alert sent after it but observed
// first). l.mu is held.
func (c *simChat) keepFrom() int {
	switch {
	case c.pending != nil && c.pending.kind == actPress:
		return c.pending.msgID
	case c.undo != nil:
		return c.undo.msgID
	case c.pending != nil:
		return 0
	}
	return c.seen + 1
}

func (c *simChat) nextUser() telegramtest.User {
	u := c.users[c.turn%len(c.users)]
	c.turn++
	return u
}

// undoButton is the Undo button under a /log answer.
type undoButton struct {
	msgID int
	data  string
	user  telegramtest.User // who logged, the one who may undo
}

// pending is an update posted and not answered yet.
type pending struct {
	kind     action
	chat     *simChat
	user     telegramtest.User
	start    time.Time // the POST started
	queryID  string    // a press: its callback query
	msgID    int       // a press: the message pressed
	measured bool      // sent after the warm-up
}

// load drives the simulated users and matches the bot's answers to their
// updates.
type load struct {
	cfg        Config
	tg         *telegramtest.Server
	chats      []*simChat
	byID       map[int64]*simChat // read-only once built
	ready      *readyQueue
	nextUpdate atomic.Int64

	mu      sync.Mutex
	queries map[string]*pending
	res     results
}

// newLoad builds the chats (known to the fake, so the bot may write to
// them) and queues them all as ready.
func newLoad(cfg Config, tg *telegramtest.Server, now time.Time) *load {
	l := &load{cfg: cfg, tg: tg, byID: map[int64]*simChat{}, queries: map[string]*pending{}, res: newResults()}
	for i := 0; i < cfg.Chats; i++ {
		u := telegramtest.User{ID: privateID(i), FirstName: fmt.Sprintf("Load%d", i), LanguageCode: "ru"}
		l.add(&simChat{chat: tg.PrivateChat(u), users: []telegramtest.User{u}, interval: cfg.Private})
	}
	for g := 0; g < cfg.Groups; g++ {
		c := &simChat{chat: tg.Supergroup(groupID(g), fmt.Sprintf("Load group %d", g), false), interval: cfg.Group}
		for m := 0; m < cfg.Members; m++ {
			u := telegramtest.User{ID: groupUserBase + int64(g)*1000 + int64(m), FirstName: fmt.Sprintf("Member%d", m), LanguageCode: "ru"}
			tg.SetMemberStatus(c.chat.ID, u.ID, telegramtest.StatusMember)
			c.users = append(c.users, u)
		}
		l.add(c)
	}
	rand.Shuffle(len(l.chats), func(i, j int) { l.chats[i], l.chats[j] = l.chats[j], l.chats[i] })
	l.ready = newReadyQueue()
	for _, c := range l.chats {
		l.ready.push(c, now)
	}
	// Update ids of their own, above any a previous run left claimed in
	// Redis (the bot skips an update id it has seen within 24 hours).
	l.nextUpdate.Store(now.Unix() * 1_000_000)
	return l
}

func (l *load) add(c *simChat) {
	c.msgSeq = 1_000_000 // apart from the ids of the bot's own messages
	l.chats = append(l.chats, c)
	l.byID[c.chat.ID] = c
}

// run sends updates to the webhook at path on addr (host:port) at
// cfg.Rate for the warm-up and the measured time, waits for the last
// answers and returns what it saw.
func (l *load) run(ctx context.Context, addr, path, secret string, logf func(string, ...any)) *results {
	start := time.Now()
	l.res.from = start.Add(l.cfg.Warmup)
	end := l.res.from.Add(l.cfg.Duration)
	l.res.to = end
	jobs := make(chan *simChat, l.cfg.Conns)
	var senders sync.WaitGroup
	for i := 0; i < l.cfg.Conns; i++ {
		senders.Add(1)
		go func() {
			defer senders.Done()
			hook := &hookConn{addr: addr, path: path, secret: secret, timeout: l.cfg.Timeout}
			defer hook.close()
			for c := range jobs {
				l.send(ctx, hook, c)
			}
		}()
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); l.expire(stop) }()
	go func() { defer bg.Done(); l.report(stop, start, logf) }()

	l.dispatch(ctx, start, end, jobs)
	close(jobs)
	senders.Wait()
	l.drain(ctx, l.cfg.Timeout+time.Second)
	close(stop)
	bg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	res := l.res
	return &res
}

// dispatch hands a ready chat to a sender at every slot of the open-loop
// schedule until end. With no chat ready (all waiting for answers or for
// their pace), a slot goes out late, and the later slots catch up as chats
// free up; the lateness of the slots sent in the measured window is
// recorded.
func (l *load) dispatch(ctx context.Context, start, end time.Time, jobs chan<- *simChat) {
	every := time.Duration(float64(time.Second) / l.cfg.Rate)
	for k := int64(0); ; k++ {
		slot := start.Add(time.Duration(k) * every)
		if !slot.Before(end) {
			return
		}
		if d := time.Until(slot); d > 0 {
			time.Sleep(d)
		}
		c := l.ready.pop(ctx, end)
		if c == nil {
			return
		}
		if now := time.Now(); !now.Before(l.res.from) {
			lag := now.Sub(slot)
			l.mu.Lock()
			l.res.slots++
			if lag > 10*time.Millisecond {
				l.res.lateSlots++
			}
			l.res.maxLag = max(l.res.maxLag, lag)
			l.mu.Unlock()
		}
		select {
		case jobs <- c:
		case <-ctx.Done():
			return
		}
	}
}

// send posts the chat's next update: a press of its Undo button now and
// then (cfg.Press), else a /log line.
func (l *load) send(ctx context.Context, hook *hookConn, c *simChat) {
	l.mu.Lock()
	var undo *undoButton
	if c.undo != nil && rand.Float64() < l.cfg.Press {
		undo = c.undo // c.undo stays until the press is pending, so its message is kept
	}
	l.mu.Unlock()
	id := l.nextUpdate.Add(1)
	p := &pending{chat: c}
	var body []byte
	if undo != nil {
		qid, q := l.tg.CallbackQuery(c.chat, undo.user, undo.msgID, undo.data)
		p.kind, p.user, p.queryID, p.msgID = actPress, undo.user, qid, undo.msgID
		body = callbackUpdate(id, q)
	} else {
		p.kind, p.user = actLog, c.nextUser()
		c.msgSeq++
		body = messageUpdate(id, c.chat, p.user, c.msgSeq, logLine(), time.Now())
	}
	p.start = time.Now()
	p.measured = !p.start.Before(l.res.from)
	l.mu.Lock()
	c.pending = p
	if p.queryID != "" {
		l.queries[p.queryID] = p
		c.undo = nil
	}
	if p.measured {
		l.res.sent[p.kind]++
	}
	l.mu.Unlock()

	status, err := hook.post(ctx, body)
	took := time.Since(p.start)
	if err != nil {
		l.failed(p, "webhook: "+transportError(err))
		return
	}
	if status/100 != 2 {
		l.failed(p, fmt.Sprintf("webhook: HTTP %d", status))
		return
	}
	if p.measured {
		l.mu.Lock()
		l.res.post = append(l.res.post, took)
		l.mu.Unlock()
	}
}

func (l *load) failed(p *pending, kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finish(p, time.Now(), kind)
}

// transportError names a failed POST without its URL.
func transportError(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op + " " + oe.Err.Error()
	}
	return "transport error"
}
