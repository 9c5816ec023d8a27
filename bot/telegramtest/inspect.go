package telegramtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// FileInfo describes a file uploaded in a call.
type FileInfo struct {
	FileName string
	MIMEType string
	Size     int
}

// Call is a recorded API call.
type Call struct {
	Seq         int64  // global sequence number, shared with test-side events
	Method      string // canonical name ("sendMessage") when known, else as sent
	At          time.Time
	Params      map[string]string // every parameter as text; objects as JSON
	Files       map[string]FileInfo
	ChatID      int64  // the chat_id parameter resolved, 0 when none
	Status      int    // HTTP status of the answer; 0 while in flight
	Description string // error description of a failed call
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == 200 }

// Param returns a parameter's text ("" when absent).
func (c Call) Param(name string) string { return c.Params[name] }

// Int returns a parameter as an integer (0 when absent or not a number).
func (c Call) Int(name string) int64 {
	p := params{values: c.Params}
	n, _ := p.integer(name)
	return n
}

// JSON decodes a parameter that carries JSON (reply_markup, commands,
// scope, reply_parameters, ...) into dest.
func (c Call) JSON(name string, dest any) error {
	raw, ok := c.Params[name]
	if !ok {
		return fmt.Errorf("telegramtest: %s has no parameter %s", c.Method, name)
	}
	return json.Unmarshal([]byte(raw), dest)
}

func (c *Call) clone() Call {
	out := *c
	out.Params = maps.Clone(c.Params)
	out.Files = maps.Clone(c.Files)
	return out
}

// Calls returns the recorded calls of method (all calls when ""; the name's
// case does not matter), in order, including calls still in flight.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c.clone())
		}
	}
	return out
}

// CallsAfter returns, in order, the calls with a sequence number above seq,
// leaving out getUpdates (long polls interleave with everything), so that
// CallsAfter(pressSeq)[0] is the first thing the bot did after an event.
func (s *Server) CallsAfter(seq int64) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Seq > seq && !strings.EqualFold(c.Method, "getUpdates") {
			out = append(out, c.clone())
		}
	}
	return out
}

// WaitCall blocks until a finished call of method (any method when "")
// satisfies pred (any call when nil) and returns the first such call; it
// fails the test after timeout.
func (s *Server) WaitCall(tb testing.TB, method string, pred func(Call) bool, timeout time.Duration) Call {
	tb.Helper()
	var found Call
	ok := s.waitUntil(timeout, func() bool {
		for _, c := range s.Calls(method) { // pred runs without the lock
			if c.Status != 0 && (pred == nil || pred(c)) {
				found = c
				return true
			}
		}
		return false
	})
	if !ok {
		tb.Fatalf("telegramtest: timed out after %v waiting for a %s call; %d calls of it so far\n%s",
			timeout, orAny(method), len(s.Calls(method)), s.failedCallsDump())
	}
	return found
}

func orAny(method string) string {
	if method == "" {
		return "matching"
	}
	return method
}

// Messages returns the bot's messages in a chat, oldest first, deleted ones
// included (with Deleted set).
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, true)
}

// ChatMessages returns every message in a chat (the users', the bot's and
// service messages), oldest first.
func (s *Server) ChatMessages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, false)
}

func (s *Server) messagesLocked(chatID int64, botOnly bool) []Message {
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []Message
	for _, m := range cs.messages {
		if !botOnly || m.fromBot {
			out = append(out, m.snapshot())
		}
	}
	return out
}

// Message returns one message of a chat.
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[chatID]; cs != nil {
		if m := cs.byID[id]; m != nil {
			return m.snapshot(), true
		}
	}
	return Message{}, false
}

// LastMessage returns the bot's latest message in a chat.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// WaitMessages blocks until the bot has sent at least n messages into the
// chat (deleted ones count) and returns all of them. After timeout it fails
// the test with a summary of what it got (ids, kinds, lengths and buttons,
// never the texts) and of the calls that failed.
func (s *Server) WaitMessages(tb testing.TB, chatID int64, n int, timeout time.Duration) []Message {
	tb.Helper()
	var got []Message
	ok := s.waitUntil(timeout, func() bool {
		got = s.Messages(chatID)
		return len(got) >= n
	})
	if !ok {
		var b strings.Builder
		fmt.Fprintf(&b, "telegramtest: timed out after %v waiting for %d bot messages in chat %d; got %d:\n", timeout, n, chatID, len(got))
		for _, m := range got {
			b.WriteString("  " + describe(m) + "\n")
		}
		b.WriteString(s.failedCallsDump())
		tb.Fatal(b.String())
	}
	return got
}

// describe summarises a message without its text.
func describe(m Message) string {
	kind := "text"
	size := utf16Len(m.PlainText)
	switch {
	case m.Photo != nil || m.PhotoFileID != "":
		kind, size = "photo", len(m.Photo)
	case m.Document != nil || m.DocumentFileID != "":
		kind, size = "document", len(m.Document)
	}
	s := fmt.Sprintf("#%d %s (%d)", m.ID, kind, size)
	if m.ParseMode != "" {
		s += " " + m.ParseMode
	}
	if m.Markup != nil {
		s += fmt.Sprintf(" buttons=%d", len(m.Buttons()))
		if m.Markup.ForceReply {
			s += " force_reply"
		}
	}
	if m.ReplyTo != 0 {
		s += fmt.Sprintf(" reply_to=%d", m.ReplyTo)
	}
	if m.Edited() {
		s += fmt.Sprintf(" edits=%d", len(m.History)-1)
	}
	if m.Deleted {
		s += " deleted"
	}
	return s
}

// failedCallsDump lists the calls that failed (method, status, redacted
// description).
func (s *Server) failedCallsDump() string {
	var b strings.Builder
	for _, c := range s.Calls("") {
		if c.Status != 0 && c.Status != 200 {
			fmt.Fprintf(&b, "  failed call #%d %s -> %d %s\n", c.Seq, c.Method, c.Status, redactQuoted(c.Description))
		}
	}
	if b.Len() == 0 {
		return "  (no failed calls)\n"
	}
	return "calls that failed:\n" + b.String()
}

// Commands returns the command list setMyCommands stored for a scope (nil
// for the default scope) and language code ("" for all languages); nil
// when none was set.
func (s *Server) Commands(scope models.BotCommandScope, lang string) []models.BotCommand {
	raw := ""
	if scope != nil {
		b, err := scope.MarshalCustom()
		if err != nil {
			s.errorf("Commands: can't encode the scope: %v", err)
			return nil
		}
		raw = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.scopeKeyLocked(raw)
	if err != nil {
		return nil
	}
	return slices.Clone(s.commands[key+"|"+lang])
}

// Description returns what setMyDescription stored for a language code.
func (s *Server) Description(lang string) string { return s.text("description", lang) }

// ShortDescription returns what setMyShortDescription stored for a
// language code.
func (s *Server) ShortDescription(lang string) string { return s.text("short_description", lang) }

func (s *Server) text(kind, lang string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.descriptions[kind+"|"+lang]
}

// Chat returns a chat the fake knows.
func (s *Server) Chat(id int64) (Chat, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[id]; cs != nil {
		return cs.chat, true
	}
	return Chat{}, false
}
