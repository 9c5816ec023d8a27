package telegramtest

import (
	"bytes"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"
)

// Chat types, as in Chat.Type.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
)

// Chat member statuses, as getChatMember reports them.
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusRestricted    = "restricted"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// GroupAnonymousBotID is the user id Telegram puts in "from" of messages an
// anonymous group administrator sends.
const GroupAnonymousBotID int64 = 1087968824

// User is a Telegram user on the test side.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
	IsBot        bool
}

// Chat is a chat known to the fake.
type Chat struct {
	ID        int64
	Type      string // ChatPrivate, ChatGroup or ChatSupergroup
	Title     string // groups
	Username  string
	FirstName string // private chats
	LastName  string
	IsForum   bool
}

// Button is one inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
	WebAppURL    string
	CopyText     string
}

// Markup is the reply markup of a message, decoded.
type Markup struct {
	InlineKeyboard [][]Button // inline keyboard rows; nil for other kinds
	Keyboard       [][]string // reply keyboard button texts
	ForceReply     bool
	RemoveKeyboard bool

	Selective             bool
	InputFieldPlaceholder string
	ResizeKeyboard        bool
	OneTimeKeyboard       bool
	IsPersistent          bool
}

// Buttons returns the inline buttons row by row, flattened.
func (m *Markup) Buttons() []Button {
	if m == nil {
		return nil
	}
	var out []Button
	for _, row := range m.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

// Button returns the inline button with the given visible text.
func (m *Markup) Button(text string) (Button, bool) {
	for _, b := range m.Buttons() {
		if b.Text == text {
			return b, true
		}
	}
	return Button{}, false
}

func (m *Markup) clone() *Markup {
	if m == nil {
		return nil
	}
	c := *m
	c.InlineKeyboard = nil
	for _, row := range m.InlineKeyboard {
		c.InlineKeyboard = append(c.InlineKeyboard, slices.Clone(row))
	}
	c.Keyboard = nil
	for _, row := range m.Keyboard {
		c.Keyboard = append(c.Keyboard, slices.Clone(row))
	}
	return &c
}

// Version is the content of a bot message at one point: as sent, or after an
// edit.
type Version struct {
	Seq          int64  // sequence number of the call that produced it
	Method       string // sendMessage, editMessageText, ...
	At           time.Time
	Text         string // as the bot sent it, markup included
	PlainText    string // as a user sees it
	Caption      string
	PlainCaption string
	ParseMode    string
	Markup       *Markup
}

// Message is a read-only snapshot of a message in a chat.
type Message struct {
	ID         int
	ChatID     int64
	ThreadID   int   // message_thread_id, 0 when none
	Seq        int64 // sequence number of the call or event that created it
	Date       time.Time
	FromBot    bool
	From       User  // the sender; the bot for bot messages
	SenderChat *Chat // set for anonymous administrators

	Text            string // as the bot sent it (markup included) or the user typed it
	PlainText       string // the text as Telegram shows it: markup parsed, trimmed
	Entities        []models.MessageEntity
	Caption         string
	PlainCaption    string
	CaptionEntities []models.MessageEntity
	ParseMode       string
	Markup          *Markup // nil when the message has none
	ReplyTo         int     // id of the message this one replies to, 0 when none

	Photo          []byte
	PhotoFileID    string
	Document       []byte
	DocumentName   string
	DocumentMIME   string
	DocumentFileID string

	MigrateToChatID   int64 // service message in the old group
	MigrateFromChatID int64 // service message in the new supergroup

	History []Version // the content as sent, then after each edit
	Deleted bool
}

// Edited reports whether the message was edited.
func (m Message) Edited() bool { return len(m.History) > 1 }

// Buttons returns the message's current inline buttons, flattened.
func (m Message) Buttons() []Button { return m.Markup.Buttons() }

// Button returns the current inline button with the given visible text.
func (m Message) Button(text string) (Button, bool) { return m.Markup.Button(text) }

// storedFile is a file the bot uploaded (or a user sent), found by file_id.
// Its data is never changed once stored.
type storedFile struct {
	id, uniqueID  string
	kind          string // "photo" or "document"
	name, mime    string
	data          []byte
	width, height int
	path          string // file_path, given by the first getFile
}

// chatState is one chat with its messages.
type chatState struct {
	chat       Chat
	lastID     int
	messages   []*message
	byID       map[int]*message
	members    map[int64]string // status by user id
	botStatus  string
	started    bool // private chat: the user has written to the bot
	blocked    bool // BlockChat: every write answers 403
	migratedTo int64
}

func newChatState(c Chat) *chatState {
	return &chatState{chat: c, byID: map[int]*message{}, members: map[int64]string{}, botStatus: StatusMember}
}

// content is what a message holds (and an edit can change).
type content struct {
	text, plain           string
	entities              []models.MessageEntity
	caption, plainCaption string
	captionEntities       []models.MessageEntity
	parseMode             string
	markup                *Markup
	markupWire            any    // inline keyboard as echoed back, nil for none
	markupKey             string // canonical inline keyboard, for "not modified"
	photo, document       *storedFile
	migrateTo             int64
	migrateFrom           int64
	newMembers            []User
}

// message is a message in a chat.
type message struct {
	seq        int64
	id         int
	chatID     int64
	threadID   int
	topic      bool
	fromBot    bool
	from       User
	senderChat *Chat
	date       time.Time
	editDate   time.Time
	replyTo    int
	content
	history []Version
	deleted bool
}

func (m *message) version(seq int64, method string) Version {
	return Version{
		Seq: seq, Method: method, At: time.Now(),
		Text: m.text, PlainText: m.plain, Caption: m.caption, PlainCaption: m.plainCaption,
		ParseMode: m.parseMode, Markup: m.markup.clone(),
	}
}

func (m *message) snapshot() Message {
	out := Message{
		ID: m.id, ChatID: m.chatID, ThreadID: m.threadID, Seq: m.seq, Date: m.date,
		FromBot: m.fromBot, From: m.from,
		Text: m.text, PlainText: m.plain, Entities: slices.Clone(m.entities),
		Caption: m.caption, PlainCaption: m.plainCaption, CaptionEntities: slices.Clone(m.captionEntities),
		ParseMode: m.parseMode, Markup: m.markup.clone(), ReplyTo: m.replyTo,
		MigrateToChatID: m.migrateTo, MigrateFromChatID: m.migrateFrom,
		Deleted: m.deleted,
	}
	if m.senderChat != nil {
		c := *m.senderChat
		out.SenderChat = &c
	}
	if m.photo != nil {
		out.Photo = bytes.Clone(m.photo.data)
		out.PhotoFileID = m.photo.id
	}
	if m.document != nil {
		out.Document = bytes.Clone(m.document.data)
		out.DocumentName = m.document.name
		out.DocumentMIME = m.document.mime
		out.DocumentFileID = m.document.id
	}
	for _, v := range m.history {
		v.Markup = v.Markup.clone()
		out.History = append(out.History, v)
	}
	return out
}

// wire helpers: the JSON Telegram sends, as maps (keys are sorted when
// encoded, which Telegram's clients do not care about).

func (u User) wire() map[string]any {
	w := map[string]any{"id": u.ID, "is_bot": u.IsBot, "first_name": firstNameOf(u)}
	if u.LastName != "" {
		w["last_name"] = u.LastName
	}
	if u.Username != "" {
		w["username"] = u.Username
	}
	if u.LanguageCode != "" {
		w["language_code"] = u.LanguageCode
	}
	return w
}

func firstNameOf(u User) string {
	if u.FirstName == "" {
		return "User"
	}
	return u.FirstName
}

func (c Chat) wire() map[string]any {
	w := map[string]any{"id": c.ID, "type": c.Type}
	if c.Type == ChatPrivate {
		w["first_name"] = c.FirstName
		if c.LastName != "" {
			w["last_name"] = c.LastName
		}
	} else {
		w["title"] = c.Title
	}
	if c.Username != "" {
		w["username"] = c.Username
	}
	if c.IsForum {
		w["is_forum"] = true
	}
	return w
}

// messageWireLocked renders a message as Telegram sends it; withReply adds
// the replied message (one level deep, as Telegram does).
func (s *Server) messageWireLocked(m *message, withReply bool) map[string]any {
	cs := s.chats[m.chatID]
	w := map[string]any{
		"message_id": m.id,
		"date":       m.date.Unix(),
		"chat":       cs.chat.wire(),
		"from":       m.from.wire(),
	}
	if m.senderChat != nil {
		w["sender_chat"] = m.senderChat.wire()
	}
	if m.threadID != 0 {
		w["message_thread_id"] = m.threadID
		if m.topic {
			w["is_topic_message"] = true
		}
	}
	if !m.editDate.IsZero() {
		w["edit_date"] = m.editDate.Unix()
	}
	if m.plain != "" {
		w["text"] = m.plain
		if len(m.entities) > 0 {
			w["entities"] = m.entities
		}
	}
	if m.plainCaption != "" {
		w["caption"] = m.plainCaption
		if len(m.captionEntities) > 0 {
			w["caption_entities"] = m.captionEntities
		}
	}
	if m.photo != nil {
		w["photo"] = []map[string]any{{
			"file_id": m.photo.id, "file_unique_id": m.photo.uniqueID,
			"width": m.photo.width, "height": m.photo.height, "file_size": len(m.photo.data),
		}}
	}
	if m.document != nil {
		d := map[string]any{
			"file_id": m.document.id, "file_unique_id": m.document.uniqueID,
			"file_size": len(m.document.data),
		}
		if m.document.name != "" {
			d["file_name"] = m.document.name
		}
		if m.document.mime != "" {
			d["mime_type"] = m.document.mime
		}
		w["document"] = d
	}
	if m.markupWire != nil {
		w["reply_markup"] = m.markupWire
	}
	if m.migrateTo != 0 {
		w["migrate_to_chat_id"] = m.migrateTo
	}
	if m.migrateFrom != 0 {
		w["migrate_from_chat_id"] = m.migrateFrom
	}
	if len(m.newMembers) > 0 {
		var ms []map[string]any
		for _, u := range m.newMembers {
			ms = append(ms, u.wire())
		}
		w["new_chat_members"] = ms
		w["new_chat_member"] = ms[0]
		w["new_chat_participant"] = ms[0]
	}
	if withReply && m.replyTo != 0 {
		if r := cs.byID[m.replyTo]; r != nil && !r.deleted {
			w["reply_to_message"] = s.messageWireLocked(r, false)
		}
	}
	return w
}

// userLocked returns what the fake knows about a user id.
func (s *Server) userLocked(id int64) User {
	if id == s.botID {
		return s.BotUser()
	}
	if id == GroupAnonymousBotID {
		return anonymousAdmin
	}
	if u, ok := s.users[id]; ok {
		return u
	}
	return User{ID: id, FirstName: "User"}
}

var anonymousAdmin = User{ID: GroupAnonymousBotID, FirstName: "Group", Username: "GroupAnonymousBot", IsBot: true}

// rememberUserLocked records a user for getChatMember and friends.
func (s *Server) rememberUserLocked(u User) {
	if u.ID != 0 && u.ID != s.botID && u.ID != GroupAnonymousBotID {
		s.users[u.ID] = u
	}
}

// addMessageLocked gives m the chat's next message id and stores it.
func (s *Server) addMessageLocked(cs *chatState, m *message) {
	cs.lastID++
	m.id = cs.lastID
	m.chatID = cs.chat.ID
	if m.date.IsZero() {
		m.date = time.Now()
	}
	cs.messages = append(cs.messages, m)
	cs.byID[m.id] = m
}
