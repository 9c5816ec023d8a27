package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"path"
	"strconv"
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
	text    string // text, or the toast of answerCallbackQuery
	markup  string // reply_markup JSON
	queryID string // answerCallbackQuery
}

// answers are the methods that carry the bot's answer to a user.
var answers = map[string]bool{
	"sendMessage": true, "editMessageText": true, "editMessageReplyMarkup": true,
	"answerCallbackQuery": true, "sendPhoto": true, "sendDocument": true,
}

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
	if fn == nil || !answers[method] {
		f.tg.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, keep: method == "sendMessage"}
	f.tg.ServeHTTP(rec, r)
	c := call{method: method, at: at, status: rec.status}
	form := formFields(r.Header.Get("Content-Type"), body)
	c.chatID, _ = strconv.ParseInt(form["chat_id"], 10, 64)
	c.msgID, _ = strconv.Atoi(form["message_id"])
	c.text, c.markup, c.queryID = form["text"], form["reply_markup"], form["callback_query_id"]
	if rec.keep && rec.status == http.StatusOK {
		var ans struct {
			Result struct {
				MessageID int `json:"message_id"`
			} `json:"result"`
		}
		if json.Unmarshal(rec.body.Bytes(), &ans) == nil {
			c.msgID = ans.Result.MessageID
		}
	}
	fn(c)
}

// recorder passes an answer through and keeps its status (and its body,
// when keep is set).
type recorder struct {
	http.ResponseWriter
	status int
	keep   bool
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.keep {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// formFields returns the text fields of a multipart/form-data body (how
// go-telegram/bot sends every call); nil for anything else.
func formFields(contentType string, body []byte) map[string]string {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil
	}
	out := map[string]string{}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return out
		}
		if p.FileName() == "" {
			b, _ := io.ReadAll(io.LimitReader(p, 1<<16))
			out[p.FormName()] = string(b)
		}
	}
}
