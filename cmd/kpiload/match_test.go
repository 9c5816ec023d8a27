package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// botCall makes a Bot API call to tg as the bot does (a JSON body) and
// returns what observe is given for it.
func botCall(t *testing.T, tg *telegramtest.Server, method string, params map[string]any) call {
	t.Helper()
	body, _ := json.Marshal(params)
	resp, err := http.Post(tg.URL+"/bot"+tg.Token()+"/"+method, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	c := call{method: method, at: time.Now(), status: resp.StatusCode}
	readParams(&c, "application/json", body)
	if answers[method] && resp.StatusCode == http.StatusOK {
		c.msgID, c.sent = sentID(answer), true
	}
	return c
}

// The fake keeps a chat's bot message while its Undo may still be pressed
// or its edit is awaited, and forgets it once neither can happen.
func TestObserveLetsTheFakeForgetOnlyUnneededMessages(t *testing.T) {
	tg := telegramtest.New(t)
	l := newLoad(Config{Chats: 1, Private: time.Second, Timeout: time.Second}, tg, time.Now())
	c := l.chats[0]
	ids := func() []int {
		var out []int
		for _, m := range tg.Messages(c.chat.ID) {
			out = append(out, m.ID)
		}
		return out
	}
	undo := `{"inline_keyboard":[[{"text":"↩️","callback_data":"1:un:b1"}]]}`
	logged := func(text string) int {
		t.Helper()
		l.mu.Lock()
		c.pending = &pending{kind: actLog, chat: c, user: c.users[0], start: time.Now(), measured: true}
		l.mu.Unlock()
		sent := botCall(t, tg, "sendMessage", map[string]any{"chat_id": c.chat.ID, "text": text, "reply_markup": json.RawMessage(undo)})
		l.observe(sent)
		return sent.msgID
	}

	first := logged("✅ Охват: 12 000")
	second := logged("✅ Охват: 13 000")
	if got := ids(); len(got) != 1 || got[0] != second || c.undo == nil || c.undo.msgID != second {
		t.Fatalf("after two /log: messages %v, undo %+v; want only %d (not %d), with its Undo", got, c.undo, second, first)
	}
	failed := logged("Что-то пошло не так, и я ничего не изменил.")
	if got := ids(); len(got) != 2 || got[0] != second || got[1] != failed {
		t.Fatalf("after an error answer: messages %v, want %d (its Undo may still be pressed) and %d", got, second, failed)
	}

	qid, _ := tg.CallbackQuery(c.chat, c.users[0], second, c.undo.data)
	l.mu.Lock()
	p := &pending{kind: actPress, chat: c, user: c.users[0], start: time.Now(), queryID: qid, msgID: second, measured: true}
	c.pending, l.queries[qid], c.undo = p, p, nil
	l.mu.Unlock()
	l.observe(botCall(t, tg, "answerCallbackQuery", map[string]any{"callback_query_id": qid, "text": "↩️ Отменено"}))
	if got := ids(); len(got) == 0 || got[0] != second {
		t.Fatalf("while the press waits for its edit: messages %v, want %d kept", got, second)
	}
	edit := botCall(t, tg, "editMessageText", map[string]any{"chat_id": c.chat.ID, "message_id": second, "text": "↩️ Отменено: охват 13 000"})
	if edit.status != http.StatusOK {
		t.Fatalf("edit of the pressed message: HTTP %d", edit.status)
	}
	l.observe(edit)
	if got := ids(); len(got) != 0 {
		t.Fatalf("after the press: messages %v, want none", got)
	}
	if l.res.errors["unexpected answer"] != 0 || len(l.res.unmatched) != 0 || len(l.res.latency[actPress]) != 1 || len(l.res.latency[actLog]) != 2 {
		t.Fatalf("results: errors %v, unmatched %v, latencies %d /log, %d presses",
			l.res.errors, l.res.unmatched, len(l.res.latency[actLog]), len(l.res.latency[actPress]))
	}
}
