package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// fakeTB lets this program own a telegramtest.Server outside a test. The
// fake only calls the methods below (the embedded nil TB is never used):
// misuse it reports is logged and counted, and a fatal one panics.
type fakeTB struct {
	testing.TB
	logf     func(format string, args ...any)
	errors   atomic.Int64
	mu       sync.Mutex
	cleanups []func()
}

func (t *fakeTB) Helper()                           {}
func (t *fakeTB) Name() string                      { return "kpiload" }
func (t *fakeTB) Logf(format string, args ...any)   { t.logf(format, args...) }
func (t *fakeTB) Errorf(format string, args ...any) { t.errors.Add(1); t.logf(format, args...) }
func (t *fakeTB) Error(args ...any)                 { t.errors.Add(1); t.logf("%s", fmt.Sprint(args...)) }
func (t *fakeTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *fakeTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }

func (t *fakeTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// cleanup runs the registered cleanups, last first.
func (t *fakeTB) cleanup() {
	t.mu.Lock()
	fs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// call is one Bot API call the bot made that answers a user: when it
// arrived and what it said.
type call struct {
	method  string
	at      time.Time // when the request reached the fake
	status  int       // the fake's HTTP status
	chatID  int64
	msgID   int    // the message sent (from the answer) or edited
	sent    bool   // a new message, msgID (the fake answered 200)
	text    string // text, or the toast of answerCallbackQuery
	markup  string // reply_markup JSON
	queryID string // answerCallbackQuery
}

// answers are the methods that carry the bot's answer to a user: true for
// those that send a new message.
var answers = map[string]bool{
	"sendMessage": true, "editMessageText": false, "editMessageReplyMarkup": false,
	"answerCallbackQuery": false, "sendPhoto": true, "sendDocument": true,
}

// buffers hold one call's body and the fake's answer to it, reused
// (bufferPool) to save the tool two allocations per answer.
type buffers struct{ body, answer bytes.Buffer }

var bufferPool = sync.Pool{New: func() any { return new(buffers) }}

// fake serves the telegramtest.Server on a listener of its own, so that it
// can see each answer as it arrives (the fake records calls, but has no
// hook to be told of them).
type fake struct {
	tg      *telegramtest.Server
	url     string
	srv     *http.Server
	conns   atomic.Int64 // TCP connections the bot opened
	webhook chan struct{}
	once    sync.Once
	mu      sync.RWMutex
	fn      func(call)
}

func startFake(tg *telegramtest.Server) (*fake, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fake{tg: tg, url: "http://" + ln.Addr().String(), webhook: make(chan struct{})}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *fake) close() { f.srv.Close() }

// observe makes fn see every answer from now on.
func (f *fake) observe(fn func(call)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn = fn
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	method := path.Base(r.URL.Path)
	if method == "setWebhook" {
		defer f.once.Do(func() { close(f.webhook) })
	}
	f.mu.RLock()
	fn := f.fn
	f.mu.RUnlock()
	sends, ok := answers[method]
	if fn == nil || !ok {
		f.tg.ServeHTTP(w, r)
		return
	}
	buf := bufferPool.Get().(*buffers)
	defer func() {
		buf.body.Reset()
		buf.answer.Reset()
		bufferPool.Put(buf)
	}()
	if _, err := buf.body.ReadFrom(r.Body); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	body := buf.body.Bytes()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	if sends {
		rec.body = &buf.answer
	}
	f.tg.ServeHTTP(rec, r)
	c := call{method: method, at: at, status: rec.status}
	readParams(&c, r.Header.Get("Content-Type"), body)
	if sends && rec.status == http.StatusOK {
		c.msgID, c.sent = sentID(buf.answer.Bytes()), true
	}
	fn(c)
}

// recorder passes an answer through and keeps its status (and its body,
// when body is set).
type recorder struct {
	http.ResponseWriter
	status int
	body   *bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.body != nil {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}
