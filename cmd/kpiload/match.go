package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// results is what the load saw. Only updates sent after the warm-up count,
// except in warmupErrors.
type results struct {
	from, to     time.Time // the measured window (of send times)
	sent         map[action]int
	latency      map[action][]time.Duration // POST start to the answer, answered ones
	toast        []time.Duration            // POST start to answerCallbackQuery, presses
	post         []time.Duration            // the webhook POST itself
	errors       map[string]int
	warmupErrors int
	unmatched    map[string]int // answers to no pending update (an alert, a late answer)
	sample       string         // the first unexpected answer's text
	slots        int            // slots of the schedule sent in the measured window
	lateSlots    int            // of those, sent more than 10 ms late
	maxLag       time.Duration
	retired      int // chats dropped after a timeout (a late answer would be taken for the next one's)
}

func newResults() results {
	return results{sent: map[action]int{}, latency: map[action][]time.Duration{}, errors: map[string]int{}, unmatched: map[string]int{}}
}

// Answer texts (dialogs/texts*.go, Russian, the seeded workspaces'
// language) by which an answer is told from an error.
const (
	okLog  = "✅"
	okUndo = "↩️"
)

var errorTexts = []struct{ prefix, kind string }{
	{"Что-то пошло не так", "error answer: something went wrong"},
	{"Хранилище временно недоступно", "error answer: storage unavailable"},
	{"Кто-то только что изменил", "error answer: conflict"},
	{"Эта кнопка устарела", "answer: stale button"},
	{"Слишком много сообщений подряд", "answer: slow down (flood guard)"},
}

// classify returns "" for an answer that starts with ok, else the kind of
// error it is.
func classify(text, ok string) string {
	if strings.HasPrefix(text, ok) {
		return ""
	}
	for _, e := range errorTexts {
		if strings.HasPrefix(text, e.prefix) {
			return e.kind
		}
	}
	return "unexpected answer"
}

// observe matches one answer of the bot to the update it answers, then
// lets the fake forget the chat's messages the load no longer needs. It
// runs in the fake's HTTP handler, as the answer arrives.
func (l *load) observe(c call) {
	l.mu.Lock()
	ch := l.byID[c.chatID]
	if p := l.queries[c.queryID]; p != nil && c.method == "answerCallbackQuery" {
		ch = p.chat // before match settles the press and drops the query
	}
	l.match(c)
	keep := 0
	if ch != nil {
		if c.sent {
			ch.seen = max(ch.seen, c.msgID)
		}
		if keep = ch.keepFrom(); keep > ch.kept {
			ch.kept = keep
		} else {
			keep = 0
		}
	}
	l.mu.Unlock()
	// Outside l.mu: a call for a lower id that comes late is a no-op, since
	// a chat's keepFrom only grows past messages it will not need again.
	if keep > 0 {
		l.tg.ForgetMessagesBefore(ch.chat.ID, keep)
	}
}

// match settles the update c answers, or counts c as unmatched. l.mu is
// held.
func (l *load) match(c call) {
	var p *pending
	if c.method == "answerCallbackQuery" {
		p = l.queries[c.queryID]
	} else if ch := l.byID[c.chatID]; ch != nil {
		p = ch.pending
	}
	if p == nil {
		l.res.unmatched[c.method]++
		return
	}
	if c.status != 200 {
		l.finish(p, c.at, fmt.Sprintf("telegram %s: HTTP %d", c.method, c.status))
		return
	}
	switch {
	case p.kind == actLog && c.method == "sendMessage":
		kind := classify(c.text, okLog)
		if kind == "" {
			if data := undoData(c.markup); data != "" {
				p.chat.undo = &undoButton{msgID: c.msgID, data: data, user: p.user}
			}
		}
		l.finishText(p, c, kind)
	case p.kind == actPress && c.method == "answerCallbackQuery":
		if kind := classify(c.text, okUndo); kind != "" {
			l.finishText(p, c, kind)
			return
		}
		if p.measured {
			l.res.toast = append(l.res.toast, c.at.Sub(p.start))
		}
	case p.kind == actPress && c.method == "editMessageText" && c.msgID == p.msgID:
		l.finishText(p, c, classify(c.text, okUndo))
	default:
		l.res.unmatched[c.method]++
	}
}

func (l *load) finishText(p *pending, c call, kind string) {
	if kind != "" && l.res.sample == "" {
		l.res.sample = c.method + ": " + truncate(c.text, 160)
	}
	l.finish(p, c.at, kind)
}

// finish settles p at time at, as answered (kind "") or as an error of
// kind, and makes its chat ready again after its pace. l.mu is held.
func (l *load) finish(p *pending, at time.Time, kind string) {
	c := p.chat
	if c.pending != p {
		return // settled already
	}
	c.pending = nil
	if p.queryID != "" {
		delete(l.queries, p.queryID)
	}
	switch {
	case !p.measured:
		if kind != "" {
			l.res.warmupErrors++
		}
	case kind == "":
		l.res.latency[p.kind] = append(l.res.latency[p.kind], at.Sub(p.start))
	default:
		l.res.errors[kind]++
	}
	if kind == timeoutKind(l.cfg.Timeout) || kind == "webhook: timeout" {
		l.res.retired++
		return
	}
	l.ready.push(c, p.start.Add(c.interval))
}

func timeoutKind(d time.Duration) string { return fmt.Sprintf("no answer within %v", d) }

// expire settles the updates unanswered after the timeout, until stop.
func (l *load) expire(stop <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	kind := timeoutKind(l.cfg.Timeout)
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			l.mu.Lock()
			for _, c := range l.chats {
				if p := c.pending; p != nil && now.Sub(p.start) > l.cfg.Timeout {
					l.finish(p, now, kind)
				}
			}
			l.mu.Unlock()
		}
	}
}

// drain waits until no update is pending, at most for d.
func (l *load) drain(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if l.inFlight() == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *load) inFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.chats {
		if c.pending != nil {
			n++
		}
	}
	return n
}

// report lets the fake forget its record of calls every second (the load
// never reads it, and a smaller heap is less for the collector to mark)
// and prints a progress line every cfg.Progress, until stop.
func (l *load) report(stop <-chan struct{}, start time.Time, logf func(string, ...any)) {
	forget := time.NewTicker(time.Second)
	defer forget.Stop()
	var progress <-chan time.Time
	if l.cfg.Progress > 0 {
		t := time.NewTicker(l.cfg.Progress)
		defer t.Stop()
		progress = t.C
	}
	for {
		select {
		case <-stop:
			return
		case <-forget.C:
			l.tg.ForgetCalls()
		case now := <-progress:
			l.mu.Lock()
			sent, answered, errs := 0, 0, 0
			for _, n := range l.res.sent {
				sent += n
			}
			for _, ds := range l.res.latency {
				answered += len(ds)
			}
			for _, n := range l.res.errors {
				errs += n
			}
			l.mu.Unlock()
			logf("%5.1fs measured sent %d, answered %d, errors %d, in flight %d",
				now.Sub(start).Seconds(), sent, answered, errs, l.inFlight())
		}
	}
}

// undoData returns the callback data of the Undo button ("1:un:<batch>")
// in a reply_markup, "" when there is none. A compact markup with the
// data unescaped (how the bot encodes it) is read without decoding it.
func undoData(markup string) string {
	if markup == "" {
		return ""
	}
	const key = `"callback_data":"`
	if i := strings.Index(markup, key+"1:un:"); i >= 0 {
		data := markup[i+len(key):]
		if end := strings.IndexByte(data, '"'); end >= 0 && !strings.Contains(data[:end], `\`) {
			return data[:end]
		}
	}
	var kb struct {
		Rows [][]struct {
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(markup), &kb) != nil {
		return ""
	}
	for _, row := range kb.Rows {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "1:un:") {
				return b.Data
			}
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
