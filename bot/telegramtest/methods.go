package telegramtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// methodSpec is one Bot API method the fake answers.
type methodSpec struct {
	name string
	fn   func(*Server, *callCtx) (any, *apiError)
	// blocking methods (getUpdates) take s.mu themselves; the others run
	// with it held.
	blocking bool
}

// methodTable maps lower-cased method names (Telegram ignores their case)
// to their handlers.
var methodTable = map[string]methodSpec{}

func init() {
	for _, m := range []methodSpec{
		{name: "getMe", fn: (*Server).getMe},
		{name: "getUpdates", fn: (*Server).getUpdates, blocking: true},
		{name: "setWebhook", fn: (*Server).setWebhook},
		{name: "deleteWebhook", fn: (*Server).deleteWebhook},
		{name: "getWebhookInfo", fn: (*Server).getWebhookInfo},
		{name: "sendMessage", fn: (*Server).sendMessage},
		{name: "sendPhoto", fn: (*Server).sendPhoto},
		{name: "sendDocument", fn: (*Server).sendDocument},
		{name: "editMessageText", fn: (*Server).editMessageText},
		{name: "editMessageCaption", fn: (*Server).editMessageCaption},
		{name: "editMessageReplyMarkup", fn: (*Server).editMessageReplyMarkup},
		{name: "deleteMessage", fn: (*Server).deleteMessage},
		{name: "getFile", fn: (*Server).getFile},
		{name: "answerCallbackQuery", fn: (*Server).answerCallbackQuery},
		{name: "setMyCommands", fn: (*Server).setMyCommands},
		{name: "getMyCommands", fn: (*Server).getMyCommands},
		{name: "deleteMyCommands", fn: (*Server).deleteMyCommands},
		{name: "getChat", fn: (*Server).getChat},
		{name: "getChatMember", fn: (*Server).getChatMember},
		{name: "getChatAdministrators", fn: (*Server).getChatAdministrators},
		{name: "sendChatAction", fn: (*Server).sendChatAction},
		{name: "setMyDescription", fn: descriptionSetter("description", "description")},
		{name: "getMyDescription", fn: descriptionGetter("description", "description")},
		{name: "setMyShortDescription", fn: descriptionSetter("short_description", "short_description")},
		{name: "getMyShortDescription", fn: descriptionGetter("short_description", "short_description")},
		{name: "setMyName", fn: descriptionSetter("name", "name")},
		{name: "getMyName", fn: descriptionGetter("name", "name")},
	} {
		methodTable[strings.ToLower(m.name)] = m
	}
}

// lookupChatIDLocked turns a chat_id parameter into a chat id: a number, or
// the @username of a group known to the fake.
func (s *Server) lookupChatIDLocked(raw string) (int64, bool) {
	raw = strings.TrimSpace(raw)
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		for id, cs := range s.chats {
			if cs.chat.Type != ChatPrivate && cs.chat.Username != "" && strings.EqualFold(cs.chat.Username, name) {
				return id, true
			}
		}
		return 0, false
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil
}

// access is what a method does with the chat it names.
type access int

const (
	readChat  access = iota // getChat, getChatMember, ...
	writeChat               // sending, editing, deleting, chat actions
)

// targetChatLocked resolves chat_id as Telegram does, with its errors for
// unknown, migrated, blocked and left chats.
func (s *Server) targetChatLocked(c *callCtx, mode access) (*chatState, *apiError) {
	raw := strings.TrimSpace(c.p.str("chat_id"))
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, ok := s.lookupChatIDLocked(raw)
	if !ok {
		return nil, badRequest("chat not found")
	}
	cs := s.chats[id]
	if cs == nil {
		if _, known := s.users[id]; known && mode == writeChat {
			return nil, forbidden("bot can't initiate conversation with a user")
		}
		return nil, badRequest("chat not found")
	}
	if cs.migratedTo != 0 {
		return nil, &apiError{
			Code:            http.StatusBadRequest,
			Description:     "Bad Request: group chat was upgraded to a supergroup chat",
			MigrateToChatID: cs.migratedTo,
		}
	}
	if cs.chat.Type == ChatPrivate {
		if mode == writeChat && (cs.blocked || cs.botStatus == StatusKicked) {
			return nil, forbidden("bot was blocked by the user")
		}
		return cs, nil
	}
	kind := cs.chat.Type
	switch {
	case cs.blocked || cs.botStatus == StatusKicked:
		return nil, forbidden("bot was kicked from the " + kind + " chat")
	case cs.botStatus == StatusLeft:
		return nil, forbidden("bot is not a member of the " + kind + " chat")
	}
	return cs, nil
}

// textContent validates and parses a message text.
func textContent(text, parseMode string) (formatted, *apiError) {
	if strings.TrimSpace(text) == "" {
		return formatted{}, badRequest("message text is empty")
	}
	f, err := formatText(text, parseMode)
	if err != nil {
		return f, err
	}
	if f.plain == "" {
		if f.tagged {
			return f, badRequest("text must be non-empty")
		}
		return f, badRequest("message text is empty")
	}
	if utf16Len(f.plain) > maxTextUTF16 {
		return f, badRequest("message is too long")
	}
	return f, nil
}

// captionContent validates and parses a caption (which may be empty).
func captionContent(caption, parseMode string) (formatted, *apiError) {
	if strings.TrimSpace(caption) == "" {
		return formatted{}, nil
	}
	f, err := formatText(caption, parseMode)
	if err != nil {
		return f, err
	}
	if utf16Len(f.plain) > maxCaptionUTF16 {
		return f, badRequest("message caption is too long")
	}
	return f, nil
}

// replyTargetLocked reads reply_parameters (or the older
// reply_to_message_id) and checks the replied message exists.
func (s *Server) replyTargetLocked(cs *chatState, p *params) (int, *apiError) {
	id := 0
	allow := p.boolean("allow_sending_without_reply")
	if raw := p.str("reply_parameters"); strings.TrimSpace(raw) != "" {
		var rp struct {
			MessageID int  `json:"message_id"`
			Allow     bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return 0, badRequest("can't parse reply parameters JSON object")
		}
		id, allow = rp.MessageID, allow || rp.Allow
	} else if v, ok := p.integer("reply_to_message_id"); ok {
		id = int(v)
	}
	if id == 0 {
		return 0, nil
	}
	if m := cs.byID[id]; m != nil && !m.deleted {
		return id, nil
	}
	if allow {
		return 0, nil
	}
	return 0, badRequest("message to be replied not found")
}

// newBotMessageLocked starts a bot message with the parameters every send
// method shares (thread, reply, markup), validated in Telegram's order.
func (s *Server) newBotMessageLocked(c *callCtx) (*chatState, *message, *parsedMarkup, *apiError) {
	if strings.TrimSpace(c.p.str("chat_id")) == "" {
		return nil, nil, nil, badRequest("chat_id is empty")
	}
	pm, err := parseReplyMarkup(c.p.str("reply_markup"))
	if err != nil {
		return nil, nil, nil, err
	}
	cs, err := s.targetChatLocked(c, writeChat)
	if err != nil {
		return nil, nil, nil, err
	}
	m := &message{seq: c.call.Seq, fromBot: true, from: s.BotUser()}
	if v, ok := c.p.integer("message_thread_id"); ok && v != 0 {
		m.threadID = int(v)
		m.topic = cs.chat.IsForum
	}
	return cs, m, pm, nil
}

// storeBotMessageLocked gives m its id and the markup, records its first
// version and returns it as Telegram answers.
func (s *Server) storeBotMessageLocked(c *callCtx, cs *chatState, m *message, pm *parsedMarkup) any {
	setMarkup(m, pm)
	s.addMessageLocked(cs, m)
	m.history = []Version{m.version(c.call.Seq, c.call.Method)}
	return s.messageWireLocked(m, true)
}

func setMarkup(m *message, pm *parsedMarkup) {
	m.markup, m.markupWire, m.markupKey = nil, nil, ""
	if pm != nil {
		m.markup, m.markupWire, m.markupKey = pm.markup, pm.wire, pm.key
	}
}

func (s *Server) sendMessage(c *callCtx) (any, *apiError) {
	cs, m, pm, err := s.newBotMessageLocked(c)
	if err != nil {
		return nil, err
	}
	f, err := textContent(c.p.str("text"), c.p.str("parse_mode"))
	if err != nil {
		return nil, err
	}
	if m.replyTo, err = s.replyTargetLocked(cs, c.p); err != nil {
		return nil, err
	}
	m.text, m.plain, m.entities, m.parseMode = c.p.str("text"), f.plain, f.entities, c.p.str("parse_mode")
	return s.storeBotMessageLocked(c, cs, m, pm), nil
}

func (s *Server) sendPhoto(c *callCtx) (any, *apiError) { return s.sendMedia(c, "photo") }

func (s *Server) sendDocument(c *callCtx) (any, *apiError) { return s.sendMedia(c, "document") }

func (s *Server) sendMedia(c *callCtx, kind string) (any, *apiError) {
	cs, m, pm, err := s.newBotMessageLocked(c)
	if err != nil {
		return nil, err
	}
	file, err := s.inputFileLocked(c.p, kind)
	if err != nil {
		return nil, err
	}
	f, err := captionContent(c.p.str("caption"), c.p.str("parse_mode"))
	if err != nil {
		return nil, err
	}
	if m.replyTo, err = s.replyTargetLocked(cs, c.p); err != nil {
		return nil, err
	}
	if kind == "photo" {
		m.photo = file
	} else {
		m.document = file
	}
	m.caption, m.plainCaption, m.captionEntities, m.parseMode = c.p.str("caption"), f.plain, f.entities, c.p.str("parse_mode")
	return s.storeBotMessageLocked(c, cs, m, pm), nil
}

// editTargetLocked finds the bot message an edit method names.
func (s *Server) editTargetLocked(c *callCtx) (*chatState, *message, *apiError) {
	if c.p.str("inline_message_id") != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID") // the fake has no inline messages
	}
	cs, err := s.targetChatLocked(c, writeChat)
	if err != nil {
		return nil, nil, err
	}
	id, ok := c.p.integer("message_id")
	if !ok || id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := cs.byID[int(id)]
	if m == nil || m.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.fromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return cs, m, nil
}

// editMarkup reads the reply_markup of an edit: only inline keyboards, and
// leaving it out removes the message's keyboard.
func editMarkup(p *params) (*parsedMarkup, *apiError) {
	pm, err := parseReplyMarkup(p.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	if pm != nil && !pm.inline {
		return nil, badRequest("inline keyboard expected")
	}
	return pm, nil
}

func markupKey(pm *parsedMarkup) string {
	if pm == nil {
		return ""
	}
	return pm.key
}

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

// finishEditLocked applies an edit's markup, records the new version and
// returns the message as Telegram answers.
func (s *Server) finishEditLocked(c *callCtx, m *message, pm *parsedMarkup) any {
	setMarkup(m, pm)
	m.editDate = time.Now()
	m.history = append(m.history, m.version(c.call.Seq, c.call.Method))
	return s.messageWireLocked(m, true)
}

func (s *Server) editMessageText(c *callCtx) (any, *apiError) {
	_, m, err := s.editTargetLocked(c)
	if err != nil {
		return nil, err
	}
	if m.photo != nil || m.document != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	f, err := textContent(c.p.str("text"), c.p.str("parse_mode"))
	if err != nil {
		return nil, err
	}
	pm, err := editMarkup(c.p)
	if err != nil {
		return nil, err
	}
	if f.plain == m.plain && sameEntities(f.entities, m.entities) && markupKey(pm) == m.markupKey {
		return nil, errNotModified
	}
	m.text, m.plain, m.entities, m.parseMode = c.p.str("text"), f.plain, f.entities, c.p.str("parse_mode")
	return s.finishEditLocked(c, m, pm), nil
}

func (s *Server) editMessageCaption(c *callCtx) (any, *apiError) {
	_, m, err := s.editTargetLocked(c)
	if err != nil {
		return nil, err
	}
	if m.photo == nil && m.document == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	f, err := captionContent(c.p.str("caption"), c.p.str("parse_mode"))
	if err != nil {
		return nil, err
	}
	pm, err := editMarkup(c.p)
	if err != nil {
		return nil, err
	}
	if f.plain == m.plainCaption && sameEntities(f.entities, m.captionEntities) && markupKey(pm) == m.markupKey {
		return nil, errNotModified
	}
	m.caption, m.plainCaption, m.captionEntities, m.parseMode = c.p.str("caption"), f.plain, f.entities, c.p.str("parse_mode")
	return s.finishEditLocked(c, m, pm), nil
}

func (s *Server) editMessageReplyMarkup(c *callCtx) (any, *apiError) {
	_, m, err := s.editTargetLocked(c)
	if err != nil {
		return nil, err
	}
	pm, err := editMarkup(c.p)
	if err != nil {
		return nil, err
	}
	if markupKey(pm) == m.markupKey {
		return nil, errNotModified
	}
	return s.finishEditLocked(c, m, pm), nil
}

// sameEntities reports whether two entity lists format a text alike.
func sameEntities(a, b []models.MessageEntity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Type != y.Type || x.Offset != y.Offset || x.Length != y.Length ||
			x.URL != y.URL || x.Language != y.Language || x.CustomEmojiID != y.CustomEmojiID {
			return false
		}
	}
	return true
}

func (s *Server) deleteMessage(c *callCtx) (any, *apiError) {
	cs, err := s.targetChatLocked(c, writeChat)
	if err != nil {
		return nil, err
	}
	id, ok := c.p.integer("message_id")
	if !ok || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	m := cs.byID[int(id)]
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	if !m.fromBot && cs.chat.Type != ChatPrivate && !isAdminStatus(cs.botStatus) {
		return nil, badRequest("message can't be deleted")
	}
	m.deleted = true
	return true, nil
}

func isAdminStatus(status string) bool {
	return status == StatusCreator || status == StatusAdministrator
}
