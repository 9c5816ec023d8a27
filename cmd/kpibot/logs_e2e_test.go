package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// TestEveryUpdateLineNamesChatUpdateAndHandler reads the JSON log of a few
// updates, one of whose replies Telegram refuses: every line about an
// update carries its chat id, update id and handler, and no line holds what
// the user wrote.
func TestEveryUpdateLineNamesChatUpdateAndHandler(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, map[string]string{"LOG_FORMAT": "json", "LOG_LEVEL": "debug"}, nil)
	chat := tg.PrivateChat(anna)
	seedPlan(t, r, chat)

	tg.SendText(chat, anna, "/start")
	tg.WaitMessages(t, chat.ID, 2, wait) // the greeting and the plan's card
	tg.FailNext("sendMessage", chat.ID, telegramtest.BadRequest("Bad Request: message is too long"))
	tg.SendText(chat, anna, "/log охват 12345 тайная заметка про клиента")
	tg.SendText(chat, anna, "/log охват 777")
	tg.WaitFor(t, wait, "the answer to /log охват 777", func() bool {
		for _, m := range tg.Messages(chat.ID) {
			if strings.Contains(m.PlainText, "777") {
				return true
			}
		}
		return false
	})
	r.stop()

	byHandler := map[string]int{}
	var errorLines int
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		for _, secret := range []string{"тайная", "клиента", "12345"} {
			if strings.Contains(line, secret) {
				t.Errorf("a log line holds the user's text %q: %s", secret, line)
			}
		}
		if _, ok := rec["update"]; !ok {
			continue
		}
		chatID, _ := rec["chat"].(float64)
		handler, _ := rec["handler"].(string)
		if int64(chatID) != chat.ID || handler == "" {
			t.Errorf("an update's line without chat or handler: %s", line)
		}
		byHandler[handler]++
		if rec["level"] == "ERROR" {
			errorLines++
		}
	}
	// /start and the two /log commands each end with "update handled"; the
	// refused reply adds an error line to the first /log.
	if byHandler["/start"] < 1 || byHandler["/log"] < 3 {
		t.Errorf("lines by handler: %v, want /start ≥1 and /log ≥3", byHandler)
	}
	if errorLines != 1 {
		t.Errorf("error lines naming the update: %d, want 1 (the refused reply)", errorLines)
	}
}
