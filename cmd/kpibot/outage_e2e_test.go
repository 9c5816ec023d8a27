package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// redisServer is a redis-server child process with an append-only file in
// its own directory, stopped and started again on the same port.
type redisServer struct {
	t     *testing.T
	dir   string
	port  int
	extra []string // more redis-server arguments
	cmd   *exec.Cmd
}

// startRedisServer starts redis-server from PATH on a free loopback port,
// skipping the test when it is not installed (.ci/run installs it).
func startRedisServer(t *testing.T, extra ...string) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	rs := &redisServer{t: t, dir: t.TempDir(), port: port, extra: extra}
	rs.start()
	t.Cleanup(func() {
		if rs.cmd != nil {
			rs.cmd.Process.Kill()
			rs.cmd.Wait()
		}
	})
	return rs
}

// url is the server's address; with a password among the extra arguments
// ("--requirepass", p) it carries it.
func (rs *redisServer) url() string {
	user := ""
	if i := slices.Index(rs.extra, "--requirepass"); i >= 0 && i+1 < len(rs.extra) {
		user = ":" + rs.extra[i+1] + "@"
	}
	return fmt.Sprintf("redis://%s127.0.0.1:%d/0", user, rs.port)
}

// start runs the server and returns once it accepts connections.
func (rs *redisServer) start() {
	rs.t.Helper()
	args := append([]string{"--port", strconv.Itoa(rs.port), "--bind", "127.0.0.1",
		"--dir", rs.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"}, rs.extra...)
	cmd := exec.Command("redis-server", args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		rs.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		rs.t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- true
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			rs.t.Fatal("redis-server exited before it was ready")
		}
	case <-time.After(wait):
		rs.t.Fatal("redis-server is not ready")
	}
	rs.cmd = cmd
}

// stop shuts the server down as an operator would (the AOF is flushed).
func (rs *redisServer) stop() {
	rs.t.Helper()
	c, err := redis.ParseURL(rs.url())
	if err != nil {
		rs.t.Fatal(err)
	}
	client := redis.NewClient(c)
	client.Shutdown(context.Background()) // the connection closes: no answer to check
	client.Close()
	if err := rs.cmd.Wait(); err != nil {
		rs.t.Fatalf("redis-server: %v", err)
	}
	rs.cmd = nil
}

// TestRedisOutage stops Redis for 20 s while users write and a weekly
// report falls due: every message is told "temporarily unavailable" in its
// chat's language (both languages for a chat never seen), /readyz says not
// ready, nothing stored changes; when Redis is back the bot serves again
// without a restart and posts the missed report.
func TestRedisOutage(t *testing.T) {
	outage := 20 * time.Second
	if testing.Short() {
		outage = 3 * time.Second
	}
	rs := startRedisServer(t)
	tg := telegramtest.New(t)
	r := startSetUp(t, tg, map[string]string{"REDIS_URL": rs.url()}, nil, func(m *Main) { m.tickEvery = 50 * time.Millisecond })
	t.Cleanup(func() { testClock.Set(testNow) })

	ru := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, ru.chat)
	seedHistory(t, r, ru.chat.ID)
	ru.say("/log охват 100", "✅ Охват")
	en := &person{t: t, tg: tg, chat: tg.PrivateChat(john), user: john}
	en.say("/start", "Hello")
	byID := func(es []kpi.Entry) []kpi.Entry {
		slices.SortFunc(es, func(a, b kpi.Entry) int { return strings.Compare(a.ID, b.ID) })
		return es
	}
	before := byID(entriesOf(t, r, ru.chat.ID))
	ready := func() int {
		resp, err := http.Get("http://" + r.HTTPAddr() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := ready(); code != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d", code)
	}

	rs.stop()
	back := time.Now().Add(outage)
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d, want 503", code)
	}
	// Monday 10:05 in Moscow: the weekly report is due while Redis is down.
	testClock.Set(time.Date(2026, 11, 30, 7, 5, 0, 0, time.UTC))
	newcomer := &person{t: t, tg: tg, chat: tg.PrivateChat(oleg), user: oleg}
	newcomer.say("/start", "Storage is temporarily unavailable")
	if m, _ := tg.LastMessage(oleg.ID); !strings.Contains(m.PlainText, "Хранилище временно недоступно") {
		t.Errorf("a chat never seen is not told in both languages: %q", m.PlainText)
	}
	told := 0
	for i := 0; told == 0 || time.Now().Before(back); i++ {
		ru.say(fmt.Sprintf("/log охват %d", 5000+i), "Хранилище временно недоступно")
		en.say("/lang", "Storage is temporarily unavailable")
		told += 2
		<-time.After(time.Until(back) / 3) // spread the tries over the outage
	}
	for _, c := range tg.Calls("sendPhoto") {
		if c.Int("chat_id") == ru.chat.ID {
			t.Fatal("a report was posted while Redis was down")
		}
	}

	rs.start()
	tg.WaitFor(t, wait, "/readyz to say ready again", func() bool { return ready() == http.StatusOK })
	if after := byID(entriesOf(t, r, ru.chat.ID)); !reflect.DeepEqual(after, before) {
		t.Errorf("entries changed by the outage:\nbefore %v\nafter  %v", before, after)
	}
	tg.WaitCall(t, "sendPhoto", func(c telegramtest.Call) bool { return c.Int("chat_id") == ru.chat.ID }, 30*time.Second)
	ru.say("/log охват 5000", "✅ Охват")
	var fives int
	for _, e := range entriesOf(t, r, ru.chat.ID) {
		if e.Metric == "reach" && e.Value == 5000 {
			fives++
		}
	}
	if fives != 1 {
		t.Errorf("after the outage /log охват 5000 stored %d times, want 1", fives)
	}
	en.say("/lang", "Which language")
	if ws, err := r.store.Workspace(context.Background(), en.chat.ID); err != nil || ws.Lang != kpi.English {
		t.Errorf("the English workspace after the outage: %+v, %v", ws, err)
	}
	t.Logf("outage %v: %d messages told \"temporarily unavailable\", report posted after, entries unchanged", outage, told+1)
}

// TestRedisPasswordNeverShown runs the bot on a Redis with a password and
// takes Redis away: neither the log (connection errors included) nor
// /metrics shows the password, and a wrong password stops the start with a
// line that does not show it either.
func TestRedisPasswordNeverShown(t *testing.T) {
	const password = "Zq8vPassw0rdForRedis"
	rs := startRedisServer(t, "--requirepass", password)
	tg := telegramtest.New(t)
	r := startBot(t, tg, map[string]string{"REDIS_URL": rs.url()}, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	p.say("/start", "Здравствуйте")
	rs.stop()
	p.say("/help", "Хранилище временно недоступно")
	resp, err := http.Get("http://" + r.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.stop()
	if strings.Contains(string(metrics), password) {
		t.Error("/metrics shows the Redis password")
	}
	if logs := r.logs.String(); strings.Contains(logs, password) || !strings.Contains(logs, "storage unavailable") {
		t.Errorf("the log shows the password, or not the outage:\n%s", logs)
	}

	rs.start()
	cfg, err := LoadConfig(env(map[string]string{"TELEGRAM_BOT_TOKEN": tg.Token(), "TELEGRAM_API_URL": tg.URL,
		"REDIS_URL": strings.Replace(rs.url(), password, password+"x", 1), "HTTP_ADDR": "127.0.0.1:0"}))
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	m := NewMain(cfg, &out)
	err = m.Open(context.Background())
	m.Close()
	if err == nil || strings.Contains(err.Error()+out.String(), password) {
		t.Errorf("a wrong password: %v\n%s", err, out.String())
	}
}
