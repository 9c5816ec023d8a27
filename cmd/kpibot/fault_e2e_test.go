package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
	"github.com/kpibot/kpibot/storage/embedded"
)

// TestFaultChildProcess is the bot process of the SIGKILL tests when the
// test binary runs as their child: the same Main the binary runs, on the
// environment's configuration, with the end-to-end clock (what is due and
// what the wizard offers do not depend on the day the tests run) and
// unpaced replies. Otherwise it does nothing.
func TestFaultChildProcess(t *testing.T) {
	if os.Getenv("KPIBOT_FAULT_CHILD") != "1" {
		t.Skip("runs only as a child process")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	m := NewMain(cfg, os.Stderr)
	m.now = testClock.Now
	m.noReplyLimit = true
	if err := m.Open(ctx); err != nil {
		m.Log.Error("start failed", "err", err)
		m.Close()
		os.Exit(1)
	}
	err = m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		m.Log.Error("stopped with an error", "err", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// seeded returns a random source whose seed is logged (and taken from
// KPIBOT_FAULT_SEED when set, to replay a run).
func seeded(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KPIBOT_FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KPIBOT_FAULT_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (KPIBOT_FAULT_SEED=%d replays this run)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// killStore is where a killed bot keeps its data, opened by the test
// between two runs of the bot.
type killStore struct {
	name string
	env  map[string]string
	// open returns the store and the Redis client under it; the caller
	// closes it before the bot starts again (the embedded store is locked
	// while open).
	open func(t *testing.T) (*storage.Store, redis.UniversalClient, func())
	// chatBase makes the chat ids of a run its own on a shared Redis.
	chatBase int64
}

// killStores returns the embedded store in a temporary DATA_DIR and, when
// REDIS_TEST_URL is set, a real Redis: a redis-server of the test's own
// when one is installed (the bot's scheduler reads every workspace in its
// Redis, so a shared one would have it send other tests' reports), the
// REDIS_TEST_URL server itself otherwise.
func killStores(t *testing.T) []killStore {
	t.Helper()
	dir := t.TempDir()
	out := []killStore{{
		name: "embedded",
		env:  map[string]string{"DATA_DIR": dir, "REDIS_URL": ""},
		open: func(t *testing.T) (*storage.Store, redis.UniversalClient, func()) {
			t.Helper()
			emb, err := embedded.Open(context.Background(), dir, embedded.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatalf("open the embedded store: %v", err)
			}
			return storage.New(emb.Client()), emb.Client(), func() { emb.Close() }
		},
	}}
	if os.Getenv("REDIS_TEST_URL") == "" {
		return out
	}
	url := os.Getenv("REDIS_TEST_URL")
	base := int64(0)
	if lookPath("redis-server") {
		url = startRedisServer(t).url()
	} else {
		base = rand.Int64N(1_000_000) * 1000 // ids of this run's own on a shared server
	}
	out = append(out, killStore{
		name:     "redis",
		env:      map[string]string{"REDIS_URL": url, "DATA_DIR": t.TempDir()},
		chatBase: base,
		open: func(t *testing.T) (*storage.Store, redis.UniversalClient, func()) {
			t.Helper()
			rdb, err := storage.NewClient(url)
			if err != nil {
				t.Fatal(err)
			}
			return storage.New(rdb), rdb, func() { rdb.Close() }
		},
	})
	return out
}

// with opens the store, runs f on it and closes it.
func (ks killStore) with(t *testing.T, f func(st *storage.Store, rdb redis.UniversalClient)) {
	t.Helper()
	st, rdb, closeStore := ks.open(t)
	defer closeStore()
	f(st, rdb)
}

// seeder is a running with only a store, for the seed helpers of the
// other end-to-end tests.
func seeder(st *storage.Store) *running { return &running{Main: &Main{store: st}} }

// child is the bot as a process of its own (the test binary run again as
// TestFaultChildProcess) behind a faulty Proxy, killed with SIGKILL at the
// points the test chooses and started again on the same store.
type child struct {
	t   *testing.T
	tg  *telegramtest.Server
	px  *telegramtest.Proxy
	env []string
	out *syncBuffer

	cmd    *exec.Cmd
	exited chan struct{}

	mu     sync.Mutex
	plan   *killPlan
	calls  map[string]int // per method, lower case; "" counts every method but getUpdates
	starts int
	kills  int
}

// killPlan is a kill at the n-th call of a method (counted by the proxy),
// before Telegram sees it or after Telegram answered it.
type killPlan struct {
	method  string // lower case; "" for any method but getUpdates
	n       int
	handled bool
}

// counts reports whether the plan counts calls of method (lower case).
func (p *killPlan) counts(method string) bool {
	if p.method == "" {
		return method != "getupdates"
	}
	return p.method == method
}

func newChild(t *testing.T, tg *telegramtest.Server, ks killStore) *child {
	t.Helper()
	c := &child{t: t, tg: tg, px: tg.NewProxy(t), out: &syncBuffer{}, calls: map[string]int{}}
	vars := map[string]string{
		"KPIBOT_FAULT_CHILD": "1",
		"TELEGRAM_BOT_TOKEN": tg.Token(),
		"HTTP_ADDR":          "127.0.0.1:0",
		"LOG_LEVEL":          "debug",
		"WEBHOOK_URL":        "",
	}
	for k, v := range ks.env {
		vars[k] = v
	}
	vars["TELEGRAM_API_URL"] = c.px.URL
	for k, v := range vars {
		c.env = append(c.env, k+"="+v)
	}
	c.px.Hook("", func(pc telegramtest.ProxyCall) telegramtest.Fault {
		c.mu.Lock()
		defer c.mu.Unlock()
		m := strings.ToLower(pc.Method)
		if !pc.Handled {
			c.calls[m]++
			if m != "getupdates" {
				c.calls[""]++
			}
		}
		p := c.plan
		if p == nil || c.cmd == nil || p.handled != pc.Handled || !p.counts(m) || c.calls[p.method] != p.n {
			return 0
		}
		c.plan = nil
		c.killLocked()
		if pc.Handled {
			return telegramtest.LoseAnswer
		}
		return telegramtest.HangUp
	})
	t.Cleanup(func() {
		c.mu.Lock()
		if c.cmd != nil {
			c.killLocked()
		}
		c.mu.Unlock()
		if c.exited != nil {
			<-c.exited
		}
		out := c.out.String()
		if _, secret, _ := strings.Cut(tg.Token(), ":"); strings.Contains(out, secret) {
			t.Error("the token appears in the bot's output")
		}
		if strings.Contains(out, "WARNING: DATA RACE") {
			t.Errorf("the bot process reported a data race:\n%s", out)
		} else if t.Failed() {
			t.Logf("bot process output (last 6000 bytes):\n%s", out[max(0, len(out)-6000):])
		}
	})
	return c
}

// start runs the bot and returns once it takes updates.
func (c *child) start() {
	c.t.Helper()
	seq := c.tg.Seq()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultChildProcess$")
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	c.mu.Lock()
	c.cmd, c.exited, c.plan = cmd, exited, nil
	c.starts++
	c.mu.Unlock()
	c.tg.WaitCall(c.t, "deleteWebhook", func(call telegramtest.Call) bool { return call.Seq > seq }, wait)
}

// killAt arms a kill at the n-th call of method from now on.
func (c *child) killAt(method string, n int, handled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := strings.ToLower(method)
	c.plan = &killPlan{method: m, n: c.calls[m] + n, handled: handled}
}

// kill kills the bot with SIGKILL (unless it is dead already) and waits
// for it to be gone.
func (c *child) kill() {
	c.mu.Lock()
	if c.cmd != nil {
		c.killLocked()
	}
	exited := c.exited
	c.mu.Unlock()
	<-exited
}

// killer returns a kill of the current run only: a timer that fires late
// does not kill the next one.
func (c *child) killer() func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	cmd := c.cmd
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if cmd != nil && c.cmd == cmd {
			c.killLocked()
		}
	}
}

func (c *child) killLocked() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd, c.plan = nil, nil
	c.kills++
}

// dead reports whether the last run has ended.
func (c *child) dead() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// await waits until cond holds (true) or the bot dies or timeout passes
// (false).
func (c *child) await(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exited := c.exited
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	return c.tg.Await(ctx, cond)
}

// stop stops the bot with SIGTERM and checks it exits 0.
func (c *child) stop() {
	c.t.Helper()
	c.mu.Lock()
	cmd := c.cmd
	c.cmd = nil
	c.mu.Unlock()
	if cmd == nil {
		c.t.Fatal("stop: the bot is not running")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	<-c.exited
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		c.t.Errorf("the bot exited %d after SIGTERM", code)
	}
}

// ledger follows the /log commands a member sends into a group, each with
// a value of its own: which were answered (the bot's answers reply to
// them) and how often, and how often each value is stored.
type ledger struct {
	tg    *telegramtest.Server
	group telegramtest.Chat
	user  telegramtest.User
	mu    sync.Mutex
	value map[int]int // the /log message id -> its value
	next  int
}

func newLedger(tg *telegramtest.Server, group telegramtest.Chat, user telegramtest.User) *ledger {
	return &ledger{tg: tg, group: group, user: user, value: map[int]int{}, next: 100}
}

func (l *ledger) take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	v := l.next
	l.next++
	return v
}

func (l *ledger) note(id, v int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.value[id] = v
}

// send has the member send one /log and returns its message.
func (l *ledger) send() telegramtest.Message {
	v := l.take()
	m := l.tg.SendText(l.group, l.user, fmt.Sprintf("/log записи %d", v))
	l.note(m.ID, v)
	return m
}

// hold is send without the update: the test delivers it itself.
func (l *ledger) hold() (telegramtest.Message, []byte) {
	v := l.take()
	m, _, raw := l.tg.HoldText(l.group, l.user, fmt.Sprintf("/log записи %d", v))
	l.note(m.ID, v)
	return m, raw
}

// sent returns how many /log were sent.
func (l *ledger) sent() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.value)
}

// answers returns the number of answers of each /log answered.
func (l *ledger) answers() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for _, m := range l.tg.Messages(l.group.ID) {
		if _, ok := l.value[m.ReplyTo]; ok && strings.HasPrefix(m.PlainText, "✅") {
			out[m.ReplyTo]++
		}
	}
	return out
}

// answered reports whether the /log of message id has its answer.
func (l *ledger) answered(id int) bool { return l.answers()[id] > 0 }

// tally compares the answers with the entries stored: an answered /log
// not stored is lost; a value stored twice, or a /log answered twice, is
// a duplicate (each reported with t.Errorf).
type tally struct {
	sent, answered, silent, unanswered int // silent: stored, its answer lost
	lost, stored2, answered2           int
}

func (l *ledger) tally(t *testing.T, entries []kpi.Entry) tally {
	t.Helper()
	stored := map[int]int{}
	for _, e := range entries {
		stored[int(e.Value)]++
	}
	acks := l.answers()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out tally
	out.sent = len(l.value)
	for id, v := range l.value {
		switch {
		case acks[id] > 0 && stored[v] == 0:
			out.lost++
			t.Errorf("/log записи %d was answered but is not stored", v)
		case stored[v] > 1:
			out.stored2++
			t.Errorf("/log записи %d is stored %d times", v, stored[v])
		}
		if acks[id] > 1 {
			out.answered2++
			t.Errorf("/log записи %d was answered %d times", v, acks[id])
		}
		switch {
		case acks[id] > 0:
			out.answered++
		case stored[v] > 0:
			out.silent++
		default:
			out.unanswered++
		}
	}
	return out
}

func (x tally) String() string {
	return fmt.Sprintf("%d /log sent, %d answered, %d stored without an answer, %d neither; entries lost %d, stored twice %d, answered twice %d",
		x.sent, x.answered, x.silent, x.unanswered, x.lost, x.stored2, x.answered2)
}

// The bot is killed with SIGKILL while a member sends bursts of /log into a
// group, and started again on the same store: every /log it answered is
// stored exactly once, none is stored twice, and no /log is answered twice.
// A /log the dead process had taken from Telegram but not yet handled is
// neither stored nor answered (counted as "neither"): updates are handled
// at most once.
func TestFaultKillDuringLogBurst(t *testing.T) {
	kills := 8
	if testing.Short() {
		kills = 3
	}
	for _, ks := range killStores(t) {
		t.Run(ks.name, func(t *testing.T) {
			rng := seeded(t)
			tg := telegramtest.New(t)
			group := tg.Supergroup(-1003000000000-ks.chatBase, "Пекарня", false)
			tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)
			ks.with(t, func(st *storage.Store, _ redis.UniversalClient) { seedPlan(t, seeder(st), group) })
			c := newChild(t, tg, ks)
			l := newLedger(tg, group, oleg)
			points := map[string]int{}
			for range kills {
				c.start()
				n := 8 + rng.IntN(8)
				before := len(l.answers())
				switch k := 1 + rng.IntN(n); rng.IntN(3) {
				case 0:
					c.killAt("sendMessage", k, false)
					points["before the k-th answer reaches Telegram"]++
				case 1:
					c.killAt("sendMessage", k, true)
					points["after Telegram took the k-th answer"]++
				default:
					time.AfterFunc(time.Duration(rng.IntN(40))*time.Millisecond, c.killer())
					points["at a random moment"]++
				}
				for range n {
					l.send()
				}
				// The kill comes before every /log of the burst is answered,
				// or else it comes now.
				if !c.await(wait, func() bool { return len(l.answers()) >= before+n }) && !c.dead() {
					t.Fatal("the bot stopped answering")
				}
				c.kill()
			}
			c.start()
			last := l.send()
			// One chat's updates are handled in order: once the last /log is
			// answered, every earlier one delivered to this run was handled.
			tg.WaitFor(t, wait, "the last /log answered", func() bool { return l.answered(last.ID) })
			c.stop()

			var entries []kpi.Entry
			ks.with(t, func(st *storage.Store, _ redis.UniversalClient) { entries = entriesOf(t, seeder(st), group.ID) })
			t.Logf("%s: %d kills (%v); %v", ks.name, c.kills, points, l.tally(t, entries))
		})
	}
}

// wizardRule is what the owner does on one question of the wizard (the
// shortest run, every default kept): the question is told by a piece of
// its text, and the answer is a button or a typed text.
type wizardRule struct {
	question string
	press    string // the button to press, or
	say      string // the text to type
	toggle   string // pressed first unless already ticked ("✓ "+toggle)
}

var wizardRules = []wizardRule{
	{question: "Чего вы хотите добиться", toggle: "Рост продаж", press: "Дальше ▶"},
	{question: "Есть ли измеримая цель", press: "Пропустить ▶"},
	{question: "Сколько лет вашей аудитории", press: "Пропустить ▶"},
	{question: "Где ваша аудитория", press: "Пропустить ▶"},
	{question: "чаще всего в сети", press: "Пропустить ▶"},
	{question: "Чем интересуется аудитория", press: "Пропустить ▶"},
	{question: "Какие метрики будем считать", press: "Дальше ▶"},
	{question: "Конверсии: какое значение сейчас", say: "40"},
	{question: "Конверсии: к какому сроку", press: "Конец квартала (31.12.2026)"},
	{question: "Конверсии: сейчас 40. Какого значения", press: "Взять 44"},
	{question: "CTR: какое значение сейчас", say: "1,8"},
	{question: "CTR: к какому сроку", press: "Конец квартала (31.12.2026)"},
	{question: "CTR: сейчас 1,8\u00a0%. Какого значения", press: "Взять 2\u00a0%"},
	{question: "Откуда берутся цифры", press: "Дальше ▶"},
	{question: "В какой день присылать", press: "✓ Пн"},
	{question: "Во сколько?", press: "✓ 10:00"},
	{question: "Ваш часовой пояс", press: "✓ Москва"},
	{question: "Как часто команда будет разбирать", press: "✓ Каждую неделю"},
	{question: "Когда предупреждать об отставании", press: "✓ Отстаём на 20\u00a0%"},
	{question: "Куда присылать отчёты", press: "✓ В этот чат"},
	{question: "Напоминать команде", press: "✓ Да"},
	{question: "Проверьте план", press: "✅ Сохранить план"},
}

const (
	planSaved = "План KPI · версия 1"
	noPlan    = "Плана KPI пока нет"
)

// wizardScreen returns the newest bot message with buttons in the chat
// and the index of the rule for it (len(wizardRules) for the saved plan's
// card, -1 for anything else).
func wizardScreen(tg *telegramtest.Server, chat int64) (telegramtest.Message, int) {
	msgs := tg.Messages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if len(m.Buttons()) == 0 || m.Deleted || strings.Contains(m.PlainText, noPlan) {
			continue // the answer to /plan before the plan is saved
		}
		if strings.Contains(m.PlainText, planSaved) {
			return m, len(wizardRules)
		}
		for j, r := range wizardRules {
			if strings.Contains(m.PlainText, r.question) {
				return m, j
			}
		}
		return m, -1
	}
	return telegramtest.Message{}, -1
}

// The bot is killed with SIGKILL while its owner answers the seven-step
// wizard, at random points, and started again on the same store. After a
// restart the owner either types again the text that got no answer, or
// asks for the plan (/plan) and, when there is none yet, resumes with
// /setup. Either way the wizard goes on from the question of the owner's
// last answer or the one after it (when that answer was taken), never an
// earlier one and never a later one (a text typed again is not taken for
// a question the owner never saw), and the plan is saved once with every
// answer given.
func TestFaultKillDuringWizard(t *testing.T) {
	kills := 8
	if testing.Short() {
		kills = 3
	}
	for _, ks := range killStores(t) {
		t.Run(ks.name, func(t *testing.T) {
			rng := seeded(t)
			tg := telegramtest.New(t)
			user := telegramtest.User{ID: 601 + ks.chatBase, FirstName: "Анна", LanguageCode: "ru"}
			chat := tg.PrivateChat(user)
			c := newChild(t, tg, ks)

			actions, resumes, retyped := 0, 0, 0
			last := -1                   // the question of the owner's last answer
			said, saidAt := "", int64(0) // the owner's last typed answer, if that was the last action
			points := map[string]int{}
			// resumed checks where the wizard went on after a restart.
			resumed := func(how string) {
				t.Helper()
				scr, now := wizardScreen(tg, chat.ID)
				if now < 0 || now < last || now > last+1 {
					t.Fatalf("after a restart (%s) the wizard is at question %d (%q); the owner's last answer was to question %d",
						how, now, scr.PlainText, last)
				}
			}
			// act does one thing on the screen and waits for the next screen;
			// false when the bot died first.
			act := func(text string, button bool) bool {
				scr, _ := wizardScreen(tg, chat.ID)
				seq := tg.Seq()
				said = ""
				if button {
					tg.PressButton(t, chat, user, scr.ID, text)
				} else {
					tg.SendText(chat, user, text)
					said, saidAt = text, seq
				}
				actions++
				return c.await(wait, func() bool {
					m, _ := wizardScreen(tg, chat.ID)
					return len(m.History) > 0 && m.History[len(m.History)-1].Seq > seq
				})
			}
			done := false
			for round := 0; !done; round++ {
				c.start()
				if m, _ := wizardScreen(tg, chat.ID); round > 0 && said != "" && !strings.HasPrefix(said, "/") &&
					(len(m.History) == 0 || m.History[len(m.History)-1].Seq <= saidAt) && rng.IntN(2) == 0 {
					// The owner's text got no answer: they type it again.
					if !act(said, false) {
						t.Fatal("the bot died on a text typed again")
					}
					retyped++
					resumed("the text typed again")
				} else if round > 0 {
					// Where are we? The plan, if it was saved; otherwise the
					// wizard, resumed.
					seq := tg.Seq()
					tg.SendText(chat, user, "/plan")
					actions++
					var reply telegramtest.Message
					tg.WaitFor(t, wait, "the answer to /plan", func() bool {
						for _, m := range tg.Messages(chat.ID) {
							if m.Seq > seq && (strings.Contains(m.PlainText, planSaved) || strings.Contains(m.PlainText, noPlan)) {
								reply = m
								return true
							}
						}
						return false
					})
					if strings.Contains(reply.PlainText, planSaved) {
						c.stop()
						break // saved before the last kill
					}
					if !act("/setup", false) {
						t.Fatal("the bot died on /setup")
					}
					resumes++
					resumed("/setup")
				}
				killAfter := -1 // the action of this round after which the bot is killed
				if round < kills {
					killAfter = rng.IntN(3)
				}
				for i := 0; ; i++ {
					scr, j := wizardScreen(tg, chat.ID)
					if round == 0 && i == 0 {
						j = -2 // nothing yet: /setup starts it
					}
					if j == len(wizardRules) {
						done = true
						c.stop()
						break
					}
					// Kills after a typed answer are the ones a text typed
					// again can resume: they get a better chance.
					typed := j >= 0 && j < len(wizardRules) && wizardRules[j].say != ""
					if i == killAfter || (round < kills && typed && rng.IntN(2) == 0) {
						killAfter = i
						switch rng.IntN(3) {
						case 0:
							c.killAt("", 1+rng.IntN(2), false)
							points["before the bot's next call reaches Telegram"]++
						case 1:
							c.killAt("", 1+rng.IntN(2), true)
							points["after Telegram took the bot's next call"]++
						default:
							time.AfterFunc(time.Duration(rng.IntN(15))*time.Millisecond, c.killer())
							points["at a random moment"]++
						}
					}
					var alive bool
					last = max(j, -1)
					switch {
					case j == -2:
						alive = act("/setup", false)
					case j < 0:
						t.Fatalf("an unknown screen: %q", scr.PlainText)
					default:
						r := wizardRules[j]
						switch {
						case r.toggle != "" && !containsLabel(scr, "✓ "+r.toggle):
							alive = act(r.toggle, true)
						case r.say != "":
							alive = act(r.say, false)
						default:
							alive = act(r.press, true)
						}
					}
					if !alive {
						if !c.dead() {
							t.Fatalf("the bot did not answer on question %d", j)
						}
						c.kill()
						break
					}
				}
			}
			var plans []kpi.Plan
			ks.with(t, func(st *storage.Store, _ redis.UniversalClient) {
				var err error
				if plans, err = st.Plans(context.Background(), chat.ID); err != nil {
					t.Fatal(err)
				}
			})
			if len(plans) != 1 {
				t.Fatalf("%d plan versions saved, want 1", len(plans))
			}
			p := plans[0]
			if len(p.KPIs) != 2 || p.KPIs[0].Metric != "conversions" || p.KPIs[0].Baseline != 40 || p.KPIs[0].Target != 44 ||
				p.KPIs[1].Metric != "ctr" || p.KPIs[1].Baseline != 1.8 || p.KPIs[1].Target != 2 || p.AlertPct != 20 || p.Review != "weekly" {
				t.Errorf("the saved plan does not hold the answers given: %+v", p)
			}
			t.Logf("%s: %d updates sent, %d kills (%v), %d resumes with /setup, %d texts typed again; plan versions 1, answers intact",
				ks.name, actions, c.kills, points, resumes, retyped)
		})
	}
}

func containsLabel(m telegramtest.Message, label string) bool {
	_, ok := m.Button(label)
	return ok
}

// The bot is killed with SIGKILL during the weekly report's fan-out to
// several groups and started again on the same store. Between two runs
// every claim the dead run left is expired, as ten minutes would. No
// group gets its report twice, except where the API leaves no choice: the
// report reached Telegram but the run died before recording it (Telegram
// has no idempotent send, so the next run cannot know); such sends are
// counted apart, and any other second report fails the test. In the end
// every group has its report.
func TestFaultKillDuringReportFanOut(t *testing.T) {
	kills := 6
	if testing.Short() {
		kills = 3
	}
	const period = "2026-W48" // testNow is Friday of ISO week 48
	for _, ks := range killStores(t) {
		t.Run(ks.name, func(t *testing.T) {
			rng := seeded(t)
			tg := telegramtest.New(t)
			var groups []telegramtest.Chat
			for i := range 5 {
				groups = append(groups, tg.Supergroup(-1004000000000-ks.chatBase-int64(i), fmt.Sprintf("Кофейня %d", i+1), false))
			}
			ks.with(t, func(st *storage.Store, _ redis.UniversalClient) {
				for _, g := range groups {
					seedDueReport(t, st, g)
				}
			})
			c := newChild(t, tg, ks)
			photos := func(chat int64) int {
				n := 0
				for _, call := range tg.Calls("sendPhoto") {
					if call.ChatID == chat && call.OK() {
						n++
					}
				}
				return n
			}
			forced := map[int64]int{}  // second sends the API forces, per group
			atStart := map[int64]int{} // photos per group when the last run started
			points := map[string]int{}
			for round := 0; ; round++ {
				// Between runs: where does each group stand? Claims left by
				// the dead run expire now.
				var pending []int64
				ks.with(t, func(_ *storage.Store, rdb redis.UniversalClient) {
					for _, g := range groups {
						key := fmt.Sprintf("kpi:{%d}:delivery:weekly:%s", g.ID, period)
						v, err := rdb.Get(context.Background(), key).Result()
						if err != nil && !errors.Is(err, redis.Nil) {
							t.Fatal(err)
						}
						switch {
						case strings.HasPrefix(v, "done:"):
							if photos(g.ID) == 0 {
								t.Errorf("group %d: the report is recorded as sent but never reached Telegram", g.ID)
							}
							continue
						case strings.HasPrefix(v, "claim:"):
							if photos(g.ID) > atStart[g.ID] {
								forced[g.ID]++ // sent, not recorded: the next run sends it again
							}
							if err := rdb.Del(context.Background(), key).Err(); err != nil {
								t.Fatal(err)
							}
						case v != "":
							t.Fatalf("group %d: delivery %q", g.ID, v)
						}
						pending = append(pending, g.ID)
					}
				})
				if len(pending) == 0 {
					break
				}
				if round > kills+3 {
					t.Fatalf("%d groups still without their report after %d runs", len(pending), round)
				}
				for _, g := range groups {
					atStart[g.ID] = photos(g.ID)
				}
				sent := func() bool { // this run has sent every pending report
					for _, id := range pending {
						if photos(id) == atStart[id] {
							return false
						}
					}
					return true
				}
				c.start()
				if round < kills {
					switch k := 1 + rng.IntN(len(pending)); rng.IntN(3) {
					case 0:
						c.killAt("sendPhoto", k, false)
						points["before the k-th report reaches Telegram"]++
					case 1:
						c.killAt("sendPhoto", k, true)
						points["after Telegram took the k-th report"]++
					default:
						time.AfterFunc(time.Duration(rng.IntN(300))*time.Millisecond, c.killer())
						points["at a random moment"]++
					}
					if !c.await(30*time.Second, sent) && !c.dead() {
						t.Fatal("the reports due were not sent")
					}
					c.kill()
					continue
				}
				if !c.await(30*time.Second, sent) {
					t.Fatalf("the run after the kills did not send the reports due")
				}
				c.stop()
			}
			reports, dup, forcedN := 0, 0, 0
			for _, g := range groups {
				n := photos(g.ID)
				reports += n
				forcedN += forced[g.ID]
				if n == 0 {
					t.Errorf("group %d never got its report", g.ID)
				}
				if n > 1+forced[g.ID] {
					dup += n - 1 - forced[g.ID]
					t.Errorf("group %d got its report %d times (%d forced by the API)", g.ID, n, forced[g.ID])
				}
			}
			t.Logf("%s: %d groups, %d runs, %d kills (%v), %d reports posted: %d second sends the API forces (sent, then killed before recording), %d other duplicates, %d groups without a report",
				ks.name, len(groups), c.starts, c.kills, points, reports, forcedN, dup, 0)
		})
	}
}

// Redis, with its append-only file fsync'd on every write, is restarted
// between two updates, by SHUTDOWN and by SIGKILL in turn: every /log
// answered before a restart is stored after it, exactly once, and the
// first /log after the restart is answered by the same bot process.
func TestFaultRedisRestartWithAOF(t *testing.T) {
	cycles := 6
	if testing.Short() {
		cycles = 2
	}
	rs := startRedisServer(t)
	tg := telegramtest.New(t)
	r := startSetUp(t, tg, map[string]string{"REDIS_URL": rs.url()}, nil, nil)
	group := tg.Supergroup(-1003100000000, "Пекарня", false)
	tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)
	seedPlan(t, r, group)
	l := newLedger(tg, group, oleg)
	logOne := func() {
		t.Helper()
		m := l.send()
		tg.WaitFor(t, wait, "the /log answered", func() bool { return l.answered(m.ID) })
	}
	restarts := map[string]int{}
	for i := range cycles {
		logOne()
		logOne()
		if i%2 == 0 {
			rs.stop() // SHUTDOWN: the server flushes and exits
			restarts["SHUTDOWN"]++
		} else {
			rs.cmd.Process.Kill() // no chance to flush: what fsync always wrote is all there is
			rs.cmd.Wait()
			rs.cmd = nil
			restarts["SIGKILL"]++
		}
		rs.start()
	}
	logOne()
	x := l.tally(t, entriesOf(t, r, group.ID))
	if x.unanswered+x.silent > 0 {
		t.Errorf("%d /log were not answered", x.unanswered+x.silent)
	}
	t.Logf("Redis restarted %d times (%v) between two updates; %v", cycles, restarts, x)
}

// Telegram fails the bot's calls for a while, on sendMessage and on
// getUpdates: 500, a hang-up before the call arrives, an answer lost after
// the call was handled, a stall until the client gives up (its timeout is
// the polling timeout plus 10 s; the test polls every 2 s, so 12 s). The
// bot recovers by itself: a /log sent after the faults is answered, every
// /log is stored exactly once, none is answered twice.
//
// What the API semantics leave: replies are not retried, so a reply whose
// send failed (500, hang-up, stall) is not seen by the member although the
// entry is stored; a lost answer means the member saw the reply although
// the bot could not know. Neither makes a duplicate. A getUpdates whose
// answer is lost is asked again from the same offset: the updates come
// again and are handled once.
func TestFaultTelegramErrors(t *testing.T) {
	const n = 3 // broken calls in a row
	for _, tc := range []struct {
		method string
		fault  telegramtest.Fault // 0: a 500 answer from Telegram
		broken int
	}{
		{"sendMessage", 0, n},
		{"sendMessage", telegramtest.HangUp, n},
		{"sendMessage", telegramtest.LoseAnswer, n},
		{"sendMessage", telegramtest.Stall, 1},
		{"getUpdates", 0, n},
		{"getUpdates", telegramtest.HangUp, n},
		{"getUpdates", telegramtest.LoseAnswer, n},
		{"getUpdates", telegramtest.Stall, 1},
	} {
		name := "500"
		if tc.fault != 0 {
			name = tc.fault.String()
		}
		t.Run(tc.method+"/"+name, func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.New(t)
			px := tg.NewProxy(t)
			// The subtests run in parallel: each on an embedded store of its own.
			r := startSetUp(t, tg, map[string]string{"TELEGRAM_API_URL": px.URL, "REDIS_URL": ""}, nil,
				func(m *Main) { m.pollTimeout = 2 * time.Second })
			group := tg.Supergroup(-1003200000000, "Пекарня", false)
			tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)
			seedPlan(t, r, group)
			l := newLedger(tg, group, oleg)
			first := l.send()
			tg.WaitFor(t, wait, "the first /log answered", func() bool { return l.answered(first.ID) })

			if tc.fault == 0 {
				tg.FailNext(tc.method, 0, telegramtest.InternalServerError().Times(tc.broken))
			} else {
				px.Break(tc.method, tc.fault, tc.broken)
			}
			for range 5 {
				l.send()
			}
			tg.WaitFor(t, 2*wait, "the faults used up", func() bool { return tg.ArmedFailures() == 0 && px.Armed() == 0 })
			last := l.send()
			tg.WaitFor(t, 3*wait, "a /log after the faults answered", func() bool { return l.answered(last.ID) })
			x := l.tally(t, entriesOf(t, r, group.ID))
			unseen := 0 // replies the member never saw
			if tc.method == "sendMessage" && tc.fault != telegramtest.LoseAnswer {
				unseen = tc.broken
			}
			if x.unanswered != 0 || x.silent != unseen {
				t.Errorf("%d /log stored without an answer, %d neither stored nor answered; want %d and 0", x.silent, x.unanswered, unseen)
			}
			t.Logf("%s %s ×%d: %v", tc.method, name, tc.broken, x)
		})
	}
}

// Telegram delivers updates twice and out of order, by long polling and to
// the webhook: the same update back to back, the same update again after
// it was answered, two copies at the same instant (webhook), and update
// N+1 before update N. Each /log is answered once and stored once.
func TestFaultDuplicateAndOutOfOrderUpdates(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			tg := telegramtest.New(t)
			group := tg.Supergroup(-1003300000000, "Пекарня", false)
			tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)
			l := newLedger(tg, group, oleg)
			var deliver func(raw []byte)
			var r *running
			if mode == "polling" {
				r = startBot(t, tg, nil, nil)
				deliver = func(raw []byte) { tg.InjectUpdate(t, raw) }
			} else {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				hook := "http://" + ln.Addr().String() + "/tg"
				r = startBot(t, tg, map[string]string{"WEBHOOK_URL": hook, "WEBHOOK_SECRET": "dup_secret"}, ln)
				tg.WaitFor(t, wait, "the webhook registered", func() bool { return tg.Webhook().URL == hook })
				deliver = func(raw []byte) {
					req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(raw))
					req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "dup_secret")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("webhook answered %d", resp.StatusCode)
					}
				}
			}
			seedPlan(t, r, group)
			delivered := 0
			twice := func(raw []byte) { deliver(raw); deliver(raw); delivered += 2 }

			// The same update back to back.
			_, a := l.hold()
			twice(a)
			// The same update again once it was answered.
			mb, b := l.hold()
			deliver(b)
			delivered++
			tg.WaitFor(t, wait, "the /log answered", func() bool { return l.answered(mb.ID) })
			deliver(b)
			delivered++
			// Update N+1 before update N.
			_, c := l.hold()
			_, d := l.hold()
			deliver(d)
			deliver(c)
			delivered += 2
			if mode == "webhook" { // two copies at the same instant
				_, e := l.hold()
				var start, done sync.WaitGroup
				start.Add(1)
				for range 2 {
					done.Add(1)
					go func() { defer done.Done(); start.Wait(); deliver(e) }()
				}
				start.Done()
				done.Wait()
				delivered += 2
			}
			// One chat's updates are handled in order: once a /log sent
			// after them all is answered, they have all been handled.
			last := l.send()
			delivered++
			tg.WaitFor(t, wait, "the last /log answered", func() bool { return l.answered(last.ID) })
			x := l.tally(t, entriesOf(t, r, group.ID))
			if x.answered != x.sent {
				t.Errorf("%d of %d /log answered", x.answered, x.sent)
			}
			t.Logf("%s: %d deliveries of %d updates; %v", mode, delivered, l.sent(), x)
		})
	}
}

// The wizard's next question is lost on the way (its sendMessage hangs
// up) after the owner typed a target. The owner, who sees no answer, types
// the target again: the bot asks the question the owner never saw instead
// of taking the text as its answer (it would have been CTR's current
// value, 44 %), and the wizard goes on from there.
func TestFaultWizardQuestionLost(t *testing.T) {
	tg := telegramtest.New(t)
	px := tg.NewProxy(t)
	r := startBot(t, tg, map[string]string{"TELEGRAM_API_URL": px.URL}, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	p.say("/setup", "Шаг 1 из 7")
	p.press("Рост продаж", "✓ Рост продаж")
	p.press("Дальше ▶", "измеримая цель")
	for _, next := range []string{"Сколько лет", "Где ваша аудитория", "в сети", "интересуется", "Шаг 3 из 7"} {
		p.press("Пропустить ▶", next)
	}
	p.press("Дальше ▶", "Конверсии: какое значение")
	p.say("40", "к какому сроку")
	p.press("Конец квартала (31.12.2026)", "Какого значения")

	px.Break("sendMessage", telegramtest.HangUp, 1)
	tg.SendText(p.chat, anna, "44")
	tg.WaitFor(t, wait, "the next question lost", func() bool { return px.Armed() == 0 })
	p.say("44", "CTR: какое значение сейчас")
	p.say("1,8", "CTR: к какому сроку")
	w, _, err := r.store.Wizard(context.Background(), p.chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Plan kpi.Plan `json:"plan"`
	}
	if err := json.Unmarshal(w, &st); err != nil {
		t.Fatal(err)
	}
	if k := st.Plan.KPIs; len(k) != 2 || k[0].Target != 44 || k[1].Baseline != 1.8 {
		t.Errorf("the wizard's KPIs after the lost question: %+v", k)
	}
}

// The bot is stopped with SIGTERM (a deploy) while Telegram is slow to
// answer the weekly report it has just posted: the bot waits for the
// answer and records the report as sent before it exits, so the next run
// does not post it again once the claim has expired.
func TestFaultSIGTERMWhileAReportIsAnswered(t *testing.T) {
	ks := killStores(t)[0]
	tg := telegramtest.New(t)
	group := tg.Supergroup(-1004100000000, "Кофейня", false)
	ks.with(t, func(st *storage.Store, _ redis.UniversalClient) {
		seedDueReport(t, st, group)
	})
	c := newChild(t, tg, ks)
	c.px.Hook("sendPhoto", func(pc telegramtest.ProxyCall) telegramtest.Fault {
		if !pc.Handled {
			return 0
		}
		c.mu.Lock()
		c.cmd.Process.Signal(syscall.SIGTERM)
		exited := c.exited
		c.mu.Unlock()
		// Telegram is slow: the answer comes in a second, unless the bot
		// has gone by then.
		select {
		case <-exited:
		case <-time.After(time.Second):
		}
		return 0
	})
	c.start()
	<-c.exited
	c.mu.Lock()
	cmd := c.cmd
	c.cmd = nil
	c.mu.Unlock()
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	if n := len(tg.Calls("sendPhoto")); n != 1 {
		t.Fatalf("%d reports posted, want 1", n)
	}
	ks.with(t, func(_ *storage.Store, rdb redis.UniversalClient) {
		v, _ := rdb.Get(context.Background(), fmt.Sprintf("kpi:{%d}:delivery:weekly:2026-W48", group.ID)).Result()
		if !strings.HasPrefix(v, "done:") {
			t.Errorf("after the stop the posted report is recorded as %q, not done: it would be posted again once the claim expires", v)
		}
	})
}

// seedDueReport gives group a plan, twelve weeks of history and a weekly
// report on Fridays at 11:00 in Moscow: due an hour before testNow.
func seedDueReport(t *testing.T, st *storage.Store, group telegramtest.Chat) {
	t.Helper()
	seedPlan(t, seeder(st), group)
	seedHistory(t, seeder(st), group.ID)
	ws, err := st.Workspace(context.Background(), group.ID)
	if err != nil {
		t.Fatal(err)
	}
	ws.ReportDay, ws.ReportHour, ws.ReportMinute, ws.Reminders = time.Friday, 11, 0, false
	if err := st.SaveWorkspace(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
}
