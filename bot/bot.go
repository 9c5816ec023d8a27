// Package bot is kpibot's Telegram transport: it takes updates by long
// polling or webhook, hands each to the conversation in package dialogs one
// chat at a time, and sends the answers back through the Bot API. The
// update id travels with the input: the conversation claims it in its first
// storage round trip, so a second delivery of an update is skipped there.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

// Handler answers one input; dialogs.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in dialogs.Input) (dialogs.Result, error)
	Failure(in dialogs.Input, l kpi.Lang, err error) dialogs.Result
}

// Config is how the bot reaches Telegram.
type Config struct {
	Token         string
	APIURL        string // Bot API base URL, "https://api.telegram.org" when empty
	WebhookURL    string // webhook mode when set, long polling otherwise
	WebhookSecret string
	PollTimeout   time.Duration // long-polling timeout, one minute when 0
	Log           *slog.Logger
	// NoReplyLimit turns off the per-chat pacing of replies; tests that
	// drive one chat at machine speed set it (chatlimit_test covers it).
	NoReplyLimit bool
	Metrics      *Metrics // nil: none
}

// allowedUpdates is the explicit list of update kinds the bot takes; an
// omitted list would keep whatever an earlier setWebhook asked for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member", "chat_member"}

// handleTimeout bounds the handling of one update.
const handleTimeout = time.Minute

// Bot connects Telegram to a Handler.
type Bot struct {
	cfg      Config
	base     context.Context // for handling updates: outlives a shutdown signal
	api      *tg.Bot
	call     *apiCaller // the replies' hot methods, on api's HTTP client
	h        Handler
	log      *slog.Logger
	chats    *serializer
	admins   admins
	files    *http.Client
	limit    *chatLimit // replies to users' own actions, within per-chat limits
	username string
}

// New checks the token with getMe and returns a Bot that hands updates to
// h. It fails when Telegram cannot be reached or refuses the token.
func New(ctx context.Context, cfg Config, h Handler) (*Bot, error) {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	b := &Bot{cfg: cfg, base: context.WithoutCancel(ctx), h: h, log: cfg.Log, chats: newSerializer(maxPending)}
	client := &http.Client{Timeout: cfg.PollTimeout + 10*time.Second, Transport: apiTransport()}
	b.call = newAPICaller(client, cfg.APIURL, cfg.Token)
	opts := []tg.Option{
		tg.WithSkipGetMe(),
		tg.WithNotAsyncHandlers(),
		tg.WithDefaultHandler(b.fromPolling),
		tg.WithAllowedUpdates(allowedUpdates),
		tg.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "err", err) }),
		tg.WithHTTPClient(cfg.PollTimeout, client),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(cfg.APIURL))
	}
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.api = api
	b.admins = admins{api}
	b.files = &http.Client{Timeout: time.Minute}
	b.limit = newChatLimit()
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %w", err)
	}
	b.username = me.Username
	return b, nil
}

// Username returns the bot's @username without the @.
func (b *Bot) Username() string { return b.username }

// IsAdmin reports whether user may change chat's settings (creator or
// administrator), asking Telegram each time.
func (b *Bot) IsAdmin(ctx context.Context, chat, user int64) (bool, error) {
	return b.admins.IsAdmin(ctx, chat, user)
}

// Run registers the command menus and takes updates until ctx is done:
// by long polling, or in webhook mode by registering WebhookURL (updates then
// arrive through WebhookHandler, served by the caller). It returns after the
// updates in flight are handled.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.setCommands(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	if b.cfg.WebhookURL != "" {
		if err := b.setWebhook(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		<-ctx.Done()
	} else {
		if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return fmt.Errorf("bot: deleteWebhook: %w", err)
		}
		b.log.Info("long polling started", "bot", b.username)
		b.api.Start(ctx)
	}
	b.chats.Close()
	b.log.Info("updates drained")
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func (b *Bot) setWebhook(ctx context.Context) error {
	_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{
		URL:            b.cfg.WebhookURL,
		SecretToken:    b.cfg.WebhookSecret,
		AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		return fmt.Errorf("bot: setWebhook: %w", err)
	}
	b.log.Info("webhook registered", "bot", b.username)
	return nil
}
