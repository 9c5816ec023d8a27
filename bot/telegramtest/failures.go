package telegramtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Failure is an error answer a test arms with FailNext.
type Failure struct {
	StatusCode      int // HTTP status and error_code
	Description     string
	RetryAfter      int   // parameters.retry_after, seconds
	MigrateToChatID int64 // parameters.migrate_to_chat_id
	Count           int   // how many matching calls fail; 0 means 1
}

// Times returns f failing the next n matching calls.
func (f Failure) Times(n int) Failure {
	f.Count = n
	return f
}

// TooManyRequests returns a 429 flood-wait answer; go-telegram/bot turns it
// into *bot.TooManyRequestsError with RetryAfter.
func TooManyRequests(retryAfter int) Failure {
	return Failure{
		StatusCode:  http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// BlockedByUser returns the 403 a private chat answers once the user blocked
// the bot.
func BlockedByUser() Failure {
	return Failure{StatusCode: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// KickedFromGroup returns the 403 a basic group answers once the bot was
// removed from it.
func KickedFromGroup() Failure {
	return Failure{StatusCode: http.StatusForbidden, Description: "Forbidden: bot was kicked from the group chat"}
}

// KickedFromSupergroup returns the 403 a supergroup answers once the bot was
// removed from it.
func KickedFromSupergroup() Failure {
	return Failure{StatusCode: http.StatusForbidden, Description: "Forbidden: bot was kicked from the supergroup chat"}
}

// GroupUpgraded returns the 400 a basic group answers once it became the
// supergroup newChatID; go-telegram/bot turns it into *bot.MigrateError.
func GroupUpgraded(newChatID int64) Failure {
	return Failure{
		StatusCode:      http.StatusBadRequest,
		Description:     "Bad Request: group chat was upgraded to a supergroup chat",
		MigrateToChatID: newChatID,
	}
}

// InternalServerError returns a 500 answer.
func InternalServerError() Failure {
	return Failure{StatusCode: http.StatusInternalServerError, Description: "Internal Server Error"}
}

// BadRequest returns a 400 answer with "Bad Request: " + description.
func BadRequest(description string) Failure {
	return Failure{StatusCode: http.StatusBadRequest, Description: "Bad Request: " + description}
}

type armedFailure struct {
	method string // lower case; "" for any method but getUpdates
	chatID int64  // 0 for any chat
	f      Failure
	left   int
}

// FailNext makes the next call(s) of method (any method but getUpdates when
// "", and no file download: see FileDownload) aimed at chatID (any chat when 0) fail with f, f.Count times. The
// failed calls change nothing and are recorded in Calls with their status.
// Failures armed earlier are used first.
func (s *Server) FailNext(method string, chatID int64, f Failure) {
	n := f.Count
	if n <= 0 {
		n = 1
	}
	if f.StatusCode == 0 {
		f.StatusCode = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &armedFailure{method: strings.ToLower(method), chatID: chatID, f: f, left: n})
}

// ArmedFailures returns how many failing calls FailNext still has armed.
func (s *Server) ArmedFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.failures {
		n += a.left
	}
	return n
}

// takeFailureLocked uses up the first armed failure that matches the call.
func (s *Server) takeFailureLocked(method string, chatID int64) *apiError {
	lm := strings.ToLower(method)
	for i, a := range s.failures {
		if (a.method == "" && (lm == "getupdates" || lm == strings.ToLower(FileDownload))) || (a.method != "" && a.method != lm) {
			continue
		}
		if a.chatID != 0 && a.chatID != chatID {
			continue
		}
		a.left--
		if a.left <= 0 {
			s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
		}
		return &apiError{
			Code: a.f.StatusCode, Description: a.f.Description,
			RetryAfter: a.f.RetryAfter, MigrateToChatID: a.f.MigrateToChatID,
		}
	}
	return nil
}

// BlockChat makes every write into the chat (send, edit, delete, chat
// action) answer 403 until UnblockChat: "bot was blocked by the user" for a
// private chat, "bot was kicked from the group chat" (or supergroup) for a
// group. No update is sent; see UserBlocksBot for the full story.
func (s *Server) BlockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		s.errorf("BlockChat: chat %d is unknown", chatID)
		return
	}
	cs.blocked = true
	s.bumpLocked()
}

// UnblockChat undoes BlockChat.
func (s *Server) UnblockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[chatID]; cs != nil {
		cs.blocked = false
		s.bumpLocked()
	}
}

// MigrateChat turns the basic group oldID into the supergroup newID, as
// Telegram does when a group is upgraded: the supergroup gets the title and
// members, every method aimed at oldID then answers 400 "group chat was
// upgraded to a supergroup chat" with parameters.migrate_to_chat_id, and
// two service messages arrive as updates: migrate_to_chat_id in the old
// chat, then migrate_from_chat_id in the new one. It returns the new chat.
func (s *Server) MigrateChat(oldID, newID int64) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.chats[oldID]
	if old == nil {
		old = s.ensureChatLocked(Chat{ID: oldID, Type: ChatGroup, Title: "Group"})
	}
	if old.chat.Type != ChatGroup || old.migratedTo != 0 {
		s.errorf("MigrateChat: chat %d is not a basic group that can be upgraded", oldID)
		return old.chat
	}
	nc := Chat{ID: newID, Type: ChatSupergroup, Title: old.chat.Title, Username: old.chat.Username}
	ns := s.chats[newID]
	if ns == nil {
		ns = newChatState(nc)
		s.chats[newID] = ns
	}
	for id, st := range old.members {
		ns.members[id] = st
	}
	ns.botStatus = old.botStatus

	actor := anonymousAdmin
	for id, st := range old.members {
		if st == StatusCreator {
			actor = s.userLocked(id)
		}
	}
	now := time.Now()
	toMsg := &message{seq: s.nextSeqLocked(), from: actor, date: now}
	toMsg.migrateTo = newID
	s.addMessageLocked(old, toMsg)
	fromMsg := &message{seq: s.nextSeqLocked(), from: anonymousAdmin, senderChat: &nc, date: now}
	fromMsg.migrateFrom = oldID
	s.addMessageLocked(ns, fromMsg)
	old.migratedTo = newID // after the messages, which render the old chat

	s.enqueueLocked("message", s.messageWireLocked(toMsg, false))
	s.enqueueLocked("message", s.messageWireLocked(fromMsg, false))
	s.bumpLocked()
	return ns.chat
}
