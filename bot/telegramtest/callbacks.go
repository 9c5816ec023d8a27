package telegramtest

import (
	"hash/fnv"
	"slices"
	"strconv"
	"testing"
)

// callbackQuery is a button press waiting for answerCallbackQuery.
type callbackQuery struct {
	id        string
	seq       int64
	chatID    int64
	messageID int
	from      User
	data      string
	answered  bool
	expired   bool
}

// CallbackAnswer is an answerCallbackQuery call for a press.
type CallbackAnswer struct {
	QueryID   string
	Data      string
	ChatID    int64
	MessageID int
	From      User
	PressSeq  int64 // sequence number of the button press
	Seq       int64 // sequence number of the answerCallbackQuery call
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

// PressButton has from press the inline button labelled buttonText on the
// bot's message messageID, as it is now, and queues the callback_query
// update (with the message, its data and chat_instance). It fails the test
// when the message or such a callback button does not exist. It returns the
// callback query id.
func (s *Server) PressButton(tb testing.TB, chat Chat, from User, messageID int, buttonText string) string {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chat.ID]
	if cs == nil {
		tb.Fatalf("telegramtest: PressButton: chat %d is unknown", chat.ID)
	}
	m := cs.byID[messageID]
	if m == nil || m.deleted || !m.fromBot {
		tb.Fatalf("telegramtest: PressButton: no bot message %d in chat %d", messageID, chat.ID)
	}
	b, ok := m.markup.Button(buttonText)
	if !ok {
		tb.Fatalf("telegramtest: PressButton: message %d in chat %d has no inline button labelled %q (it has %d buttons)",
			messageID, chat.ID, buttonText, len(m.markup.Buttons()))
	}
	if b.CallbackData == "" {
		tb.Fatalf("telegramtest: PressButton: the button labelled %q has no callback_data", buttonText)
	}
	return s.pressLocked(cs, from, messageID, b.CallbackData)
}

// PressData queues a callback_query for message messageID carrying data,
// whatever the message's buttons are (for stale or forged presses). A
// missing or deleted message is sent as an inaccessible message (date 0).
// It returns the callback query id.
func (s *Server) PressData(chat Chat, from User, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(chat)
	return s.pressLocked(cs, from, messageID, data)
}

func (s *Server) pressLocked(cs *chatState, from User, messageID int, data string) string {
	s.rememberUserLocked(from)
	s.querySeq++
	id := strconv.FormatUint(uint64(s.botID)<<20+uint64(s.querySeq)*7919, 10)
	q := &callbackQuery{id: id, seq: s.nextSeqLocked(), chatID: cs.chat.ID, messageID: messageID, from: from, data: data}
	s.queries[id] = q
	var msg any
	if m := cs.byID[messageID]; m != nil && !m.deleted {
		msg = s.messageWireLocked(m, true)
	} else {
		msg = map[string]any{"chat": cs.chat.wire(), "message_id": messageID, "date": 0}
	}
	s.enqueueLocked("callback_query", map[string]any{
		"id":            id,
		"from":          from.wire(),
		"message":       msg,
		"chat_instance": s.chatInstance(cs.chat.ID),
		"data":          data,
	})
	return id
}

// chatInstance is the stable per-chat identifier Telegram puts in callback
// queries.
func (s *Server) chatInstance(chatID int64) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(s.botID, 10)))
	return strconv.FormatInt(int64(h.Sum64()), 10)
}

// ExpireCallbackQuery makes a pending callback query too old to answer, as
// if the bot had been too slow.
func (s *Server) ExpireCallbackQuery(queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queries[queryID]; q != nil {
		q.expired = true
	}
}

func (s *Server) answerCallbackQuery(c *callCtx) (any, *apiError) {
	id := c.p.str("callback_query_id")
	q := s.queries[id]
	if q == nil || q.answered || q.expired {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	cacheTime, _ := c.p.integer("cache_time")
	s.answers = append(s.answers, CallbackAnswer{
		QueryID: q.id, Data: q.data, ChatID: q.chatID, MessageID: q.messageID, From: q.from,
		PressSeq: q.seq, Seq: c.call.Seq,
		Text: c.p.str("text"), ShowAlert: c.p.boolean("show_alert"), URL: c.p.str("url"), CacheTime: int(cacheTime),
	})
	return true, nil
}

// CallbackAnswers returns the successful answerCallbackQuery calls, in
// order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}
