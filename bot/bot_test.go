package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

const wait = 10 * time.Second

// handler is a bot.Handler whose behaviour a test sets in HandleFn.
type handler struct {
	HandleFn func(ctx context.Context, in dialogs.Input) (dialogs.Result, error)
}

func (h *handler) Handle(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
	return h.HandleFn(ctx, in)
}

func (h *handler) Failure(in dialogs.Input, _ kpi.Lang, _ error) dialogs.Result {
	return dialogs.Result{Replies: []dialogs.Reply{{Text: "sorry, " + in.UserName}}}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run starts a bot on tg with h and returns its log.
func run(t *testing.T, tg *telegramtest.Server, h bot.Handler) *lockedBuffer {
	t.Helper()
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bot.New(ctx, bot.Config{Token: tg.Token(), APIURL: tg.URL, Log: slog.New(slog.NewTextHandler(logs, nil)), NoReplyLimit: true}, h)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return logs
}

func echo(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
	return dialogs.Result{Replies: []dialogs.Reply{{Text: "echo " + in.Text}}}, nil
}

func TestPanicLeavesTheBotServing(t *testing.T) {
	tg := telegramtest.New(t)
	h := &handler{HandleFn: func(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
		if in.Text == "boom" {
			panic("index out of range")
		}
		return echo(ctx, in)
	}}
	logs := run(t, tg, h)
	u := telegramtest.User{ID: 9, FirstName: "Ann"}
	chat := tg.PrivateChat(u)
	tg.SendText(chat, u, "boom")
	tg.SendText(chat, u, "still there?")
	msgs := tg.WaitMessages(t, chat.ID, 2, wait)
	if msgs[0].PlainText != "sorry, Ann" || msgs[1].PlainText != "echo still there?" {
		t.Errorf("got %q, %q", msgs[0].PlainText, msgs[1].PlainText)
	}
	if !strings.Contains(logs.String(), "handler panic") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
}

// One chat's updates are handled in order, one at a time; a chat whose
// handling is slow does not hold up another chat.
func TestChatsAreOrderedAndIndependent(t *testing.T) {
	tg := telegramtest.New(t)
	release := make(chan struct{})
	var mu sync.Mutex
	active := map[int64]int{}
	h := &handler{HandleFn: func(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
		mu.Lock()
		active[in.ChatID]++
		overlap := active[in.ChatID] > 1
		mu.Unlock()
		defer func() { mu.Lock(); active[in.ChatID]--; mu.Unlock() }()
		if in.Text == "slow" {
			<-release
		}
		if overlap {
			return dialogs.Result{Replies: []dialogs.Reply{{Text: "OVERLAP"}}}, nil
		}
		return echo(ctx, in)
	}}
	run(t, tg, h)
	a, b := telegramtest.User{ID: 1, FirstName: "A"}, telegramtest.User{ID: 2, FirstName: "B"}
	chatA, chatB := tg.PrivateChat(a), tg.PrivateChat(b)
	tg.SendText(chatA, a, "slow")
	for i := 0; i < 20; i++ {
		tg.SendText(chatA, a, fmt.Sprint(i))
	}
	tg.SendText(chatB, b, "hello")
	tg.WaitMessages(t, chatB.ID, 1, wait) // B is answered while A is stuck
	if n := len(tg.Messages(chatA.ID)); n != 0 {
		t.Fatalf("chat A answered %d messages while its first was still in progress", n)
	}
	close(release)
	msgs := tg.WaitMessages(t, chatA.ID, 21, wait)
	for i, m := range msgs {
		want := "echo slow"
		if i > 0 {
			want = fmt.Sprintf("echo %d", i-1)
		}
		if m.PlainText != want {
			t.Fatalf("chat A message %d: %q, want %q", i, m.PlainText, want)
		}
	}
}

func TestReplyWaitsOutTooManyRequests(t *testing.T) {
	tg := telegramtest.New(t)
	run(t, tg, &handler{HandleFn: echo})
	u := telegramtest.User{ID: 3, FirstName: "C"}
	chat := tg.PrivateChat(u)
	tg.FailNext("sendMessage", chat.ID, telegramtest.TooManyRequests(1))
	tg.SendText(chat, u, "hi")
	msgs := tg.WaitMessages(t, chat.ID, 1, wait)
	if msgs[0].PlainText != "echo hi" {
		t.Errorf("got %q", msgs[0].PlainText)
	}
	calls := tg.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 || !calls[1].OK() {
		t.Errorf("want a 429 then a success, got %d calls", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, before retry_after (1s)", gap)
	}
}

// Buttons arrive as an inline keyboard; a reply in a group quotes the
// user's message; a ForceReply prompt is selective.
func TestRepliesCarryMarkup(t *testing.T) {
	tg := telegramtest.New(t)
	h := &handler{HandleFn: func(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
		return dialogs.Result{Replies: []dialogs.Reply{
			{Text: "<b>pick</b>", ReplyTo: in.MessageID, Buttons: [][]dialogs.Button{{{Text: "Да", Data: "1:x:y"}, {Text: "Нет", Data: "1:x:n"}}}},
			{Text: "type it", ForceReply: true, Placeholder: "12 500"},
		}}, nil
	}}
	run(t, tg, h)
	u := telegramtest.User{ID: 5, FirstName: "E"}
	g := tg.Group(-5005, "Team")
	tg.AddBotToGroup(g, u)
	msgs := tg.WaitMessages(t, g.ID, 2, wait)
	tg.SendText(g, u, "/go@"+tg.BotUsername())
	msgs = tg.WaitMessages(t, g.ID, 4, wait)
	pick, prompt := msgs[2], msgs[3]
	if pick.PlainText != "pick" || pick.ReplyTo == 0 {
		t.Errorf("pick: %+v", pick)
	}
	if btn, ok := pick.Button("Нет"); !ok || btn.CallbackData != "1:x:n" {
		t.Errorf("buttons: %+v", pick.Buttons())
	}
	if prompt.Markup == nil || !prompt.Markup.ForceReply || !prompt.Markup.Selective || prompt.Markup.InputFieldPlaceholder != "12 500" {
		t.Errorf("prompt markup: %+v", prompt.Markup)
	}
}

// Pictures and documents go out as multipart uploads, caption and all.
func TestRepliesCarryFiles(t *testing.T) {
	tg := telegramtest.New(t)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	pic := buf.Bytes()
	h := &handler{HandleFn: func(ctx context.Context, in dialogs.Input) (dialogs.Result, error) {
		return dialogs.Result{Replies: []dialogs.Reply{
			{Text: "<b>Отчёт</b>", Photo: &dialogs.File{Name: "report.png", Data: pic}},
			{Text: "entries", Document: &dialogs.File{Name: "entries.csv", Data: []byte("\ufeffdate,metric\n")}},
		}}, nil
	}}
	run(t, tg, h)
	u := telegramtest.User{ID: 6, FirstName: "F"}
	chat := tg.PrivateChat(u)
	tg.SendText(chat, u, "/report")
	msgs := tg.WaitMessages(t, chat.ID, 2, wait)
	if !bytes.Equal(msgs[0].Photo, pic) || msgs[0].PlainCaption != "Отчёт" {
		t.Errorf("photo: %d bytes, caption %q", len(msgs[0].Photo), msgs[0].PlainCaption)
	}
	if msgs[1].DocumentName != "entries.csv" || !bytes.HasPrefix(msgs[1].Document, []byte("\ufeffdate")) {
		t.Errorf("document %q: %q", msgs[1].DocumentName, msgs[1].Document)
	}
}

// With the reply pacing on, a private chat gets a burst of three replies,
// then about one a second: the fourth waits for the first to age out.
func TestRepliesArePacedPerChat(t *testing.T) {
	tg := telegramtest.New(t)
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bot.New(ctx, bot.Config{Token: tg.Token(), APIURL: tg.URL, Log: slog.New(slog.NewTextHandler(logs, nil))}, &handler{HandleFn: echo})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	u := telegramtest.User{ID: 8, FirstName: "H"}
	chat := tg.PrivateChat(u)
	for i := 0; i < 4; i++ {
		tg.SendText(chat, u, fmt.Sprint(i))
	}
	tg.WaitMessages(t, chat.ID, 4, wait)
	calls := tg.Calls("sendMessage")
	if gap := calls[3].At.Sub(calls[0].At); gap < 3*time.Second-50*time.Millisecond {
		t.Errorf("the 4th reply came %v after the 1st; want the 3 s window", gap)
	}
	if gap := calls[2].At.Sub(calls[0].At); gap > time.Second {
		t.Errorf("the burst of three took %v", gap)
	}
}
