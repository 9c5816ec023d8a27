package telegramtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// A forgotten message is gone for good: not listed, not editable, pressed
// as an inaccessible message; the chat's later messages, other chats and
// the next message id are as before.
func TestForgetMessagesBefore(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	other := srv.PrivateChat(bob)
	undo := inlineKeyboard([]models.InlineKeyboardButton{{Text: "Отменить", CallbackData: "1:un:7"}})
	for _, c := range []telegramtest.Chat{chat, chat, chat, other} {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: c.ID, Text: "готово", ReplyMarkup: undo}); err != nil {
			t.Fatal(err)
		}
	}

	srv.ForgetMessagesBefore(chat.ID, 3)
	srv.ForgetMessagesBefore(chat.ID, 2) // below what is gone already: no change
	srv.ForgetMessagesBefore(-42, 100)   // unknown chat: no change

	if msgs := srv.Messages(chat.ID); len(msgs) != 1 || msgs[0].ID != 3 {
		t.Fatalf("messages left = %+v, want only id 3", msgs)
	}
	if _, ok := srv.Message(chat.ID, 1); ok {
		t.Fatal("message 1 is still found")
	}
	if msgs := srv.Messages(other.ID); len(msgs) != 1 {
		t.Fatalf("the other chat lost messages: %+v", msgs)
	}
	_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: 2, Text: "отменено"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("edit of a forgotten message: %v", err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat.ID, MessageID: 3, Text: "отменено"}); err != nil {
		t.Fatalf("edit of a kept message: %v", err)
	}

	_, raw := srv.CallbackQuery(chat, alice, 1, "1:un:7")
	var q models.CallbackQuery
	if err := json.Unmarshal(raw, &q); err != nil {
		t.Fatal(err)
	}
	if q.Message.Type != models.MaybeInaccessibleMessageTypeInaccessibleMessage || q.Message.InaccessibleMessage.MessageID != 1 {
		t.Fatalf("press of a forgotten message = %+v", q.Message)
	}
	_, raw = srv.CallbackQuery(chat, alice, 3, "1:un:7")
	var kept models.CallbackQuery
	if err := json.Unmarshal(raw, &kept); err != nil {
		t.Fatal(err)
	}
	if m := kept.Message.Message; m == nil || m.ID != 3 || m.Text != "отменено" {
		t.Fatalf("press of a kept message = %+v", kept.Message)
	}

	next, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: "ещё"})
	if err != nil || next.ID != 4 {
		t.Fatalf("next message = %+v, %v; want id 4", next, err)
	}
}
