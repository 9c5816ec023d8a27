package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// The JSON of the updates posted to the webhook, as Telegram sends them
// (the fields the bot reads).
type (
	wireUpdate struct {
		UpdateID      int64           `json:"update_id"`
		Message       *wireMessage    `json:"message,omitempty"`
		CallbackQuery json.RawMessage `json:"callback_query,omitempty"`
	}
	wireMessage struct {
		MessageID int          `json:"message_id"`
		From      wireUser     `json:"from"`
		Chat      wireChat     `json:"chat"`
		Date      int64        `json:"date"`
		Text      string       `json:"text"`
		Entities  []wireEntity `json:"entities,omitempty"`
	}
	wireUser struct {
		ID           int64  `json:"id"`
		IsBot        bool   `json:"is_bot"`
		FirstName    string `json:"first_name"`
		LanguageCode string `json:"language_code,omitempty"`
	}
	wireChat struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		Title     string `json:"title,omitempty"`
		FirstName string `json:"first_name,omitempty"`
	}
	wireEntity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
)

// messageUpdate is the update of a user typing text (a command) in chat.
func messageUpdate(id int64, chat telegramtest.Chat, from telegramtest.User, msgID int, text string, at time.Time) []byte {
	m := &wireMessage{
		MessageID: msgID, Date: at.Unix(), Text: text,
		From: wireUser{ID: from.ID, FirstName: from.FirstName, LanguageCode: from.LanguageCode},
		Chat: wireChat{ID: chat.ID, Type: chat.Type, Title: chat.Title, FirstName: chat.FirstName},
	}
	if len(text) >= 4 && text[:4] == "/log" {
		m.Entities = []wireEntity{{Type: "bot_command", Offset: 0, Length: 4}}
	}
	b, _ := json.Marshal(wireUpdate{UpdateID: id, Message: m})
	return b
}

// callbackUpdate wraps a callback_query object from the fake.
func callbackUpdate(id int64, query json.RawMessage) []byte {
	b, _ := json.Marshal(wireUpdate{UpdateID: id, CallbackQuery: query})
	return b
}

// logLine is a /log line as people type it, with values that keep the
// seeded plans on track (no at-risk alerts).
func logLine() string {
	reach := 12000 + rand.IntN(13000)
	er := fmt.Sprintf("%d,%d", 4+rand.IntN(2), rand.IntN(10))
	switch rand.IntN(4) {
	case 0:
		return fmt.Sprintf("/log охват %d", reach)
	case 1:
		return "/log er " + er
	case 2:
		return fmt.Sprintf("/log охват %d er %s", reach, er)
	}
	return fmt.Sprintf("/log охват %d %03d", reach/1000, reach%1000)
}
