package telegramtest

import (
	"regexp"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// SendOption adjusts a user message.
type SendOption func(*sendOptions)

type sendOptions struct {
	threadID int
	replyTo  int
}

// ReplyTo makes the message a reply to message id of the same chat (for
// SendAsAnonymousAdmin; SendReply takes the id itself).
func ReplyTo(id int) SendOption {
	return func(o *sendOptions) { o.replyTo = id }
}

// InThread sends the message into a forum topic (or reply thread):
// message_thread_id, and is_topic_message in a forum.
func InThread(threadID int) SendOption {
	return func(o *sendOptions) { o.threadID = threadID }
}

// SendText has from write text into chat (creating the chat when new) and
// queues the "message" update, with a bot_command entity when text starts
// with a command and mention entities for @usernames. In a group where the
// bot is not an administrator, privacy mode (see WithPrivacyMode) keeps
// messages that are not commands, mentions of the bot or replies to it from
// the bot, as Telegram does. It returns the stored message.
func (s *Server) SendText(chat Chat, from User, text string, opts ...SendOption) Message {
	return s.userMessage(chat, from, nil, s.typed(text), 0, opts)
}

// SendReply is SendText replying to message replyTo of the same chat; the
// update carries the full replied message in reply_to_message.
func (s *Server) SendReply(chat Chat, from User, text string, replyTo int, opts ...SendOption) Message {
	return s.userMessage(chat, from, nil, s.typed(text), replyTo, opts)
}

// SendAsAnonymousAdmin has an anonymous administrator write text into a
// group: from is GroupAnonymousBot (1087968824) and sender_chat the group.
func (s *Server) SendAsAnonymousAdmin(group Chat, text string, opts ...SendOption) Message {
	sc := group
	return s.userMessage(group, anonymousAdmin, &sc, s.typed(text), 0, opts)
}

// typed fills a user message with text as a user typed it.
func (s *Server) typed(text string) func(*message) {
	return func(m *message) { m.text, m.plain, m.entities = text, text, s.userEntities(text) }
}

// userMessage stores a message from a user (fill, called with s.mu held,
// sets its content) and queues its update when the bot sees it.
func (s *Server) userMessage(chat Chat, from User, senderChat *Chat, fill func(*message), replyTo int, opts []SendOption) Message {
	var o sendOptions
	for _, f := range opts {
		f(&o)
	}
	if replyTo == 0 {
		replyTo = o.replyTo
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if chat.Type == ChatPrivate && from.ID != chat.ID {
		s.errorf("user %d can't write into the private chat of user %d", from.ID, chat.ID)
	}
	cs := s.ensureChatLocked(chat)
	if cs.migratedTo != 0 {
		s.errorf("chat %d was upgraded to the supergroup %d; write there", chat.ID, cs.migratedTo)
	}
	s.rememberUserLocked(from)
	if cs.chat.Type == ChatPrivate {
		cs.started = true
	}
	m := &message{seq: s.nextSeqLocked(), from: from, senderChat: senderChat, replyTo: replyTo, threadID: o.threadID}
	m.topic = o.threadID != 0 && cs.chat.IsForum
	fill(m)
	if replyTo != 0 {
		if r := cs.byID[replyTo]; r == nil || r.deleted {
			s.errorf("message %d to reply to is not in chat %d", replyTo, chat.ID)
		}
	}
	s.addMessageLocked(cs, m)
	m.history = []Version{m.version(m.seq, "")}
	if s.botSeesLocked(cs, m) {
		s.enqueueLocked("message", s.messageWireLocked(m, true))
	}
	s.bumpLocked()
	return m.snapshot()
}

// EditText has the author of a user message edit it (its caption, for a
// document), queueing an "edited_message" update. It returns the edited
// message.
func (s *Server) EditText(chat Chat, from User, messageID int, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chat.ID]
	var m *message
	if cs != nil {
		m = cs.byID[messageID]
	}
	if m == nil || m.deleted || m.fromBot || m.from.ID != from.ID {
		s.errorf("EditText: user %d has no message %d in chat %d", from.ID, messageID, chat.ID)
		return Message{}
	}
	seq := s.nextSeqLocked()
	if m.document != nil || m.photo != nil {
		m.caption, m.plainCaption, m.captionEntities = text, text, s.userEntities(text)
	} else {
		m.text, m.plain, m.entities = text, text, s.userEntities(text)
	}
	m.editDate = time.Now()
	m.history = append(m.history, m.version(seq, ""))
	if s.botSeesLocked(cs, m) {
		s.enqueueLocked("edited_message", s.messageWireLocked(m, true))
	}
	s.bumpLocked()
	return m.snapshot()
}

var (
	commandPrefixRE = regexp.MustCompile(`^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?`)
	mentionRE       = regexp.MustCompile(`(^|[^A-Za-z0-9_@])(@[A-Za-z0-9_]{4,32})`)
)

// userEntities finds the entities Telegram's clients mark in what a user
// types: a bot command at the start, and @mentions.
func (s *Server) userEntities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	if loc := commandPrefixRE.FindStringIndex(text); loc != nil {
		end := loc[1]
		if end == len(text) || !isWordByte(text[end]) {
			out = append(out, models.MessageEntity{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(text[:end])})
		}
	}
	for _, loc := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := loc[4], loc[5]
		if len(out) > 0 && out[0].Type == models.MessageEntityTypeBotCommand && start < len(commandPrefixRE.FindString(text)) {
			continue // the @bot of /cmd@bot
		}
		out = append(out, models.MessageEntity{
			Type: models.MessageEntityTypeMention, Offset: utf16Len(text[:start]), Length: utf16Len(text[start:end]),
		})
	}
	return out
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// botSeesLocked applies group privacy mode: whether the bot gets an update
// for user message m. A command or mention in a document's caption counts
// as in a text.
func (s *Server) botSeesLocked(cs *chatState, m *message) bool {
	if cs.chat.Type == ChatPrivate {
		return !cs.blocked
	}
	if cs.botStatus == StatusLeft || cs.botStatus == StatusKicked {
		return false
	}
	if !s.privacy || isAdminStatus(cs.botStatus) {
		return true
	}
	if s.addressesBot(m.plain, m.entities) || s.addressesBot(m.plainCaption, m.captionEntities) {
		return true
	}
	if m.replyTo != 0 {
		if r := cs.byID[m.replyTo]; r != nil && r.fromBot {
			return true
		}
	}
	return false
}

// addressesBot reports whether a text has a command for the bot (or for
// every bot) or a mention of it.
func (s *Server) addressesBot(text string, entities []models.MessageEntity) bool {
	for _, e := range entities {
		frag := text[byteIndexOfUTF16(text, e.Offset):byteIndexOfUTF16(text, e.Offset+e.Length)]
		switch e.Type {
		case models.MessageEntityTypeBotCommand:
			_, target, addressed := strings.Cut(frag, "@")
			if !addressed || strings.EqualFold(target, s.botUser) {
				return true
			}
		case models.MessageEntityTypeMention:
			if strings.EqualFold(strings.TrimPrefix(frag, "@"), s.botUser) {
				return true
			}
		}
	}
	return false
}
