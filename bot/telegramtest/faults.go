package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Fault is a way a network or an overloaded Bot API fails a request that
// an HTTP status cannot express (for error answers such as 500, see
// FailNext).
type Fault int

const (
	// HangUp closes the connection before the request reaches Telegram:
	// nothing happened, and the client sees a transport error.
	HangUp Fault = iota + 1
	// LoseAnswer lets Telegram handle the request (a message is sent, an
	// update batch handed out), then closes the connection before the
	// answer: the client cannot tell it from HangUp.
	LoseAnswer
	// Stall holds the request unanswered until the client gives up (its
	// timeout or its context) or the test ends; Telegram never sees it.
	Stall
)

func (f Fault) String() string {
	switch f {
	case HangUp:
		return "hang-up"
	case LoseAnswer:
		return "lost answer"
	case Stall:
		return "stall"
	}
	return "none"
}

// Proxy is a faulty network between a bot and the Server: it has a URL of
// its own and forwards every request to the Server as it is, except those
// a test breaks with Break, and runs the test's hooks on the way (to kill
// a bot process at an exact call). Calls it breaks before they reach the
// Server are not in the Server's Calls; Proxy counts them, and every call
// it takes wakes the Server's waiters, so WaitFor may wait on its counts.
type Proxy struct {
	// URL is the proxy's base URL: give it to the bot instead of the
	// Server's.
	URL string

	s      *Server
	http   *httptest.Server
	client *http.Client
	closed chan struct{}
	once   sync.Once

	mu     sync.Mutex
	rules  []*proxyRule
	hooks  []proxyHook
	seen   map[string]int // calls per method (lower case)
	broken map[Fault]int
}

type proxyRule struct {
	method string // lower case
	fault  Fault
	left   int
}

type proxyHook struct {
	method string // lower case; "" for every method
	fn     func(ProxyCall) Fault
}

// ProxyCall is a call passing through the Proxy, as a Hook sees it.
type ProxyCall struct {
	Method  string // as the bot spelled it in the URL
	N       int    // the call's number among the calls of its method, from 1
	Handled bool   // the Server has answered it; the answer has not gone back yet
}

// NewProxy starts a Proxy in front of s; it stops when the test ends (a
// stalled request is then hung up).
func (s *Server) NewProxy(tb testing.TB) *Proxy {
	tb.Helper()
	p := &Proxy{
		s:      s,
		client: &http.Client{}, // no timeout: long polls are the client's to end
		closed: make(chan struct{}),
		seen:   map[string]int{},
		broken: map[Fault]int{},
	}
	p.http = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.http.URL
	tb.Cleanup(p.Close)
	return p
}

// Close hangs up the stalled requests and stops the proxy.
func (p *Proxy) Close() {
	p.once.Do(func() {
		close(p.closed)
		p.http.CloseClientConnections()
		p.http.Close()
	})
}

// Break makes the next n calls of method (its case does not matter) fail
// with f. Breaks armed earlier are used first.
func (p *Proxy) Break(method string, f Fault, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &proxyRule{method: strings.ToLower(method), fault: f, left: n})
}

// Armed returns how many broken calls Break still has armed.
func (p *Proxy) Armed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.rules {
		n += r.left
	}
	return n
}

// Broken returns how many calls were broken with f so far.
func (p *Proxy) Broken(f Fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.broken[f]
}

// Seen returns how many calls of method the proxy has taken.
func (p *Proxy) Seen(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[strings.ToLower(method)]
}

// Hook runs fn on every call of method ("" for every method) that the
// proxy takes: once before the call is forwarded, and once more (Handled
// set) when the Server has answered it, before the answer goes back. The
// call waits for fn, so fn may kill the bot at that exact point; a Fault
// fn returns is done to the call (HangUp or Stall before it is forwarded,
// LoseAnswer after; a call already broken by Break keeps its fault).
func (p *Proxy) Hook(method string, fn func(ProxyCall) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hooks = append(p.hooks, proxyHook{method: strings.ToLower(method), fn: fn})
}

// take counts a call of method and returns the fault it is to suffer.
func (p *Proxy) take(method string) (int, Fault, []proxyHook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen[method]++
	var hooks []proxyHook
	for _, h := range p.hooks {
		if h.method == "" || h.method == method {
			hooks = append(hooks, h)
		}
	}
	for i, r := range p.rules {
		if r.method != method {
			continue
		}
		r.left--
		if r.left <= 0 {
			p.rules = append(p.rules[:i:i], p.rules[i+1:]...)
		}
		p.broken[r.fault]++
		return p.seen[method], r.fault, hooks
	}
	return p.seen[method], 0, hooks
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		hangUp(w)
		return
	}
	method := ""
	if rest, ok := strings.CutPrefix(r.URL.Path, "/bot"); ok {
		_, m, _ := strings.Cut(rest, "/")
		method = strings.ToLower(m)
	}
	name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	n, fault, hooks := p.take(method)
	p.s.bump() // a test may wait on the proxy's counts
	for _, h := range hooks {
		if f := h.fn(ProxyCall{Method: name, N: n}); f != 0 && fault == 0 && f != LoseAnswer {
			fault = p.count(f)
		}
	}
	switch fault {
	case HangUp:
		hangUp(w)
		return
	case Stall:
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
		hangUp(w)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.s.URL+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		hangUp(w)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		hangUp(w)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, h := range hooks {
		if f := h.fn(ProxyCall{Method: name, N: n, Handled: true}); f == LoseAnswer && fault == 0 {
			fault = p.count(f)
		}
	}
	if err != nil || fault == LoseAnswer {
		hangUp(w)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// count records a fault a hook asked for and returns it.
func (p *Proxy) count(f Fault) Fault {
	p.mu.Lock()
	p.broken[f]++
	p.mu.Unlock()
	p.s.bump()
	return f
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection
}

// bump wakes every waiter.
func (s *Server) bump() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bumpLocked()
}

// Await is WaitFor that does not fail the test: it reports whether cond
// became true before ctx is done.
func (s *Server) Await(ctx context.Context, cond func() bool) bool {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cond()
		case <-s.closed:
			return cond()
		}
	}
}

// HoldText is SendText without the update: from writes text into chat as
// usual (the message is stored, so the bot may reply to it), but the
// "message" update is returned instead of queued, with the next update_id,
// for the test to deliver itself: twice, out of order, through
// InjectUpdate or POSTed to a webhook. Privacy mode does not apply.
func (s *Server) HoldText(chat Chat, from User, text string) (msg Message, updateID int64, update []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(chat)
	s.rememberUserLocked(from)
	if cs.chat.Type == ChatPrivate {
		cs.started = true
	}
	m := &message{seq: s.nextSeqLocked(), from: from}
	s.typed(text)(m)
	s.addMessageLocked(cs, m)
	m.history = []Version{m.version(m.seq, "")}
	updateID = s.nextUpdateID
	s.nextUpdateID++
	raw, err := json.Marshal(map[string]any{"update_id": updateID, "message": s.messageWireLocked(m, true)})
	if err != nil {
		s.errorf("HoldText: can't encode the update: %v", err)
	}
	s.bumpLocked()
	return m.snapshot(), updateID, raw
}
