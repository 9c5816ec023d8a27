package bot

import (
	"bytes"
	"context"
	"errors"
	"html"
	"log/slog"
	"regexp"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/dialogs"
)

// inlineKeyboard and inlineButton are the reply markup we send. The
// library's own button type always serialises an empty copy_text object, so
// these carry only the fields we use.
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// maxRetryAfter caps how long a reply waits on a 429 before giving up.
const maxRetryAfter = 30 * time.Second

// deliver carries out a Result: the button press is answered first (the
// user's client shows a spinner until then), then the replies go out in order.
// Its log lines go to log, which names the update.
func (b *Bot) deliver(ctx context.Context, log *slog.Logger, in dialogs.Input, callbackID string, res dialogs.Result) {
	if callbackID != "" {
		err := b.call.AnswerCallbackQuery(ctx, &answerCallbackRequest{CallbackQueryID: callbackID, Text: toast(res.Notice)})
		if err != nil && !strings.Contains(err.Error(), "query is too old") {
			log.Warn("answer callback", "err", redactQuoted(err.Error()))
		}
	}
	ids := make([]int, len(res.Replies))
	for i, r := range res.Replies {
		if err := b.pace(ctx, in); err != nil {
			log.Warn("reply dropped at shutdown")
			break
		}
		id, err := b.reply(ctx, in, r)
		if err != nil {
			b.cfg.Metrics.error("send")
			log.Error("send reply", "err", redactQuoted(err.Error()))
			break
		}
		ids[i] = id
	}
	if res.Sent != nil {
		if err := res.Sent(ctx, ids); err != nil {
			log.Error("record sent messages", "err", err)
		}
	}
}

// reply sends or edits one message and returns its id, waiting out a 429
// (a reply to a user's own action).
func (b *Bot) reply(ctx context.Context, in dialogs.Input, r dialogs.Reply) (int, error) {
	return b.send(ctx, in, r, retry429)
}

// sendOnce is reply without the 429 wait: the outbox pauses everything on
// a 429 itself, so a send of its own makes one request.
func (b *Bot) sendOnce(ctx context.Context, in dialogs.Input, r dialogs.Reply) (int, error) {
	return b.send(ctx, in, r, func(_ context.Context, f func() error) error { return f() })
}

// send makes the request(s) for one reply, each through try, and counts
// what went out and every 429.
func (b *Bot) send(ctx context.Context, in dialogs.Input, r dialogs.Reply, try func(context.Context, func() error) error) (int, error) {
	id, err := b.sendRaw(ctx, in, r, func(ctx context.Context, f func() error) error {
		return try(ctx, func() error {
			err := f()
			var tooMany *tg.TooManyRequestsError
			if errors.As(err, &tooMany) {
				b.cfg.Metrics.limited()
			}
			return err
		})
	})
	if err == nil {
		b.cfg.Metrics.sentOne()
	}
	return id, err
}

func (b *Bot) sendRaw(ctx context.Context, in dialogs.Input, r dialogs.Reply, try func(context.Context, func() error) error) (int, error) {
	if r.Edit != 0 && r.KeepText {
		req := &editMarkupRequest{ChatID: in.ChatID, MessageID: r.Edit, ReplyMarkup: markup(r)}
		err := try(ctx, func() error { return b.call.EditMessageReplyMarkup(ctx, req) })
		if err != nil && !isNotModified(err) && !isEditGone(err) {
			return 0, err
		}
		return r.Edit, nil
	}
	if r.Edit != 0 {
		req := &editTextRequest{
			ChatID: in.ChatID, MessageID: r.Edit, Text: r.Text,
			ParseMode: models.ParseModeHTML, ReplyMarkup: markup(r),
		}
		err := try(ctx, func() error { return b.call.EditMessageText(ctx, req) })
		switch {
		case err == nil, isNotModified(err):
			return r.Edit, nil
		case !isEditGone(err):
			return 0, err
		}
		// The message is gone or too old to edit: say it anew.
	}
	if r.Photo != nil || r.Document != nil {
		return b.sendFile(ctx, in, r, try)
	}
	req := &sendMessageRequest{
		ChatID: in.ChatID, MessageThreadID: in.ThreadID, Text: r.Text,
		ParseMode: models.ParseModeHTML, ReplyMarkup: markup(r),
	}
	if r.ReplyTo != 0 {
		req.ReplyParameters = &replyParameters{MessageID: r.ReplyTo, AllowSendingWithoutReply: true}
	}
	var id int
	err := try(ctx, func() error {
		n, err := b.call.SendMessage(ctx, req)
		if err == nil {
			id = n
		}
		return err
	})
	return id, err
}

// markup returns the reply markup of r, or nil for none.
func markup(r dialogs.Reply) models.ReplyMarkup {
	switch {
	case r.ForceReply:
		return &models.ForceReply{ForceReply: true, Selective: true, InputFieldPlaceholder: r.Placeholder}
	case r.Edit != 0 || len(r.Buttons) > 0:
		// An edit with no buttons sends an empty keyboard, which removes
		// the old one: finished steps keep no live buttons.
		kb := inlineKeyboard{InlineKeyboard: make([][]inlineButton, 0, len(r.Buttons))}
		for _, row := range r.Buttons {
			out := make([]inlineButton, 0, len(row))
			for _, btn := range row {
				out = append(out, inlineButton{Text: btn.Text, CallbackData: btn.Data})
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, out)
		}
		return kb
	}
	return nil
}

// retry429 calls send, and again after Telegram's retry_after when it
// answers 429, at most twice more and never past maxRetryAfter.
func retry429(ctx context.Context, send func() error) error {
	err := send()
	for i := 0; i < 2; i++ {
		var tooMany *tg.TooManyRequestsError
		if !errors.As(err, &tooMany) {
			return err
		}
		wait := time.Duration(tooMany.RetryAfter) * time.Second
		if wait > maxRetryAfter {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		err = send()
	}
	return err
}

func isNotModified(err error) bool {
	return errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

func isEditGone(err error) bool {
	if !errors.Is(err, tg.ErrorBadRequest) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "message to edit not found") || strings.Contains(msg, "message can't be edited")
}

// sendFile sends a reply's picture or document with its text as caption.
func (b *Bot) sendFile(ctx context.Context, in dialogs.Input, r dialogs.Reply, try func(context.Context, func() error) error) (int, error) {
	var reply *models.ReplyParameters
	if r.ReplyTo != 0 {
		reply = &models.ReplyParameters{MessageID: r.ReplyTo, AllowSendingWithoutReply: true}
	}
	var id int
	err := try(ctx, func() error {
		var m *models.Message
		var err error
		if r.Photo != nil {
			m, err = b.api.SendPhoto(ctx, &tg.SendPhotoParams{
				ChatID: in.ChatID, MessageThreadID: in.ThreadID, Caption: r.Text, ParseMode: models.ParseModeHTML,
				Photo:           &models.InputFileUpload{Filename: r.Photo.Name, Data: bytes.NewReader(r.Photo.Data)},
				ReplyParameters: reply, ReplyMarkup: markup(r),
			})
		} else {
			m, err = b.api.SendDocument(ctx, &tg.SendDocumentParams{
				ChatID: in.ChatID, MessageThreadID: in.ThreadID, Caption: r.Text, ParseMode: models.ParseModeHTML,
				Document:        &models.InputFileUpload{Filename: r.Document.Name, Data: bytes.NewReader(r.Document.Data)},
				ReplyParameters: reply, ReplyMarkup: markup(r),
			})
		}
		if err == nil {
			id = m.ID
		}
		return err
	})
	return id, err
}

// pace waits until a reply to in's chat fits the per-chat limits.
func (b *Bot) pace(ctx context.Context, in dialogs.Input) error {
	if b.cfg.NoReplyLimit {
		return nil
	}
	return b.limit.Wait(ctx, in.ChatID, in.ChatType.IsGroup())
}

var htmlTags = regexp.MustCompile(`<[^>]*>`)

// toast makes a notice fit a callback answer: plain text (no HTML), at most
// 200 characters.
func toast(s string) string {
	s = html.UnescapeString(htmlTags.ReplaceAllString(s, ""))
	if r := []rune(s); len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return s
}
