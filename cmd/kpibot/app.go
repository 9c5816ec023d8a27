package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/storage"
	"github.com/kpibot/kpibot/storage/embedded"
)

// Main is the wired program: end-to-end tests run the same Main the binary
// runs, against a fake Telegram.
type Main struct {
	Config Config
	Log    *slog.Logger
	// Listener, when set before Open, serves HTTP instead of listening on
	// HTTP_ADDR (tests that need the port before the webhook URL).
	Listener net.Listener

	emb   *embedded.Server // nil when REDIS_URL is set
	rdb   redis.UniversalClient
	store *storage.Store
	bot   *bot.Bot
	sched *bot.Scheduler
	out   *bot.Outbox
	reg   *prometheus.Registry
	ln    net.Listener
	http  *http.Server

	// wrap, when set by a test, wraps the conversation handler.
	wrap func(bot.Handler) bot.Handler
	// now, when set by a test, is the conversation's clock.
	now func() time.Time
	// noReplyLimit, set by tests that click at machine speed, turns off the
	// per-chat pacing of replies, and the per-user flood limit unless
	// floodClock is set too.
	noReplyLimit bool
	// floodClock, set by a test, is the flood limit's clock.
	floodClock func() time.Time
	// tickEvery, set by tests, is the scheduler's tick (a minute when 0).
	tickEvery time.Duration
	// pollTimeout, set by tests, is the long-polling timeout (a minute when
	// 0); Telegram's HTTP client gives up 10 s after it.
	pollTimeout time.Duration
}

// NewMain returns a Main that logs to w, with the token and any Redis
// password redacted from every line.
func NewMain(cfg Config, w io.Writer) *Main {
	secrets := []string{cfg.Token}
	if _, secret, ok := strings.Cut(cfg.Token, ":"); ok {
		secrets = append(secrets, secret)
	}
	if u, err := url.Parse(cfg.RedisURL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	return &Main{Config: cfg, Log: newLogger(w, cfg, secrets...)}
}

// Open opens the store, checks the token with Telegram and binds HTTP_ADDR.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	m.Log.Info("starting kpibot", "config", c.String())
	if c.RedisURL == "" {
		emb, err := embedded.Open(ctx, c.DataDir, embedded.WithLogger(m.Log))
		if err != nil {
			return fmt.Errorf("embedded store in DATA_DIR %s: %w", c.DataDir, err)
		}
		m.emb, m.rdb = emb, emb.Client()
	} else {
		redis.SetLogger(redisLog{m.Log})
		rdb, err := storage.NewClient(c.RedisURL)
		if err != nil {
			return &ConfigError{"REDIS_URL", err.Error()}
		}
		m.rdb = rdb
	}
	m.out = bot.NewOutbox(bot.RealClock(), m.Log)
	m.reg = prometheus.NewRegistry()
	metrics := bot.NewMetrics(m.reg, m.out.Len)
	m.rdb.AddHook(metrics.RedisHook())
	m.store = storage.New(m.rdb)
	if err := m.store.Ping(ctx); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	engine := &dialogs.Engine{Store: m.store, DefaultLang: c.DefaultLang, DefaultTZ: c.DefaultTZ, Now: time.Now}
	if m.now != nil {
		engine.Now = m.now
	}
	engine.FloodClock = m.floodClock
	engine.NoFlood = m.noReplyLimit && m.floodClock == nil
	var h bot.Handler = engine
	if m.wrap != nil {
		h = m.wrap(h)
	}
	b, err := bot.New(ctx, bot.Config{
		Token: c.Token, APIURL: c.APIURL, WebhookURL: c.WebhookURL, WebhookSecret: c.WebhookSecret, Log: m.Log,
		NoReplyLimit: m.noReplyLimit, Metrics: metrics, PollTimeout: m.pollTimeout,
	}, h)
	if err != nil {
		return err
	}
	engine.Admins, engine.Files = b, b
	m.bot = b
	m.sched = &bot.Scheduler{Store: m.store, Reports: engine, Bot: b, Now: engine.Now, Log: m.Log, Outbox: m.out, Every: m.tickEvery}
	m.ln = m.Listener
	if m.ln == nil {
		ln, err := net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			return &ConfigError{"HTTP_ADDR", fmt.Sprintf("cannot be listened on: %v", err)}
		}
		m.ln = ln
	}
	m.http = &http.Server{Handler: m.routes(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	return nil
}

// HTTPAddr returns the address HTTP is served on (useful with port 0).
func (m *Main) HTTPAddr() string { return m.ln.Addr().String() }

func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	// Ready: Telegram answered getMe at start (Open fails otherwise) and the
	// store answers now.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := m.store.Ping(ctx); err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	if m.Config.WebhookURL != "" {
		path := "/"
		if u, err := url.Parse(m.Config.WebhookURL); err == nil && u.Path != "" {
			path = u.Path
		}
		mux.Handle("POST "+path, m.bot.WebhookHandler())
	}
	return mux
}

// Run serves until ctx is done, then shuts down in order: HTTP stops
// taking webhook calls, then the bot stops polling and finishes the updates
// in flight. It returns nil after a clean stop.
func (m *Main) Run(ctx context.Context) error {
	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	httpErr := make(chan error, 1)
	go func() { httpErr <- m.http.Serve(m.ln) }()
	botErr := make(chan error, 1)
	go func() { botErr <- m.bot.Run(botCtx) }()
	schedDone := make(chan struct{})
	go func() { defer close(schedDone); m.sched.Run(botCtx) }()
	outDone := make(chan struct{})
	go func() { defer close(outDone); m.out.Run(botCtx) }()

	var err error
	botDone := false
	select {
	case <-ctx.Done():
	case err = <-botErr:
		botDone = true
		if err != nil {
			err = fmt.Errorf("bot: %w", err)
		}
	case err = <-httpErr:
		err = fmt.Errorf("http: %w", err)
	}
	m.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 8*time.Second)
	defer cancel()
	if serr := m.http.Shutdown(shutdownCtx); serr != nil {
		m.Log.Warn("http shutdown", "err", serr)
	}
	stopBot()
	<-schedDone
	<-outDone
	if !botDone {
		if berr := <-botErr; berr != nil && err == nil {
			err = fmt.Errorf("bot: %w", berr)
		}
	}
	if err == nil {
		m.Log.Info("stopped")
	}
	return err
}

// Close flushes and closes the store. It is safe to call after a failed Open.
func (m *Main) Close() error {
	var errs []error
	if m.rdb != nil && m.emb == nil {
		errs = append(errs, m.rdb.Close())
	}
	if m.emb != nil {
		errs = append(errs, m.emb.Close())
	}
	return errors.Join(errs...)
}
