package telegramtest_test

import (
	"fmt"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// The fake takes application/json bodies as the Bot API does: objects
// (reply_markup, reply_parameters) as JSON objects or as JSON text in a
// string, numbers and booleans as JSON values.
func TestJSONBodies(t *testing.T) {
	srv := telegramtest.New(t)
	chat := srv.PrivateChat(alice)
	asked := srv.SendText(chat, alice, "hi")
	base := "/bot" + srv.Token() + "/"
	const keyboard = `{"inline_keyboard":[[{"text":"Yes","callback_data":"y"},{"text":"No","callback_data":"n"}]]}`
	post := func(method, body string) map[string]any {
		t.Helper()
		status, answer := apiCall(t, srv, base+method, "application/json; charset=utf-8", body)
		if status != 200 {
			t.Fatalf("%s %s: %d %v", method, body, status, answer)
		}
		return answer
	}

	var first float64
	for i, markup := range []string{keyboard, fmt.Sprintf("%q", keyboard)} {
		answer := post("sendMessage", fmt.Sprintf(`{"chat_id":%d,"text":"<b>Q%d</b>","parse_mode":"HTML","reply_markup":%s,`+
			`"reply_parameters":{"message_id":%d,"allow_sending_without_reply":true}}`, chat.ID, i, markup, asked.ID))
		m, _ := srv.LastMessage(chat.ID)
		if m.PlainText != fmt.Sprintf("Q%d", i) || m.ParseMode != "HTML" || m.ReplyTo != asked.ID || len(m.Buttons()) != 2 || m.Buttons()[1].CallbackData != "n" {
			t.Fatalf("markup %s: sent %+v", markup, m)
		}
		if i == 0 {
			first = answer["result"].(map[string]any)["message_id"].(float64)
		}
	}
	post("sendMessage", fmt.Sprintf(`{"chat_id":%d,"text":"gone","reply_parameters":{"message_id":999999,"allow_sending_without_reply":true}}`, chat.ID))
	if m, _ := srv.LastMessage(chat.ID); m.ReplyTo != 0 {
		t.Fatalf("reply to a missing message allowed: %+v", m)
	}

	m, _ := srv.LastMessage(chat.ID)
	post("editMessageText", fmt.Sprintf(`{"chat_id":%d,"message_id":%d,"text":"<i>edited</i>","parse_mode":"HTML","reply_markup":%s}`, chat.ID, m.ID, keyboard))
	post("editMessageReplyMarkup", fmt.Sprintf(`{"chat_id":%d,"message_id":%d,"reply_markup":{"inline_keyboard":[]}}`, chat.ID, m.ID))
	if m, _ = srv.Message(chat.ID, m.ID); m.PlainText != "edited" || len(m.Buttons()) != 0 {
		t.Fatalf("edited %+v", m)
	}

	query := srv.PressButton(t, chat, alice, int(first), "Yes")
	post("answerCallbackQuery", fmt.Sprintf(`{"callback_query_id":%q,"text":"Saved"}`, query))
	if answers := srv.CallbackAnswers(); len(answers) != 1 || answers[0].Text != "Saved" {
		t.Fatalf("answers %+v", answers)
	}
}
