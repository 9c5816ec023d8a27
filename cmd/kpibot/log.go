package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// newLogger returns the process logger. Every message and attribute passes
// through a redactor that replaces the given secrets (the bot token and its
// secret half, a Redis password) with "***".
func newLogger(w io.Writer, c Config, secrets ...string) *slog.Logger {
	r := newRedactor(secrets...)
	opts := &slog.HandlerOptions{Level: c.LogLevel, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		return r.attr(a)
	}}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redactHandler{Handler: h, r: r})
}

type redactor struct{ secrets []string }

func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) >= 6 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

func (r redactor) text(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

func (r redactor) attr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.text(a.Value.String()))
	case slog.KindAny:
		a.Value = slog.StringValue(r.text(fmt.Sprint(a.Value.Any())))
	}
	return a
}

// redactHandler redacts the message; ReplaceAttr redacts the attributes.
type redactHandler struct {
	slog.Handler
	r redactor
}

func (h redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.text(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(a)
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return redactHandler{Handler: h.Handler.WithAttrs(as), r: h.r}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{Handler: h.Handler.WithGroup(name), r: h.r}
}

// redisLog carries go-redis's own log lines (failed dials while Redis is
// down) into our log, redacted like every other line, at warn level.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
