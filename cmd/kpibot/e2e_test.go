package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/storage"
)

const wait = 10 * time.Second

// testNow is the date of the end-to-end tests: the wizard's deadlines and
// SMART checks depend on it. Tests that move testClock do not run in
// parallel.
var (
	testNow   = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	testClock = &clock{now: testNow}
)

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a bot process in the test: the same Main the binary runs.
type running struct {
	*Main
	tg   *telegramtest.Server
	logs *syncBuffer
	stop func() // as SIGTERM would; idempotent, also run when the test ends
}

// startBot runs Main against tg with the embedded store in a temporary
// DATA_DIR (or the Redis of REDIS_E2E_URL, see useE2ERedis); extra adds or
// overrides variables. When the test ends it stops the bot (as SIGTERM
// would), checks it stopped cleanly and that no log line holds the token.
func startBot(t testing.TB, tg *telegramtest.Server, extra map[string]string, ln net.Listener) *running {
	t.Helper()
	return startWrapped(t, tg, extra, ln, nil)
}

func startWrapped(t testing.TB, tg *telegramtest.Server, extra map[string]string, ln net.Listener, wrap func(bot.Handler) bot.Handler) *running {
	t.Helper()
	return startSetUp(t, tg, extra, ln, func(m *Main) { m.wrap = wrap })
}

// startSetUp is startBot with setUp run on the Main before it opens, for
// the test seams startBot leaves alone.
func startSetUp(t testing.TB, tg *telegramtest.Server, extra map[string]string, ln net.Listener, setUp func(*Main)) *running {
	t.Helper()
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": tg.Token(),
		"TELEGRAM_API_URL":   tg.URL,
		"DATA_DIR":           t.TempDir(),
		"HTTP_ADDR":          "127.0.0.1:0",
		"LOG_LEVEL":          "debug",
	}
	useE2ERedis(t, vars)
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := LoadConfig(env(vars))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	m := NewMain(cfg, logs)
	m.Listener = ln
	m.now = testClock.Now
	m.noReplyLimit = true // the fake user taps at machine speed; bot tests cover the pacing
	if setUp != nil {
		setUp(m)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatalf("open: %v\n%s", err, logs)
	}
	seq := tg.Seq()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	r := &running{Main: m, tg: tg, logs: logs}
	r.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if err := m.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			out := logs.String()
			_, secret, _ := strings.Cut(tg.Token(), ":")
			if strings.Contains(out, secret) {
				t.Errorf("the token appears in the logs")
			}
			if t.Failed() {
				t.Logf("bot logs:\n%s", out)
			}
		})
	}
	t.Cleanup(r.stop)
	// The command menus are registered before updates are taken.
	tg.WaitCall(t, "setMyCommands", func(c telegramtest.Call) bool { return c.Seq > seq }, wait)
	return r
}

// flushedFor holds the tests that have emptied the REDIS_E2E_URL Redis.
var flushedFor sync.Map

// useE2ERedis points the bot of test t at the Redis named by REDIS_E2E_URL
// (any REDIS_URL form: one node, sentinel, cluster) instead of the embedded
// store, when that variable is set. The tests reuse chat and user ids, so
// the first bot a test starts gets an empty Redis: every master is flushed;
// a later bot of the same test (a restart) keeps the data. Never point it
// at a Redis holding anything else or shared with another test binary
// running at the same time; .ci/cluster runs it alone.
func useE2ERedis(t testing.TB, vars map[string]string) {
	t.Helper()
	u := os.Getenv("REDIS_E2E_URL")
	if u == "" {
		return
	}
	vars["REDIS_URL"] = u
	if _, done := flushedFor.LoadOrStore(t, true); done {
		return
	}
	rdb, err := storage.NewClient(u)
	if err != nil {
		t.Fatalf("REDIS_E2E_URL: %v", err)
	}
	defer rdb.Close()
	ctx := context.Background()
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return node.FlushDB(ctx).Err()
		})
	} else {
		err = rdb.FlushDB(ctx).Err()
	}
	if err != nil {
		t.Fatalf("REDIS_E2E_URL: flush: %v", err)
	}
}

// clock is the conversation's clock in end-to-end tests: fixed, moved on
// by tests that need time to pass (a wizard left idle).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var (
	anna = telegramtest.User{ID: 501, FirstName: "Анна", LanguageCode: "ru"}
	john = telegramtest.User{ID: 502, FirstName: "John", LanguageCode: "en"}
	oleg = telegramtest.User{ID: 503, FirstName: "Олег"}
)

func TestStartInPrivateChatInBothLanguages(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	for _, tc := range []struct {
		user telegramtest.User
		want string
	}{
		{anna, "Здравствуйте, Анна!"},
		{john, "Hello, John!"},
		{oleg, "Здравствуйте, Олег!"}, // no language_code: Russian
	} {
		chat := tg.PrivateChat(tc.user)
		tg.SendText(chat, tc.user, "/start")
		msgs := tg.WaitMessages(t, chat.ID, 1, wait)
		if !strings.HasPrefix(msgs[0].PlainText, tc.want) {
			t.Errorf("%s: got %q, want it to start with %q", tc.user.FirstName, msgs[0].PlainText, tc.want)
		}
	}
	// The menus were registered in both languages, Russian as the fallback.
	for _, lang := range []string{"ru", "en", ""} {
		if cmds := tg.Commands(nil, lang); len(cmds) < 4 || cmds[0].Command != "start" {
			t.Errorf("commands for %q: %+v", lang, cmds)
		}
	}
	if ru, en := tg.Commands(nil, "ru"), tg.Commands(nil, "en"); len(ru) > 0 && len(en) > 0 && ru[0].Description == en[0].Description {
		t.Errorf("ru and en menus are the same: %q", ru[0].Description)
	}
}

func TestStartInGroupAddressedAndNot(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	group := tg.Supergroup(-1001234567890, "Пекарня «Колос»", false)
	tg.AddBotToGroup(group, anna)
	msgs := tg.WaitMessages(t, group.ID, 1, wait)
	if !strings.Contains(msgs[0].PlainText, "«Пекарня «Колос»»") {
		t.Errorf("greeting on being added: %q", msgs[0].PlainText)
	}

	tg.SendText(group, anna, "/start@OtherBot")
	tg.SendText(group, anna, "/start@"+tg.BotUsername())
	tg.SendText(group, john, "/help")
	msgs = tg.WaitMessages(t, group.ID, 3, wait)
	// Updates of one chat are handled in order, so once /help is answered
	// the command for the other bot has been seen and ignored.
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3 (greeting, /start@bot, /help): %+v", len(msgs), msgs)
	}
	if !strings.Contains(msgs[1].PlainText, "С возвращением, Анна") {
		t.Errorf("/start@bot answered %q", msgs[1].PlainText)
	}
	if msgs[1].ReplyTo == 0 {
		t.Error("in a group the answer should reply to the command")
	}
	// The workspace speaks Russian (the language of who added the bot).
	if !strings.Contains(msgs[2].PlainText, "/log") && !strings.Contains(msgs[2].PlainText, "Команды:") {
		t.Errorf("/help in the group: %q", msgs[2].PlainText)
	}
}

func TestStartInEnglishGroup(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	group := tg.Group(-4242, "Coffee Lab")
	tg.SendText(group, john, "/start@"+tg.BotUsername())
	msgs := tg.WaitMessages(t, group.ID, 1, wait)
	if !strings.HasPrefix(msgs[0].PlainText, "Hi everyone! I will keep the social media KPIs of “Coffee Lab”") {
		t.Errorf("group /start in English: %q", msgs[0].PlainText)
	}
	tg.SendText(group, anna, "/start") // the workspace keeps its language
	msgs = tg.WaitMessages(t, group.ID, 2, wait)
	if !strings.HasPrefix(msgs[1].PlainText, "Welcome back, Анна") {
		t.Errorf("second /start: %q", msgs[1].PlainText)
	}
}

// panicky makes the conversation panic on the text "boom".
type panicky struct{ bot.Handler }

func (p panicky) Handle(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
	if in.Text == "boom" {
		var m map[string]int
		m["x"]++ // a nil map write: a real runtime panic
	}
	return p.Handler.Handle(ctx, in)
}

func TestHandlerPanicLeavesTheBotServing(t *testing.T) {
	tg := telegramtest.New(t)
	r := startWrapped(t, tg, nil, nil, func(h bot.Handler) bot.Handler { return panicky{h} })
	chat := tg.PrivateChat(john)
	tg.SendText(chat, john, "boom")
	tg.SendText(chat, john, "/start")
	msgs := tg.WaitMessages(t, chat.ID, 2, wait)
	if !strings.HasPrefix(msgs[0].PlainText, "Something went wrong") {
		t.Errorf("after the panic: %q", msgs[0].PlainText)
	}
	if !strings.HasPrefix(msgs[1].PlainText, "Hello, John") {
		t.Errorf("next update: %q", msgs[1].PlainText)
	}
	if !strings.Contains(r.logs.String(), "handler panic") {
		t.Error("the panic was not logged")
	}
}

func TestLanguageSwitchByButton(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	chat := tg.PrivateChat(anna)
	tg.SendText(chat, anna, "/lang")
	ask := tg.WaitMessages(t, chat.ID, 1, wait)[0]
	seq := tg.Seq()
	tg.PressButton(t, chat, anna, ask.ID, "English")
	tg.WaitFor(t, wait, "the language message edited", func() bool {
		m, _ := tg.Message(chat.ID, ask.ID)
		return m.Edited()
	})
	calls := tg.CallsAfter(seq)
	if len(calls) == 0 || calls[0].Method != "answerCallbackQuery" {
		t.Errorf("the button press was not answered first: %v", methods(calls))
	}
	m, _ := tg.Message(chat.ID, ask.ID)
	if m.PlainText != "Done: I speak English now." || len(m.Buttons()) != 0 {
		t.Errorf("after the press: %q, buttons %v", m.PlainText, m.Buttons())
	}
	// The old button is now stale: pressing it again changes nothing.
	tg.PressData(chat, anna, ask.ID, "1:lang:xx")
	tg.WaitFor(t, wait, "the stale press answered", func() bool { return len(tg.CallbackAnswers()) == 2 })
	if a := tg.CallbackAnswers()[1]; a.Text != "This button is out of date." {
		t.Errorf("stale press answered %+v", a)
	}
}

func TestDuplicateUpdateIsHandledOnce(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	chat := tg.PrivateChat(anna)
	const id = 777000111
	raw := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"date":%d,"chat":{"id":%d,"type":"private","first_name":"Анна"},`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Анна","language_code":"ru"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
		id, time.Now().Unix(), chat.ID, anna.ID)
	tg.InjectUpdate(t, raw)
	tg.InjectUpdate(t, raw)
	tg.SendText(chat, anna, "/cancel")
	msgs := tg.WaitMessages(t, chat.ID, 2, wait)
	if len(msgs) != 2 || !strings.Contains(msgs[0].PlainText, "Команды:") || !strings.Contains(msgs[1].PlainText, "Отменять нечего") {
		t.Errorf("want one /help answer then the /cancel answer, got %d messages: %v", len(msgs), texts(msgs))
	}
}

func TestWebhookSecret(t *testing.T) {
	tg := telegramtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := "http://" + ln.Addr().String() + "/tg/updates"
	startBot(t, tg, map[string]string{"WEBHOOK_URL": hook, "WEBHOOK_SECRET": "s3cret_hook-token"}, ln)
	tg.WaitFor(t, wait, "the webhook registered", func() bool { return tg.Webhook().URL == hook })
	if wh := tg.Webhook(); wh.SecretToken != "s3cret_hook-token" || len(wh.AllowedUpdates) == 0 {
		t.Errorf("webhook registered as %+v: want the secret and an explicit allowed_updates", wh)
	}

	// Telegram's own delivery, with the secret, is served.
	chat := tg.PrivateChat(john)
	tg.SendText(chat, john, "/start")
	if msgs := tg.WaitMessages(t, chat.ID, 1, wait); !strings.HasPrefix(msgs[0].PlainText, "Hello, John") {
		t.Errorf("reply through the webhook: %q", msgs[0].PlainText)
	}

	update := fmt.Sprintf(`{"update_id":5550001,"message":{"message_id":90,"date":1,"chat":{"id":%d,"type":"private"},`+
		`"from":{"id":%d,"is_bot":false,"first_name":"John","language_code":"en"},"text":"/help"}}`, chat.ID, john.ID)
	for _, tc := range []struct {
		secret string
		status int
	}{
		{"", http.StatusUnauthorized},
		{"wrong", http.StatusUnauthorized},
		{"s3cret_hook-tokenX", http.StatusUnauthorized},
		{"s3cret_hook-token", http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(update))
		if tc.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tc.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("secret %q: status %d, want %d", tc.secret, resp.StatusCode, tc.status)
		}
	}
	// Only the request with the right secret was handled: one /help answer.
	msgs := tg.WaitMessages(t, chat.ID, 2, wait)
	if len(msgs) != 2 || !strings.Contains(msgs[1].PlainText, "Commands:") {
		t.Errorf("messages after the webhook calls: %v", texts(msgs))
	}
	if tg.PendingUpdates() != 0 {
		t.Errorf("%d updates were not delivered", tg.PendingUpdates())
	}
}

func TestStartFailsWithoutTelegramAndKeepsTheTokenOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	var stderr syncBuffer
	code := run(context.Background(), env(map[string]string{
		"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_API_URL": dead, "DATA_DIR": t.TempDir(), "HTTP_ADDR": "127.0.0.1:0",
	}), &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	out := stderr.String()
	if !strings.Contains(out, "start failed") || strings.Contains(out, "AAHfakeTokenForTestsOnly") {
		t.Errorf("stderr: %s", out)
	}
}

func methods(calls []telegramtest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

func texts(msgs []telegramtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.PlainText)
	}
	return out
}
