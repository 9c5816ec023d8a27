package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A post is the request Telegram would make, on one kept-alive connection
// as long as the server keeps it, and a new one after it closes.
func TestHookConnPosts(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/hook" || r.Header.Get("Content-Type") != "application/json" ||
			r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
			http.Error(w, "bad request", http.StatusBadRequest)
		case string(body) == `{"close":true}`:
			w.Header().Set("Connection", "close")
		case string(body) != `{"update_id":1}`:
			http.Error(w, "bad body "+string(body), http.StatusTeapot)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hook := &hookConn{addr: srv.Listener.Addr().String(), path: "/hook", secret: "s3cret", timeout: time.Second}
	defer hook.close()
	ctx := context.Background()

	for i, tc := range []struct {
		body      string
		status    int
		wantConns int64
	}{
		{`{"update_id":1}`, http.StatusOK, 1},
		{`{"update_id":2}`, http.StatusTeapot, 1},
		{`{"close":true}`, http.StatusOK, 1},
		{`{"update_id":1}`, http.StatusOK, 2},
	} {
		status, err := hook.post(ctx, []byte(tc.body))
		if err != nil || status != tc.status || conns.Load() != tc.wantConns {
			t.Fatalf("post %d: status %d, %v, %d connections; want %d, nil, %d", i, status, err, conns.Load(), tc.status, tc.wantConns)
		}
	}
}

// A bot that does not answer in time, or a run that ends, fails the post
// with the kinds the report counts.
func TestHookConnTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	hook := &hookConn{addr: srv.Listener.Addr().String(), path: "/hook", timeout: 50 * time.Millisecond}
	defer hook.close()

	_, err := hook.post(context.Background(), []byte(`{}`))
	if got := transportError(err); got != "timeout" {
		t.Errorf("slow bot: %v, reported as %q", err, got)
	}
	hook.timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = hook.post(ctx, []byte(`{}`))
	if got := transportError(err); got != "canceled" || time.Since(start) > 10*time.Second {
		t.Errorf("canceled run: %v after %v, reported as %q", err, time.Since(start), got)
	}
	if _, err := hook.post(ctx, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("post after the end: %v", err)
	}
}
