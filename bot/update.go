package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

// fromPolling is the library's handler: it only queues the update, so the
// single polling worker never waits on a slow chat.
func (b *Bot) fromPolling(ctx context.Context, _ *tg.Bot, upd *models.Update) {
	b.dispatch(upd)
}

// dispatch queues upd behind the earlier updates of its chat. It returns
// false when the bot is shutting down and the update was not taken.
func (b *Bot) dispatch(upd *models.Update) bool {
	chat := chatOf(upd)
	return b.chats.Do(chat, func() { b.handle(upd) })
}

// handle takes one update: skips a second delivery, answers it, and keeps a
// panic from leaving the chat without an answer or the process down.
func (b *Bot) handle(upd *models.Update) {
	ctx, cancel := context.WithTimeout(b.base, handleTimeout)
	defer cancel()
	in, callbackID, ok := toInput(upd, b.username)
	// Every line logged for this update names its chat, update and handler.
	log := b.log.With("chat", in.ChatID, "update", upd.ID, "handler", handlerName(in, ok))
	defer func() {
		if p := recover(); p != nil {
			b.cfg.Metrics.error("panic")
			log.Error("handler panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if ok {
				b.deliver(ctx, log, in, callbackID, b.h.Failure(in, "", fmt.Errorf("panic")))
			}
		}
	}()
	if !ok {
		log.Debug("update ignored")
		return
	}
	in.UpdateID = upd.ID
	start := time.Now()
	res, err := b.h.Handle(ctx, in)
	if err != nil {
		b.cfg.Metrics.error("handle")
		log.Error("handle update", "err", err)
	}
	b.deliver(ctx, log, in, callbackID, res)
	took := time.Since(start)
	b.cfg.Metrics.update(updateKind(in), took)
	log.Debug("update handled", "replies", len(res.Replies), "took", took.Round(time.Microsecond))
}

// handlerName names the part of the conversation an input goes to, for the
// log: "/log", "button:lg", "text", "event". Only the command name and the
// callback's verb are taken from user input, and only when they look like
// ours, so no message text reaches the log.
func handlerName(in dialogs.Input, ok bool) string {
	switch {
	case !ok:
		return "none"
	case in.Event != dialogs.EventNone:
		return "event"
	case in.Callback != "":
		parts := strings.SplitN(in.Callback, ":", 3)
		if len(parts) >= 2 && isWord(parts[1]) {
			return "button:" + parts[1]
		}
		return "button:?"
	case in.Command != "":
		if isWord(in.Command) {
			return "/" + in.Command
		}
		return "/?"
	case in.ReplyFile != nil:
		return "document"
	}
	return "text"
}

// isWord reports whether s is 1-32 ASCII letters, digits or underscores: a
// command name or a callback verb of ours.
func isWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// updateKind names an input for the metrics.
func updateKind(in dialogs.Input) string {
	switch {
	case in.Event != dialogs.EventNone:
		return "chat_member"
	case in.Callback != "":
		return "button"
	case in.Command != "":
		return "command"
	}
	return "text"
}

// chatOf returns the chat an update belongs to, for ordering.
func chatOf(upd *models.Update) int64 {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID
	case upd.EditedMessage != nil:
		return upd.EditedMessage.Chat.ID
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message; m.Message != nil {
			return m.Message.Chat.ID
		} else if m.InaccessibleMessage != nil {
			return m.InaccessibleMessage.Chat.ID
		}
		return upd.CallbackQuery.From.ID
	case upd.MyChatMember != nil:
		return upd.MyChatMember.Chat.ID
	case upd.ChatMember != nil:
		return upd.ChatMember.Chat.ID
	}
	return 0
}

// toInput translates an update the conversation cares about. It returns
// false for anything else: other bots' commands, edits, service messages.
func toInput(upd *models.Update, botName string) (in dialogs.Input, callbackID string, ok bool) {
	switch {
	case upd.Message != nil:
		in, ok = messageInput(upd.Message, botName)
		return in, "", ok
	case upd.CallbackQuery != nil:
		return callbackInput(upd.CallbackQuery)
	case upd.MyChatMember != nil:
		in, ok = memberInput(upd.MyChatMember)
		return in, "", ok
	}
	return in, "", false
}

func chatInput(c models.Chat, from *models.User) dialogs.Input {
	in := dialogs.Input{ChatID: c.ID, ChatType: chatType(c.Type), ChatTitle: c.Title}
	if from != nil {
		in.UserID = from.ID
		in.LangCode = from.LanguageCode
		in.UserName = from.FirstName
		if in.UserName == "" {
			in.UserName = "@" + from.Username
		}
	}
	return in
}

func messageInput(m *models.Message, botName string) (dialogs.Input, bool) {
	in := chatInput(m.Chat, m.From)
	in.MessageID = m.ID
	in.ThreadID = m.MessageThreadID
	in.AsChat = m.SenderChat != nil && m.SenderChat.ID == m.Chat.ID
	if r := m.ReplyToMessage; r != nil {
		in.ReplyTo = r.ID
		if d := r.Document; d != nil {
			in.ReplyFile = &dialogs.FileRef{ID: d.FileID, Name: d.FileName, Size: d.FileSize}
		}
	}
	if m.MigrateToChatID != 0 {
		in.Event, in.MigrateTo = dialogs.EventMigrated, m.MigrateToChatID
		return in, true
	}
	if m.From == nil && !in.AsChat {
		return in, false // a channel post
	}
	cmd, args, isCmd, forUs := parseCommand(m.Text, botName)
	switch {
	case isCmd && !forUs:
		return in, false
	case isCmd:
		in.Command, in.Args = cmd, args
	case m.Text != "":
		in.Text = m.Text
	default:
		return in, false
	}
	return in, true
}

func callbackInput(q *models.CallbackQuery) (dialogs.Input, string, bool) {
	var in dialogs.Input
	switch m := q.Message; {
	case m.Message != nil:
		in = chatInput(m.Message.Chat, &q.From)
		in.MessageID = m.Message.ID
		in.ThreadID = m.Message.MessageThreadID
	case m.InaccessibleMessage != nil:
		in = chatInput(m.InaccessibleMessage.Chat, &q.From)
		in.MessageID = m.InaccessibleMessage.MessageID
	default:
		return in, "", false // an inline-mode button: not ours
	}
	in.Callback = q.Data
	if in.Callback == "" {
		in.Callback = "-" // a game or an empty payload: handled as a stale button
	}
	return in, q.ID, true
}

func memberInput(u *models.ChatMemberUpdated) (dialogs.Input, bool) {
	in := chatInput(u.Chat, &u.From)
	if in.ChatType != kpi.ChatPrivate && !in.ChatType.IsGroup() {
		return in, false // a channel: not a workspace
	}
	was := u.OldChatMember.Type
	switch u.NewChatMember.Type {
	case models.ChatMemberTypeMember, models.ChatMemberTypeAdministrator:
		if was == models.ChatMemberTypeMember || was == models.ChatMemberTypeAdministrator {
			return in, false // promoted or demoted: still in the group
		}
		in.Event = dialogs.EventBotAdded
	case models.ChatMemberTypeLeft, models.ChatMemberTypeBanned:
		in.Event = dialogs.EventBotRemoved
	default:
		return in, false
	}
	return in, true
}

func chatType(t models.ChatType) kpi.ChatType { return kpi.ChatType(t) }

// parseCommand splits "/cmd@Bot args". isCmd is false for text that is not
// a command; forUs is false for a command addressed to another bot.
func parseCommand(text, botName string) (cmd, args string, isCmd, forUs bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false, false
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(word, "\n\t"); i >= 0 {
		word, rest = word[:i], word[i+1:]+" "+rest
	}
	name, target, addressed := strings.Cut(word, "@")
	if !validCommand(name) {
		return "", "", false, false
	}
	if addressed && !strings.EqualFold(target, botName) {
		return "", "", true, false
	}
	return strings.ToLower(name), strings.TrimSpace(rest), true, true
}

// validCommand reports whether s is a Telegram command name: 1-32 of
// [A-Za-z0-9_].
func validCommand(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
