package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

const wait = 5 * time.Second

var (
	alice = telegramtest.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "ru"}
	bob   = telegramtest.User{ID: 1002, FirstName: "Bob", LanguageCode: "en"}
)

// newBot returns a go-telegram/bot client of srv (getMe included).
func newBot(t *testing.T, srv *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(srv.URL),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// startPolling runs b.Start until the test ends.
func startPolling(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// apiCall posts to the fake without the library and decodes the answer.
func apiCall(t *testing.T, srv *telegramtest.Server, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	var resp *http.Response
	var err error
	if body == "" && contentType == "" {
		resp, err = http.Get(srv.URL + path)
	} else {
		resp, err = http.Post(srv.URL+path, contentType, strings.NewReader(body))
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: decoding the answer: %v", path, err)
	}
	return resp.StatusCode, out
}

// poll takes the queued updates with a short getUpdates, confirming offset.
func poll(t *testing.T, srv *telegramtest.Server, offset int64) []models.Update {
	t.Helper()
	q := url.Values{"timeout": {"0"}}
	if offset != 0 {
		q.Set("offset", strconv.FormatInt(offset, 10))
	}
	resp, err := http.Get(srv.URL + "/bot" + srv.Token() + "/getUpdates?" + q.Encode())
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		OK     bool            `json:"ok"`
		Result []models.Update `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
		t.Fatalf("getUpdates: ok=%v err=%v", out.OK, err)
	}
	return out.Result
}

func inlineKeyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestGetMeAndRouting(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != srv.BotID() || me.Username != telegramtest.DefaultBotUsername || !me.IsBot || me.CanReadAllGroupMessages {
		t.Fatalf("getMe = %+v", me)
	}

	status, body := apiCall(t, srv, "/bot123:nope/getMe", "", "")
	if status != 401 || body["ok"] != false || body["error_code"] != 401.0 || body["description"] != "Unauthorized" {
		t.Fatalf("wrong token: %d %v", status, body)
	}
	status, body = apiCall(t, srv, "/bot"+srv.Token()+"/sendTelepathy", "", "")
	if status != 404 || body["description"] != "Not Found" {
		t.Fatalf("unknown method: %d %v", status, body)
	}
	status, body = apiCall(t, srv, "/bot"+srv.Token()+"/GETME", "", "")
	if status != 200 || body["ok"] != true {
		t.Fatalf("method names ignore case: %d %v", status, body)
	}
}

func TestSendMessageInlineKeyboardRoundTrip(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	chat := srv.PrivateChat(alice)
	other := srv.PrivateChat(bob)
	ctx := context.Background()

	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID:    chat.ID,
		Text:      "<b>План</b> на &lt;май&gt;  ",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: inlineKeyboard(
			[]models.InlineKeyboardButton{{Text: "Да", CallbackData: "plan:yes"}, {Text: "Нет", CallbackData: "plan:no"}},
			[]models.InlineKeyboardButton{{Text: "Сайт", URL: "https://example.com/kpi"}},
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ID != 1 || sent.Chat.ID != chat.ID || sent.From == nil || sent.From.ID != srv.BotID() {
		t.Fatalf("sent = %+v", sent)
	}
	if sent.Text != "План на <май>" {
		t.Fatalf("Telegram answers the parsed, trimmed text, got %q", sent.Text)
	}
	if len(sent.Entities) != 1 || sent.Entities[0].Type != models.MessageEntityTypeBold || sent.Entities[0].Length != 4 {
		t.Fatalf("entities = %+v", sent.Entities)
	}
	if sent.ReplyMarkup == nil || sent.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "plan:no" ||
		sent.ReplyMarkup.InlineKeyboard[1][0].URL != "https://example.com/kpi" {
		t.Fatalf("reply_markup = %+v", sent.ReplyMarkup)
	}

	msgs := srv.WaitMessages(t, chat.ID, 1, wait)
	m := msgs[0]
	if m.Text != "<b>План</b> на &lt;май&gt;  " || m.PlainText != "План на <май>" || m.ParseMode != "HTML" {
		t.Fatalf("stored %q / %q / %q", m.Text, m.PlainText, m.ParseMode)
	}
	if btn, ok := m.Button("Нет"); !ok || btn.CallbackData != "plan:no" {
		t.Fatalf("button = %+v %v", btn, ok)
	}
	if len(m.Markup.InlineKeyboard) != 2 || m.Markup.InlineKeyboard[1][0].URL != "https://example.com/kpi" {
		t.Fatalf("markup = %+v", m.Markup)
	}

	// Message ids are per chat.
	second, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "two"})
	if err != nil || second.ID != 2 {
		t.Fatalf("second = %v, %v", second, err)
	}
	elsewhere, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: other.ID, Text: "one"})
	if err != nil || elsewhere.ID != 1 {
		t.Fatalf("other chat = %v, %v", elsewhere, err)
	}

	// A reply carries the whole replied message; force_reply is recorded.
	reply, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: chat.ID, Text: "Сколько звонков?",
		ReplyParameters: &models.ReplyParameters{MessageID: 1},
		ReplyMarkup:     &models.ForceReply{ForceReply: true, Selective: true, InputFieldPlaceholder: "число"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if reply.ReplyToMessage == nil || reply.ReplyToMessage.ID != 1 || reply.ReplyToMessage.Text != "План на <май>" {
		t.Fatalf("reply_to_message = %+v", reply.ReplyToMessage)
	}
	stored, _ := srv.Message(chat.ID, reply.ID)
	if stored.ReplyTo != 1 || stored.Markup == nil || !stored.Markup.ForceReply || !stored.Markup.Selective ||
		stored.Markup.InputFieldPlaceholder != "число" {
		t.Fatalf("stored reply = %+v markup %+v", stored, stored.Markup)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 4 || calls[0].ChatID != chat.ID || calls[0].Param("parse_mode") != "HTML" {
		t.Fatalf("calls = %+v", calls)
	}
	var kb models.InlineKeyboardMarkup
	if err := calls[0].JSON("reply_markup", &kb); err != nil || kb.InlineKeyboard[0][0].Text != "Да" {
		t.Fatalf("recorded reply_markup = %+v, %v", kb, err)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSendPhotoAndDocumentStoreBytes(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	chat := srv.PrivateChat(alice)
	ctx := context.Background()
	pic := tinyPNG(t)

	sent, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID:  chat.ID,
		Photo:   &models.InputFileUpload{Filename: "chart.png", Data: bytes.NewReader(pic)},
		Caption: "<i>Неделя</i>", ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Photo) == 0 || sent.Photo[0].Width != 3 || sent.Photo[0].Height != 2 || sent.Caption != "Неделя" {
		t.Fatalf("sent photo = %+v caption %q", sent.Photo, sent.Caption)
	}
	m := srv.WaitMessages(t, chat.ID, 1, wait)[0]
	if !bytes.Equal(m.Photo, pic) {
		t.Fatalf("stored %d bytes, sent %d", len(m.Photo), len(pic))
	}
	img, err := png.Decode(bytes.NewReader(m.Photo))
	if err != nil || img.Bounds().Dx() != 3 {
		t.Fatalf("stored photo does not decode as the PNG: %v", err)
	}

	// The file_id can be sent again.
	again, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat.ID, Photo: &models.InputFileString{Data: sent.Photo[0].FileID}})
	if err != nil {
		t.Fatal(err)
	}
	if m2, _ := srv.Message(chat.ID, again.ID); !bytes.Equal(m2.Photo, pic) || m2.PhotoFileID != sent.Photo[0].FileID {
		t.Fatalf("resent photo = %d bytes, %q", len(m2.Photo), m2.PhotoFileID)
	}
	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat.ID, Photo: &models.InputFileString{Data: "no-such-file"}})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "wrong file identifier/HTTP URL specified") {
		t.Fatalf("unknown file_id: %v", err)
	}
	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not an image")}})
	if err == nil || !strings.Contains(err.Error(), "IMAGE_PROCESS_FAILED") {
		t.Fatalf("non-image photo: %v", err)
	}

	csv := "week,calls\n1,10\n"
	doc, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID: chat.ID, Document: &models.InputFileUpload{Filename: "report.csv", Data: strings.NewReader(csv)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document == nil || doc.Document.FileName != "report.csv" || doc.Document.MimeType != "text/csv" || doc.Document.FileSize != int64(len(csv)) {
		t.Fatalf("document = %+v", doc.Document)
	}
	stored, _ := srv.Message(chat.ID, doc.ID)
	if string(stored.Document) != csv || stored.DocumentName != "report.csv" {
		t.Fatalf("stored document %q %q", stored.Document, stored.DocumentName)
	}
	call := srv.Calls("sendDocument")[0]
	if call.Files["document"].FileName != "report.csv" || call.Files["document"].Size != len(csv) {
		t.Fatalf("recorded files = %+v", call.Files)
	}

	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: chat.ID, Photo: &models.InputFileString{Data: sent.Photo[0].FileID}, Caption: strings.Repeat("я", 1025),
	})
	if err == nil || !strings.Contains(err.Error(), "Bad Request: message caption is too long") {
		t.Fatalf("1025-unit caption: %v", err)
	}
}

func TestLongPollingDeliversUserMessages(t *testing.T) {
	srv := telegramtest.New(t)
	got := make(chan *models.Update, 8)
	b := newBot(t, srv, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		got <- u
		if u.Message != nil {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "pong"})
		}
	}))
	startPolling(t, b)
	chat := srv.PrivateChat(alice)

	// The poll blocks until something happens.
	srv.WaitFor(t, wait, "a waiting long poll", func() bool {
		for _, c := range srv.Calls("getUpdates") {
			if c.Status == 0 && c.Int("timeout") > 0 {
				return true
			}
		}
		return false
	})
	sentSeq := srv.SendText(chat, alice, "/start@"+srv.BotUsername()+" go").Seq

	var u *models.Update
	select {
	case u = <-got:
	case <-time.After(wait):
		t.Fatal("no update")
	}
	if u.Message == nil || u.Message.Text != "/start@KpiTestBot go" || u.Message.From.ID != alice.ID || u.Message.Chat.Type != "private" {
		t.Fatalf("update = %+v", u.Message)
	}
	if e := u.Message.Entities; len(e) != 1 || e[0].Type != models.MessageEntityTypeBotCommand || e[0].Offset != 0 || e[0].Length != len("/start@KpiTestBot") {
		t.Fatalf("entities = %+v", e)
	}
	if u.ID <= 0 {
		t.Fatalf("update_id = %d", u.ID)
	}
	msgs := srv.WaitMessages(t, chat.ID, 1, wait)
	if msgs[0].Text != "pong" || msgs[0].ID != 2 {
		t.Fatalf("bot answered %+v (user message is #1, so the answer is #2)", msgs[0])
	}
	if after := srv.CallsAfter(sentSeq); len(after) == 0 || after[0].Method != "sendMessage" {
		t.Fatalf("calls after the message = %+v", after)
	}
	srv.WaitDelivered(t, wait) // the next poll's offset confirmed it

	// A reply arrives with the whole replied message.
	srv.SendReply(chat, alice, "12", msgs[0].ID)
	select {
	case u = <-got:
	case <-time.After(wait):
		t.Fatal("no reply update")
	}
	if r := u.Message.ReplyToMessage; r == nil || r.ID != msgs[0].ID || r.Text != "pong" || r.From.ID != srv.BotID() {
		t.Fatalf("reply_to_message = %+v", r)
	}
}

func TestGetUpdatesOffsetTimeoutAndConflicts(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithFirstUpdateID(500))
	chat := srv.PrivateChat(alice)
	srv.SendText(chat, alice, "one")
	srv.SendText(chat, alice, "two")
	ups := poll(t, srv, 0)
	if len(ups) != 2 || ups[0].ID != 500 || ups[1].ID != 501 || ups[1].Message.Text != "two" {
		t.Fatalf("updates = %+v", ups)
	}
	if again := poll(t, srv, 0); len(again) != 2 {
		t.Fatalf("unconfirmed updates come again, got %d", len(again))
	}
	if rest := poll(t, srv, 501); len(rest) != 1 || rest[0].ID != 501 {
		t.Fatalf("offset 501 = %+v", rest)
	}
	if none := poll(t, srv, 502); len(none) != 0 {
		t.Fatalf("offset 502 = %+v", none)
	}

	// A long poll ends at its timeout with an empty list.
	start := time.Now()
	status, body := apiCall(t, srv, "/bot"+srv.Token()+"/getUpdates", "application/json", `{"offset":502,"timeout":1}`)
	if status != 200 || len(body["result"].([]any)) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("timeout poll: %d %v after %v", status, body, time.Since(start))
	}

	// A second poller terminates the first.
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/bot" + srv.Token() + "/getUpdates?timeout=30&offset=502")
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	srv.WaitFor(t, wait, "the first poll", func() bool {
		calls := srv.Calls("getUpdates")
		return calls[len(calls)-1].Status == 0
	})
	poll(t, srv, 502)
	if code := <-first; code != http.StatusConflict {
		t.Fatalf("first poller got %d", code)
	}

	// While a webhook is set getUpdates is refused.
	b := newBot(t, srv)
	if _, err := b.SetWebhook(context.Background(), &bot.SetWebhookParams{URL: "http://127.0.0.1:1/hook"}); err != nil {
		t.Fatal(err)
	}
	status, body = apiCall(t, srv, "/bot"+srv.Token()+"/getUpdates", "", "")
	if status != 409 || body["description"] != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Fatalf("getUpdates with a webhook: %d %v", status, body)
	}
}

func TestTooManyRequestsSurfacesRetryAfter(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	chat := srv.PrivateChat(alice)
	ctx := context.Background()

	srv.FailNext("sendMessage", chat.ID, telegramtest.TooManyRequests(7).Times(2))
	for i := 0; i < 2; i++ {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "hi"})
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "hi"}); err != nil {
		t.Fatalf("third attempt: %v", err)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[2].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
	if msgs := srv.Messages(chat.ID); len(msgs) != 1 || msgs[0].ID != 1 {
		t.Fatalf("failed calls must not store messages: %+v", msgs)
	}

	// A failure for another chat does not fire here.
	srv.FailNext("", 999, telegramtest.InternalServerError())
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if srv.ArmedFailures() != 1 {
		t.Fatalf("armed = %d", srv.ArmedFailures())
	}
}

func TestMigrationSurfacesMigrateError(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	group := srv.Group(-4001, "Продажи")
	srv.SetMemberStatus(group.ID, alice.ID, telegramtest.StatusCreator)

	srv.FailNext("sendMessage", 0, telegramtest.GroupUpgraded(-1009))
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "x"})
	var mig *bot.MigrateError
	if !errors.As(err, &mig) || mig.MigrateToChatID != -1009 {
		t.Fatalf("armed migration: %v", err)
	}

	super := srv.MigrateChat(group.ID, -1001234567890)
	if super.Type != telegramtest.ChatSupergroup || super.Title != "Продажи" {
		t.Fatalf("new chat = %+v", super)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "x"})
	if !errors.As(err, &mig) || mig.MigrateToChatID != -1001234567890 || !strings.Contains(err.Error(), "group chat was upgraded to a supergroup chat") {
		t.Fatalf("send to the old id: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: super.ID, Text: "x"}); err != nil {
		t.Fatalf("send to the new id: %v", err)
	}
	member, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: super.ID, UserID: alice.ID})
	if err != nil || member.Type != models.ChatMemberTypeOwner {
		t.Fatalf("members move along: %+v %v", member, err)
	}

	ups := poll(t, srv, 0)
	if len(ups) != 2 || ups[0].Message.Chat.ID != group.ID || ups[0].Message.MigrateToChatID != super.ID ||
		ups[1].Message.Chat.ID != super.ID || ups[1].Message.MigrateFromChatID != group.ID || ups[1].Message.Chat.Type != "supergroup" {
		t.Fatalf("service messages = %+v", ups)
	}
}

func TestForbiddenSurfacesErrorForbidden(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	group := srv.Supergroup(-1005, "Отдел", false)

	srv.BlockChat(chat.ID)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("blocked: %v", err)
	}
	srv.UnblockChat(chat.ID)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "hi"}); err != nil {
		t.Fatal(err)
	}

	srv.FailNext("sendMessage", group.ID, telegramtest.KickedFromGroup())
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was kicked from the group chat") {
		t.Fatalf("armed kick: %v", err)
	}

	srv.RemoveBotFromGroup(group, alice)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was kicked from the supergroup chat") {
		t.Fatalf("removed: %v", err)
	}

	// A user the bot knows but who never opened a private chat.
	srv.SendText(srv.Group(-7, "g"), bob, "/start")
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: bob.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot can't initiate conversation with a user") {
		t.Fatalf("never started: %v", err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 424242, Text: "hi"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "Bad Request: chat not found") {
		t.Fatalf("unknown chat: %v", err)
	}

	srv.UserBlocksBot(alice)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("user blocked the bot: %v", err)
	}
}

func TestEditsAndNotModified(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	kb := inlineKeyboard([]models.InlineKeyboardButton{{Text: "OK", CallbackData: "ok"}})

	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "<b>Шаг 1</b>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: sent.ID, Text: "<b>Шаг 1</b>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message") {
		t.Fatalf("identical edit: %v", err)
	}
	// The same text without reply_markup removes the keyboard: modified.
	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: sent.ID, Text: "<b>Шаг 1</b>", ParseMode: models.ParseModeHTML})
	if err != nil || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edit without markup: %+v %v", edited, err)
	}
	// An empty inline keyboard is no keyboard.
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: chat.ID, MessageID: sent.ID, ReplyMarkup: inlineKeyboard()})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("empty keyboard on a message without one: %v", err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: chat.ID, MessageID: sent.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	m, _ := srv.Message(chat.ID, sent.ID)
	if len(m.History) != 3 || m.History[1].Method != "editMessageText" || m.History[1].Markup != nil || m.Markup == nil {
		t.Fatalf("history = %+v", m.History)
	}

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: 77, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "Bad Request: message to edit not found") {
		t.Fatalf("edit of a missing message: %v", err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chat.ID, MessageID: sent.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chat.ID, MessageID: sent.ID})
	if err == nil || !strings.Contains(err.Error(), "Bad Request: message to delete not found") {
		t.Fatalf("second delete: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: sent.ID, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("edit of a deleted message: %v", err)
	}
	if m, _ := srv.Message(chat.ID, sent.ID); !m.Deleted {
		t.Fatal("the message is not marked deleted")
	}
}

func TestTextValidation(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	send := func(text string, mode models.ParseMode) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: text, ParseMode: mode})
		return err
	}
	cases := []struct {
		text string
		mode models.ParseMode
		want string // "" for success
	}{
		{"", "", "Bad Request: message text is empty"},
		{"  \n ", "", "Bad Request: message text is empty"},
		{"<b></b>", models.ParseModeHTML, "Bad Request: text must be non-empty"},
		{strings.Repeat("я", 4096), "", ""},
		{strings.Repeat("я", 4097), "", "Bad Request: message is too long"},
		{strings.Repeat("😀", 2048), "", ""}, // 4096 UTF-16 units
		{strings.Repeat("😀", 2049), "", "Bad Request: message is too long"},
		{"<b>" + strings.Repeat("a", 4096) + "</b>", models.ParseModeHTML, ""}, // tags do not count
		{"a<br>b", models.ParseModeHTML, `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`},
		{"1 < 2", models.ParseModeHTML, `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"<b>x", models.ParseModeHTML, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"<b>x</i>", models.ParseModeHTML, `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"x</b>", models.ParseModeHTML, `Bad Request: can't parse entities: Unexpected end tag at byte offset 1`},
		{"a &amp; b &unknown; <a href=\"https://x.org\">y</a>", models.ParseModeHTML, ""},
		{"Итого: 5.", models.ParseModeMarkdownV1, ""},
		{"Итого: 5.", "MarkdownV2", `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{`Итого: *5*\.`, "MarkdownV2", ""},
		{"*bold", "MarkdownV2", "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"},
		{"x", "html5", "Bad Request: unsupported parse_mode"},
	}
	for _, c := range cases {
		err := send(c.text, c.mode)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%.20q (%s): %v", c.text, c.mode, err)
		case c.want != "" && (err == nil || !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), c.want)):
			t.Errorf("%.20q (%s): got %v, want %q", c.text, c.mode, err, c.want)
		}
	}
}

func TestCallbackDataLimits(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	send := func(btn models.InlineKeyboardButton) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "x", ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{btn})})
		return err
	}
	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("d", 64)}); err != nil {
		t.Fatalf("64 bytes: %v", err)
	}
	err := send(models.InlineKeyboardButton{Text: "long", CallbackData: strings.Repeat("d", 65)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "Bad Request: BUTTON_DATA_INVALID") {
		t.Fatalf("65 bytes: %v", err)
	}
	err = send(models.InlineKeyboardButton{Text: "кириллица", CallbackData: strings.Repeat("ы", 33)}) // 66 bytes
	if err == nil || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Fatalf("33 Cyrillic letters: %v", err)
	}
	err = send(models.InlineKeyboardButton{Text: "no action"}) // go-telegram omits the empty callback_data
	if err == nil || !strings.Contains(err.Error(), "Text buttons are unallowed in the inline keyboard") {
		t.Fatalf("text button: %v", err)
	}
	status, body := apiCall(t, srv, "/bot"+srv.Token()+"/sendMessage", "application/json",
		`{"chat_id":1001,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":""}]]}}`)
	if status != 400 || body["description"] != "Bad Request: BUTTON_DATA_INVALID" {
		t.Fatalf("empty callback_data: %d %v", status, body)
	}
	err = send(models.InlineKeyboardButton{Text: "local", URL: "http://localhost:8080/x"})
	if err == nil || !strings.Contains(err.Error(), "is invalid: Wrong HTTP URL") {
		t.Fatalf("localhost URL: %v", err)
	}
}

func TestButtonPressAndAnswer(t *testing.T) {
	srv := telegramtest.New(t)
	got := make(chan *models.Update, 4)
	b := newBot(t, srv, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil {
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "принято"})
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: u.CallbackQuery.Message.Message.Chat.ID, MessageID: u.CallbackQuery.Message.Message.ID, Text: "выбрано: " + u.CallbackQuery.Data,
			})
		}
		got <- u
	}))
	startPolling(t, b)
	group := srv.Supergroup(-1001, "Отдел продаж", true)
	sent, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: group.ID, MessageThreadID: 3, Text: "Выберите",
		ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Звонки", CallbackData: "m:calls"}}),
	})
	if err != nil || sent.MessageThreadID != 3 || !sent.IsTopicMessage {
		t.Fatalf("sent = %+v, %v", sent, err)
	}

	before := srv.Seq()
	qid := srv.PressButton(t, group, alice, sent.ID, "Звонки")
	u := <-got
	cq := u.CallbackQuery
	if cq == nil || cq.ID != qid || cq.Data != "m:calls" || cq.From.ID != alice.ID || cq.ChatInstance == "" ||
		cq.Message.Message == nil || cq.Message.Message.ID != sent.ID || cq.Message.Message.Text != "Выберите" {
		t.Fatalf("callback_query = %+v", cq)
	}
	srv.WaitCall(t, "editMessageText", nil, wait)
	after := srv.CallsAfter(before)
	if after[0].Method != "answerCallbackQuery" || !after[0].OK() {
		t.Fatalf("first call after the press = %+v", after[0])
	}
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || answers[0].QueryID != qid || answers[0].Text != "принято" || answers[0].PressSeq <= before || answers[0].Seq <= answers[0].PressSeq {
		t.Fatalf("answers = %+v", answers)
	}
	if m, _ := srv.Message(group.ID, sent.ID); m.Text != "выбрано: m:calls" || m.Markup != nil {
		t.Fatalf("edited message = %+v", m)
	}

	// Answering twice, or an unknown id, is refused.
	_, err = b.AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: qid})
	if err == nil || !strings.Contains(err.Error(), "query is too old and response timeout expired or query ID is invalid") {
		t.Fatalf("second answer: %v", err)
	}

	// A stale press on a deleted message comes as an inaccessible message.
	_, _ = b.DeleteMessage(context.Background(), &bot.DeleteMessageParams{ChatID: group.ID, MessageID: sent.ID})
	srv.PressData(group, alice, sent.ID, "m:calls")
	u = <-got
	if u.CallbackQuery.Message.Type != models.MaybeInaccessibleMessageTypeInaccessibleMessage || u.CallbackQuery.Message.InaccessibleMessage.MessageID != sent.ID {
		t.Fatalf("stale press = %+v", u.CallbackQuery.Message)
	}
}

func TestWebhookDeliveryWithSecret(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithWebhookRetries(3, time.Millisecond))
	var (
		mu      sync.Mutex
		secrets []string
		bodies  []models.Update
		fail    = 1 // the first request fails
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u models.Update
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		bodies = append(bodies, u)
	}))
	defer hook.Close()

	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	srv.SendText(chat, alice, "queued before the webhook")
	ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret_-X", AllowedUpdates: []string{"message", "callback_query"}})
	if err != nil || !ok {
		t.Fatalf("setWebhook = %v, %v", ok, err)
	}
	srv.SendText(chat, alice, "after")
	srv.WaitDelivered(t, wait)

	mu.Lock()
	if len(bodies) != 2 || bodies[0].Message.Text != "queued before the webhook" || bodies[1].Message.Text != "after" ||
		secrets[0] != "s3cret_-X" || secrets[1] != "s3cret_-X" || bodies[0].ID >= bodies[1].ID {
		t.Fatalf("webhook got %+v with secrets %q", bodies, secrets)
	}
	mu.Unlock()
	ds := srv.WebhookDeliveries()
	if len(ds) != 3 || ds[0].StatusCode != 500 || ds[1].StatusCode != 200 || ds[1].Attempt != 2 || ds[0].UpdateID != ds[1].UpdateID || ds[2].StatusCode != 200 {
		t.Fatalf("deliveries = %+v", ds)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || info.PendingUpdateCount != 0 || len(info.AllowedUpdates) != 2 {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
	if w := srv.Webhook(); w.SecretToken != "s3cret_-X" || w.URL != hook.URL {
		t.Fatalf("recorded webhook = %+v", w)
	}

	// After deleteWebhook, updates queue for getUpdates again.
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	srv.SendText(chat, alice, "polling again")
	if ups := poll(t, srv, 0); len(ups) != 1 || ups[0].Message.Text != "polling again" {
		t.Fatalf("after deleteWebhook: %+v", ups)
	}
}

func TestGroupsPrivacyAndMembership(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	group := srv.Group(-4002, "Команда")
	srv.AddBotToGroup(group, alice)

	ups := poll(t, srv, 0)
	if len(ups) != 2 || ups[0].MyChatMember == nil || ups[1].Message == nil || len(ups[1].Message.NewChatMembers) != 1 {
		t.Fatalf("added: %+v", ups)
	}
	mcm := ups[0].MyChatMember
	if mcm.Chat.ID != group.ID || mcm.From.ID != alice.ID || mcm.OldChatMember.Type != models.ChatMemberTypeLeft ||
		mcm.NewChatMember.Type != models.ChatMemberTypeMember || mcm.NewChatMember.Member.User.ID != srv.BotID() {
		t.Fatalf("my_chat_member = %+v", mcm)
	}
	offset := ups[1].ID + 1

	bot1, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Привет"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SendText(group, bob, "просто болтаю")             // not for the bot
	srv.SendText(group, bob, "/report@OtherBot")          // for another bot
	srv.SendText(group, bob, "/report@KpiTestBot неделя") // a command for us
	srv.SendReply(group, bob, "ответ", bot1.ID)           // a reply to the bot
	srv.SendText(group, bob, "эй @kpitestbot")            // a mention
	anon := srv.SendAsAnonymousAdmin(group, "/plan")      // an anonymous admin
	got := poll(t, srv, offset)
	var texts []string
	for _, u := range got {
		texts = append(texts, u.Message.Text)
	}
	if strings.Join(texts, "|") != "/report@KpiTestBot неделя|ответ|эй @kpitestbot|/plan" {
		t.Fatalf("privacy mode let through %q", texts)
	}
	if m := got[3].Message; m.From.ID != telegramtest.GroupAnonymousBotID || m.From.Username != "GroupAnonymousBot" ||
		m.SenderChat == nil || m.SenderChat.ID != group.ID || anon.SenderChat == nil {
		t.Fatalf("anonymous admin = %+v", m)
	}
	if all := srv.ChatMessages(group.ID); len(all) != 8 {
		t.Fatalf("the group holds %d messages, want 8 (service, bot, 6 user)", len(all))
	}
	offset = got[len(got)-1].ID + 1

	// An administrator bot sees everything.
	srv.PromoteBot(group, alice)
	srv.SendText(group, bob, "теперь видно")
	got = poll(t, srv, offset)
	if len(got) != 2 || got[0].MyChatMember.NewChatMember.Type != models.ChatMemberTypeAdministrator || got[1].Message.Text != "теперь видно" {
		t.Fatalf("after promotion: %+v", got)
	}

	// Statuses for getChatMember and getChatAdministrators.
	srv.SetMemberStatus(group.ID, alice.ID, telegramtest.StatusCreator)
	srv.SetMemberStatus(group.ID, bob.ID, telegramtest.StatusAdministrator)
	for _, c := range []struct {
		user int64
		want models.ChatMemberType
	}{{alice.ID, models.ChatMemberTypeOwner}, {bob.ID, models.ChatMemberTypeAdministrator}, {777, models.ChatMemberTypeMember}, {srv.BotID(), models.ChatMemberTypeAdministrator}} {
		m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group.ID, UserID: c.user})
		if err != nil || m.Type != c.want {
			t.Errorf("user %d: %+v %v", c.user, m, err)
		}
	}
	admins, err := b.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: group.ID})
	if err != nil || len(admins) != 2 || admins[0].Type != models.ChatMemberTypeOwner || admins[0].Owner.User.ID != alice.ID {
		t.Fatalf("administrators = %+v, %v", admins, err)
	}
	chat, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: group.ID})
	if err != nil || chat.Title != "Команда" || chat.Type != "group" {
		t.Fatalf("getChat = %+v, %v", chat, err)
	}
	private := srv.PrivateChat(bob)
	if m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: private.ID, UserID: bob.ID}); err != nil || m.Type != models.ChatMemberTypeMember {
		t.Fatalf("private chat member = %+v, %v", m, err)
	}
	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: private.ID, Action: models.ChatActionTyping}); err != nil || !ok {
		t.Fatalf("sendChatAction = %v, %v", ok, err)
	}
}

func TestCommandsPerScopeAndLanguage(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	ru := []models.BotCommand{{Command: "report", Description: "Отчёт"}, {Command: "plan", Description: "План"}}
	en := []models.BotCommand{{Command: "report", Description: "Report"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: ru, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: en, Scope: &models.BotCommandScopeAllChatAdministrators{}}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(nil, "ru"); len(got) != 2 || got[1].Command != "plan" {
		t.Fatalf("default/ru = %+v", got)
	}
	if got := srv.Commands(&models.BotCommandScopeAllChatAdministrators{}, ""); len(got) != 1 || got[0].Description != "Report" {
		t.Fatalf("admins = %+v", got)
	}
	if got := srv.Commands(nil, ""); got != nil {
		t.Fatalf("default/all languages = %+v", got)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{LanguageCode: "ru"})
	if err != nil || len(got) != 2 {
		t.Fatalf("getMyCommands = %+v, %v", got, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(nil, "ru"); got != nil {
		t.Fatalf("after delete = %+v", got)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Report", Description: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Fatalf("upper-case command: %v", err)
	}
	if _, err := b.SetMyDescription(ctx, &bot.SetMyDescriptionParams{Description: "KPI", LanguageCode: "en"}); err != nil || srv.Description("en") != "KPI" {
		t.Fatalf("description = %q, %v", srv.Description("en"), err)
	}
	if _, err := b.SetMyShortDescription(ctx, &bot.SetMyShortDescriptionParams{ShortDescription: "k"}); err != nil || srv.ShortDescription("") != "k" {
		t.Fatalf("short description = %q, %v", srv.ShortDescription(""), err)
	}
}

func TestOtherBodyEncodings(t *testing.T) {
	srv := telegramtest.New(t)
	chat := srv.PrivateChat(alice)
	path := "/bot" + srv.Token() + "/sendMessage"
	status, body := apiCall(t, srv, path, "application/json",
		`{"chat_id":1001,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"x"}]]},"reply_to_message_id":1}`)
	if status != 400 || body["description"] != "Bad Request: message to be replied not found" {
		t.Fatalf("reply to a missing message: %d %v", status, body)
	}
	status, _ = apiCall(t, srv, path, "application/json", `{"chat_id":1001,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"x"}]]}}`)
	status2, _ := apiCall(t, srv, path, "application/x-www-form-urlencoded", url.Values{"chat_id": {"1001"}, "text": {"form"}, "reply_to_message_id": {"1"}}.Encode())
	status3, _ := apiCall(t, srv, path+"?chat_id=1001&text=query", "", "")
	if status != 200 || status2 != 200 || status3 != 200 {
		t.Fatalf("statuses %d %d %d", status, status2, status3)
	}
	msgs := srv.Messages(chat.ID)
	if len(msgs) != 3 || msgs[0].Buttons()[0].CallbackData != "x" || msgs[1].Text != "form" || msgs[1].ReplyTo != 1 || msgs[2].Text != "query" {
		t.Fatalf("messages = %+v", msgs)
	}
	status, body = apiCall(t, srv, path, "application/json", `{"chat_id":1001,"text":"x","reply_markup":"{not json"}`)
	if status != 400 || body["description"] != "Bad Request: can't parse reply keyboard markup JSON object" {
		t.Fatalf("broken markup: %d %v", status, body)
	}
}

func TestInjectUpdateDeliversDuplicates(t *testing.T) {
	srv := telegramtest.New(t)
	got := make(chan int64, 4)
	b := newBot(t, srv, bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u.ID }))
	startPolling(t, b)
	chat := srv.PrivateChat(alice)
	first := srv.SendText(chat, alice, "/start")
	id := <-got
	srv.WaitDelivered(t, wait)
	raw, _ := json.Marshal(map[string]any{
		"update_id": id,
		"message":   map[string]any{"message_id": first.ID, "date": 1, "chat": map[string]any{"id": chat.ID, "type": "private"}, "text": "/start"},
	})
	if again := srv.InjectUpdate(t, raw); again != id {
		t.Fatalf("InjectUpdate = %d, want %d", again, id)
	}
	if dup := <-got; dup != id {
		t.Fatalf("duplicate = %d, want %d", dup, id)
	}
	fresh := srv.InjectUpdate(t, models.Update{Message: &models.Message{ID: 9, Chat: models.Chat{ID: chat.ID, Type: "private"}, Date: 1, Text: "x"}})
	if fresh <= id {
		t.Fatalf("a fresh injected update got id %d after %d", fresh, id)
	}
	if next := <-got; next != fresh {
		t.Fatalf("got %d, want %d", next, fresh)
	}
}

func TestEntitiesAsTelegramParsesThem(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	chat := srv.PrivateChat(alice)
	type ent struct {
		typ    models.MessageEntityType
		off    int
		length int
		extra  string // url or language
	}
	cases := []struct {
		text  string
		mode  models.ParseMode
		plain string
		ents  []ent
	}{
		{`<pre><code class="language-go">x := 1</code></pre> end`, models.ParseModeHTML, "x := 1 end",
			[]ent{{models.MessageEntityTypePre, 0, 6, "go"}}},
		{`<a href="https://example.org/a?b=1&amp;c=2">ссылка</a> и <code>код</code>`, models.ParseModeHTML, "ссылка и код",
			[]ent{{models.MessageEntityTypeTextLink, 0, 6, "https://example.org/a?b=1&c=2"}, {models.MessageEntityTypeCode, 9, 3, ""}}},
		{"😀 <i>x</i>", models.ParseModeHTML, "😀 x", []ent{{models.MessageEntityTypeItalic, 3, 1, ""}}},
		{"<blockquote expandable>q</blockquote>", models.ParseModeHTML, "q", []ent{{models.MessageEntityTypeExpandableBlockquote, 0, 1, ""}}},
		{`*жирный* _курсив_ __подч__ \- [т](https://t.me/x) ||с||`, models.ParseModeMarkdown, "жирный курсив подч - т с",
			[]ent{{models.MessageEntityTypeBold, 0, 6, ""}, {models.MessageEntityTypeItalic, 7, 6, ""}, {models.MessageEntityTypeUnderline, 14, 4, ""},
				{models.MessageEntityTypeTextLink, 21, 1, "https://t.me/x"}, {models.MessageEntityTypeSpoiler, 23, 1, ""}}},
		{"```go\nfmt.Println()\n```", models.ParseModeMarkdown, "fmt.Println()", []ent{{models.MessageEntityTypePre, 0, 13, "go"}}},
		{"*a* `b`", models.ParseModeMarkdownV1, "a b", []ent{{models.MessageEntityTypeBold, 0, 1, ""}, {models.MessageEntityTypeCode, 2, 1, ""}}},
	}
	for _, c := range cases {
		sent, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat.ID, Text: c.text, ParseMode: c.mode})
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		var got []ent
		for _, e := range sent.Entities {
			got = append(got, ent{e.Type, e.Offset, e.Length, e.URL + e.Language})
		}
		if sent.Text != c.plain || len(got) != len(c.ents) {
			t.Errorf("%q: got %q %+v, want %q %+v", c.text, sent.Text, got, c.plain, c.ents)
			continue
		}
		for i := range got {
			if got[i] != c.ents[i] {
				t.Errorf("%q: entity %d = %+v, want %+v", c.text, i, got[i], c.ents[i])
			}
		}
	}
}

func TestUserEditsThreadsAndExpiredQueries(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	forum := srv.Supergroup(-1002, "Форум", true)
	srv.PromoteBot(forum, alice)
	m := srv.SendText(forum, alice, "/report", telegramtest.InThread(7))
	srv.EditText(forum, alice, m.ID, "/report week")
	ups := poll(t, srv, 0)
	if len(ups) != 3 || ups[1].Message.MessageThreadID != 7 || !ups[1].Message.IsTopicMessage ||
		ups[2].EditedMessage == nil || ups[2].EditedMessage.Text != "/report week" || ups[2].EditedMessage.EditDate == 0 {
		t.Fatalf("updates = %+v", ups)
	}

	sent, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: forum.ID, Text: "x", ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "go", CallbackData: "go"}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	qid := srv.PressButton(t, forum, alice, sent.ID, "go")
	srv.ExpireCallbackQuery(qid)
	_, err = b.AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: qid})
	if err == nil || !strings.Contains(err.Error(), "query is too old") {
		t.Fatalf("expired query: %v", err)
	}
}

func TestLogsNeverShowTokenOrText(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	srv := telegramtest.New(t, telegramtest.WithLogf(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}))
	b := newBot(t, srv)
	chat := srv.PrivateChat(alice)
	secret := "тайный-план-42"
	_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat.ID, Text: secret})
	_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat.ID, Text: "<" + secret + ">", ParseMode: models.ParseModeHTML})
	mu.Lock()
	defer mu.Unlock()
	if len(lines) < 3 {
		t.Fatalf("expected log lines, got %q", lines)
	}
	for _, l := range lines {
		if strings.Contains(l, srv.Token()) || strings.Contains(l, "тайный") {
			t.Fatalf("log line leaks: %q", l)
		}
	}
}

func TestChatMemberUpdatesNeedAdminBotAndAllowedUpdates(t *testing.T) {
	srv := telegramtest.New(t)
	group := srv.Supergroup(-1003, "Группа", false)
	srv.ChangeMemberStatus(group, alice, bob, telegramtest.StatusAdministrator) // bot is no admin: nothing
	srv.PromoteBot(group, alice)
	srv.ChangeMemberStatus(group, alice, bob, telegramtest.StatusMember) // chat_member not allowed by default
	ups := poll(t, srv, 0)
	if len(ups) != 1 || ups[0].MyChatMember == nil {
		t.Fatalf("updates = %+v", ups)
	}
	status, _ := apiCall(t, srv, "/bot"+srv.Token()+"/getUpdates", "application/json",
		`{"offset":`+strconv.FormatInt(ups[0].ID+1, 10)+`,"allowed_updates":["message","chat_member","my_chat_member"]}`)
	if status != 200 {
		t.Fatalf("getUpdates: %d", status)
	}
	srv.ChangeMemberStatus(group, alice, bob, telegramtest.StatusKicked)
	ups = poll(t, srv, ups[0].ID+1)
	if len(ups) != 1 || ups[0].ChatMember == nil || ups[0].ChatMember.OldChatMember.Type != models.ChatMemberTypeMember ||
		ups[0].ChatMember.NewChatMember.Type != models.ChatMemberTypeBanned || ups[0].ChatMember.NewChatMember.Banned.User.ID != bob.ID {
		t.Fatalf("chat_member = %+v", ups)
	}
}
