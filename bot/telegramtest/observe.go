package telegramtest

import (
	"encoding/json"
	"strconv"
)

// CallbackQuery has from press data on the bot's message messageID in chat,
// as PressData does, but queues no update: it returns the callback query id
// and the callback_query object (JSON) for a caller that delivers the
// update itself, such as a load generator posting to the bot's webhook with
// update ids of its own. The query then waits for answerCallbackQuery like
// any other press.
func (s *Server) CallbackQuery(chat Chat, from User, messageID int, data string) (string, json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(chat)
	s.rememberUserLocked(from)
	s.querySeq++
	id := strconv.FormatUint(uint64(s.botID)<<20+uint64(s.querySeq)*7919, 10)
	s.queries[id] = &callbackQuery{id: id, seq: s.nextSeqLocked(), chatID: cs.chat.ID, messageID: messageID, from: from, data: data}
	var msg any
	if m := cs.byID[messageID]; m != nil && !m.deleted {
		msg = s.messageWireLocked(m, true)
	} else {
		msg = map[string]any{"chat": cs.chat.wire(), "message_id": messageID, "date": 0}
	}
	raw, err := json.Marshal(map[string]any{
		"id":            id,
		"from":          from.wire(),
		"message":       msg,
		"chat_instance": s.chatInstance(cs.chat.ID),
		"data":          data,
	})
	if err != nil {
		s.errorf("CallbackQuery: can't encode the query: %v", err)
	}
	return id, raw
}

// ForgetCalls drops the record of past calls, callback answers and
// answered callback queries (chats and messages stay; ForgetMessagesBefore
// drops messages), so that a long-running user of the server, such as a
// load generator, keeps its memory bounded. Calls, CallsAfter and
// CallbackAnswers start afresh.
func (s *Server) ForgetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.answers = nil
	for id, q := range s.queries {
		if q.answered || q.expired {
			delete(s.queries, id)
		}
	}
}
