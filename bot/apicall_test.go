package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/dialogs"
)

var callerUser = telegramtest.User{ID: 4242, FirstName: "Dana"}

// mustCallerBot returns a Bot that reaches the Bot API at apiURL with
// token; it is not run, only its calls are used, so it has no Handler.
func mustCallerBot(tb testing.TB, apiURL, token string) *Bot {
	tb.Helper()
	b, err := New(context.Background(), Config{Token: token, APIURL: apiURL, Log: slog.New(slog.DiscardHandler), NoReplyLimit: true}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func twoButtons() [][]dialogs.Button {
	return [][]dialogs.Button{{{Text: "Yes", Data: "v1:y"}, {Text: "No", Data: "v1:n"}}}
}

func TestCallerSendsAndEdits(t *testing.T) {
	srv := telegramtest.New(t)
	b := mustCallerBot(t, srv.URL, srv.Token())
	ctx := context.Background()
	chat := srv.PrivateChat(callerUser)
	asked := srv.SendText(chat, callerUser, "hi")
	in := dialogs.Input{ChatID: chat.ID}

	id, err := b.reply(ctx, in, dialogs.Reply{Text: "<b>Done?</b>", Buttons: twoButtons(), ReplyTo: asked.ID})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Message(chat.ID, id)
	if !ok || m.PlainText != "Done?" || m.ParseMode != "HTML" || m.ReplyTo != asked.ID {
		t.Fatalf("sent %+v", m)
	}
	if btn := m.Buttons(); len(btn) != 2 || btn[0].CallbackData != "v1:y" || btn[1].Text != "No" {
		t.Fatalf("buttons %+v", btn)
	}

	if got, err := b.reply(ctx, in, dialogs.Reply{Edit: id, Text: "<i>Saved</i>"}); err != nil || got != id {
		t.Fatalf("edit = %d, %v", got, err)
	}
	if m, _ = srv.Message(chat.ID, id); m.PlainText != "Saved" || len(m.Buttons()) != 0 {
		t.Fatalf("edited %+v", m)
	}
	if got, err := b.reply(ctx, in, dialogs.Reply{Edit: id, KeepText: true, Buttons: twoButtons()}); err != nil || got != id {
		t.Fatalf("markup edit = %d, %v", got, err)
	}
	if m, _ = srv.Message(chat.ID, id); m.PlainText != "Saved" || len(m.Buttons()) != 2 {
		t.Fatalf("markup edited %+v", m)
	}

	err = b.call.EditMessageText(ctx, &editTextRequest{ChatID: chat.ID, MessageID: id, Text: "<i>Saved</i>",
		ParseMode: models.ParseModeHTML, ReplyMarkup: markup(dialogs.Reply{Edit: id, Buttons: twoButtons()})})
	if !isNotModified(err) {
		t.Fatalf("the same edit again: %v", err)
	}
	err = b.call.EditMessageText(ctx, &editTextRequest{ChatID: chat.ID, MessageID: 999_999, Text: "x"})
	if !isEditGone(err) {
		t.Fatalf("edit of a missing message: %v", err)
	}

	id, err = b.reply(ctx, in, dialogs.Reply{Text: "Name?", ForceReply: true, Placeholder: "a name"})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ = srv.Message(chat.ID, id); m.Markup == nil || !m.Markup.ForceReply || m.Markup.InputFieldPlaceholder != "a name" {
		t.Fatalf("force reply %+v", m.Markup)
	}
}

func TestCallerAnswersCallback(t *testing.T) {
	srv := telegramtest.New(t)
	b := mustCallerBot(t, srv.URL, srv.Token())
	ctx := context.Background()
	chat := srv.PrivateChat(callerUser)
	id, err := b.reply(ctx, dialogs.Input{ChatID: chat.ID}, dialogs.Reply{Text: "Done?", Buttons: twoButtons()})
	if err != nil {
		t.Fatal(err)
	}
	query := srv.PressButton(t, chat, callerUser, id, "Yes")
	b.deliver(ctx, b.log, dialogs.Input{ChatID: chat.ID}, query, dialogs.Result{Notice: "<b>Saved</b> &amp; done"})
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || answers[0].QueryID != query || answers[0].Text != "Saved & done" {
		t.Fatalf("answers %+v", answers)
	}
	err = b.call.AnswerCallbackQuery(ctx, &answerCallbackRequest{CallbackQueryID: query})
	if err == nil || !strings.Contains(err.Error(), "query is too old") {
		t.Fatalf("second answer: %v", err)
	}
}

// Every failure gives the very error the library gives for it.
func TestCallerErrorsAreTheLibrarys(t *testing.T) {
	srv := telegramtest.New(t)
	b := mustCallerBot(t, srv.URL, srv.Token())
	ctx := context.Background()
	chat := srv.PrivateChat(callerUser)
	cases := []struct {
		name  string
		f     telegramtest.Failure
		check func(error) bool
	}{
		{"429", telegramtest.TooManyRequests(7), func(err error) bool {
			var tooMany *tg.TooManyRequestsError
			return errors.As(err, &tooMany) && tooMany.RetryAfter == 7
		}},
		{"403", telegramtest.BlockedByUser(), func(err error) bool { return errors.Is(err, tg.ErrorForbidden) }},
		{"migrated", telegramtest.GroupUpgraded(-1001234), func(err error) bool {
			var migrate *tg.MigrateError
			return errors.As(err, &migrate) && migrate.MigrateToChatID == -1001234
		}},
		{"not modified", telegramtest.BadRequest("message is not modified: specified new message content and reply markup are exactly the same"), isNotModified},
		{"edit gone", telegramtest.BadRequest("message to edit not found"), isEditGone},
		{"401", telegramtest.Failure{StatusCode: 401, Description: "Unauthorized"}, func(err error) bool { return errors.Is(err, tg.ErrorUnauthorized) }},
		{"404", telegramtest.Failure{StatusCode: 404, Description: "Not Found"}, func(err error) bool { return errors.Is(err, tg.ErrorNotFound) }},
		{"409", telegramtest.Failure{StatusCode: 409, Description: "Conflict"}, func(err error) bool { return errors.Is(err, tg.ErrorConflict) }},
		{"500", telegramtest.InternalServerError(), func(err error) bool { return err != nil && !isFinal(err) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.FailNext("sendMessage", chat.ID, c.f)
			_, want := b.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat.ID, Text: "x"})
			srv.FailNext("sendMessage", chat.ID, c.f)
			_, got := b.call.SendMessage(ctx, &sendMessageRequest{ChatID: chat.ID, Text: "x"})
			if got == nil || want == nil || got.Error() != want.Error() {
				t.Fatalf("caller: %v\nlibrary: %v", got, want)
			}
			if !c.check(got) {
				t.Fatalf("%v is not recognised", got)
			}
		})
	}
}

// A transport error names the URL without the token, and a call ends with
// its context.
func TestCallerTransportErrors(t *testing.T) {
	srv := telegramtest.New(t)
	proxy := srv.NewProxy(t)
	b := mustCallerBot(t, proxy.URL, srv.Token())
	chat := srv.PrivateChat(callerUser)
	req := &sendMessageRequest{ChatID: chat.ID, Text: "x"}

	proxy.Break("sendMessage", telegramtest.HangUp, 1)
	_, err := b.call.SendMessage(context.Background(), req)
	var netErr *url.Error
	if !errors.As(err, &netErr) || strings.Contains(err.Error(), srv.Token()) || !strings.Contains(err.Error(), "/bot***/sendMessage") {
		t.Fatalf("hang-up: %v", err)
	}

	proxy.Break("sendMessage", telegramtest.Stall, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = b.call.SendMessage(ctx, req)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), srv.Token()) {
		t.Fatalf("stall: %v", err)
	}
}

func TestCallerBoundsTheAnswer(t *testing.T) {
	huge := `{"ok":true,"result":{"message_id":1,"text":"` + strings.Repeat("x", maxAnswerBytes) + `"}}`
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"KPI","username":"KpiTestBot"}}`)
			return
		}
		if !r.URL.Query().Has("chunked") {
			w.Header().Set("Content-Length", strconv.Itoa(len(huge)))
		}
		io.WriteString(w, huge)
	}))
	defer api.Close()
	b := mustCallerBot(t, api.URL, "1:secret")
	for _, method := range []string{"sendMessage", "sendMessage?chunked=1"} {
		_, err := callAPI[sentMessage](context.Background(), b.call, method, &sendMessageRequest{ChatID: 1, Text: "x"})
		if err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%s: %v", method, err)
		}
	}
}

// sentAnswer is sendMessage's answer for a two-button message, as
// Telegram words it.
const sentAnswer = `{"ok":true,"result":{"message_id":4321,"from":{"id":7123456789,"is_bot":true,"first_name":"KPI Test Bot","username":"KpiTestBot"},` +
	`"chat":{"id":1001,"first_name":"Alice","username":"alice","type":"private"},"date":1767225600,"text":"Logged: 3 calls. Anything else?",` +
	`"entities":[{"offset":0,"length":7,"type":"bold"}],"reply_markup":{"inline_keyboard":[[{"text":"Undo","callback_data":"v1:un:12345"},` +
	`{"text":"Done","callback_data":"v1:done"}]]}}}`

// BenchmarkSendMessage sends one message with a two-button keyboard
// through go-telegram/bot and through apiCaller, on the same HTTP client,
// to a server that answers as Telegram does and does nothing else.
//
//	go test -run XXX -bench BenchmarkSendMessage -benchmem -count 3 ./bot/
func BenchmarkSendMessage(b *testing.B) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			io.WriteString(w, `{"ok":true,"result":{"id":7123456789,"is_bot":true,"first_name":"KPI","username":"KpiTestBot"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, sentAnswer)
	}))
	defer api.Close()
	bot := mustCallerBot(b, api.URL, telegramtest.DefaultToken)
	ctx := context.Background()
	r := dialogs.Reply{Text: "<b>Logged</b>: 3 calls. Anything else?", Buttons: [][]dialogs.Button{{{Text: "Undo", Data: "v1:un:12345"}, {Text: "Done", Data: "v1:done"}}}}

	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := bot.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: r.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: markup(r)})
			if err != nil || m.ID != 4321 {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("caller", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			id, err := bot.call.SendMessage(ctx, &sendMessageRequest{ChatID: 1001, Text: r.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: markup(r)})
			if err != nil || id != 4321 {
				b.Fatal(id, err)
			}
		}
	})
}
