package telegramtest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the bot token a Server accepts unless WithToken is given.
const DefaultToken = "7123456789:AAH-fake-kpibot-test-token_0123456789"

// DefaultBotUsername is the bot's username unless WithBotUsername is given.
const DefaultBotUsername = "KpiTestBot"

// Server is a fake Telegram Bot API server. All its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's base URL, for bot.WithServerURL.
	URL string

	tb         testing.TB
	http       *httptest.Server
	token      string
	botID      int64
	botUser    string
	botName    string
	privacy    bool
	logf       func(format string, args ...any)
	hookTries  int
	hookPause  time.Duration
	hookClient *http.Client

	closed    chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change of the state

	seq   int64 // global sequence of calls and test-side events
	calls []*Call

	users    map[int64]User
	chats    map[int64]*chatState
	files    map[string]*storedFile
	fileSeq  int64
	paths    map[string]*storedFile // by file_path
	pathSeq  int64
	queries  map[string]*callbackQuery
	querySeq int64
	answers  []CallbackAnswer

	queue        []*queuedUpdate
	nextUpdateID int64
	allowed      map[string]bool // nil: Telegram's default set
	pollGen      int64

	hook       webhookState
	dropped    bool // the last setWebhook/deleteWebhook had drop_pending_updates
	deliveries []WebhookDelivery

	failures []*armedFailure
	flood    *floodState // WithFloodLimits; nil: no limits

	commands     map[string][]models.BotCommand // key: scope key + "|" + language
	descriptions map[string]string              // key: kind + "|" + language
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the only token the server accepts; the bot id is its
// numeric part before the colon.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBotUsername sets the username getMe reports (without the @).
func WithBotUsername(username string) Option {
	return func(s *Server) { s.botUser = strings.TrimPrefix(username, "@") }
}

// WithBotName sets the bot's first name.
func WithBotName(name string) Option { return func(s *Server) { s.botName = name } }

// WithPrivacyMode sets the bot's group privacy mode (on by default, as for a
// new bot). With it on, a group where the bot is not an administrator only
// delivers commands, replies to the bot's messages, mentions of the bot and
// service messages; other user messages are stored but produce no update.
// getMe reports can_read_all_group_messages = !enabled.
func WithPrivacyMode(enabled bool) Option { return func(s *Server) { s.privacy = enabled } }

// WithFirstUpdateID sets the first update_id (by default a random number,
// as Telegram's ids start at a random value).
func WithFirstUpdateID(id int64) Option { return func(s *Server) { s.nextUpdateID = id } }

// WithWebhookRetries sets how many times a webhook delivery is attempted
// before the update is given up (default 3) and the pause before the
// attempt n+1, multiplied by n (default 20ms).
func WithWebhookRetries(attempts int, pause time.Duration) Option {
	return func(s *Server) {
		if attempts > 0 {
			s.hookTries = attempts
		}
		if pause >= 0 {
			s.hookPause = pause
		}
	}
}

// WithLogf makes the server log one line per API call: sequence number,
// method and HTTP status (descriptions with quoted fragments redacted).
// Neither the token nor any message text is ever logged.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(s *Server) { s.logf = logf }
}

// New starts a fake Bot API server and stops it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{
		tb:           tb,
		token:        DefaultToken,
		botUser:      DefaultBotUsername,
		botName:      "KPI Test Bot",
		privacy:      true,
		hookTries:    3,
		hookPause:    20 * time.Millisecond,
		closed:       make(chan struct{}),
		changed:      make(chan struct{}),
		users:        map[int64]User{},
		chats:        map[int64]*chatState{},
		files:        map[string]*storedFile{},
		paths:        map[string]*storedFile{},
		queries:      map[string]*callbackQuery{},
		commands:     map[string][]models.BotCommand{},
		descriptions: map[string]string{},
		nextUpdateID: 100_000_000 + rand.Int64N(800_000_000),
	}
	for _, o := range opts {
		o(s)
	}
	id, err := strconv.ParseInt(strings.SplitN(s.token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 || !strings.Contains(s.token, ":") {
		tb.Fatalf("telegramtest: the token must look like <bot id>:<secret>")
	}
	s.botID = id
	s.hookClient = &http.Client{Timeout: 10 * time.Second}
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	tb.Cleanup(s.Close)
	return s
}

// Token returns the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// BotID returns the bot's user id (the numeric part of the token).
func (s *Server) BotID() int64 { return s.botID }

// BotUsername returns the bot's username without the @.
func (s *Server) BotUsername() string { return s.botUser }

// BotUser returns the bot as a User.
func (s *Server) BotUser() User {
	return User{ID: s.botID, FirstName: s.botName, Username: s.botUser, IsBot: true}
}

// Close stops the webhook delivery and the HTTP server, ending pending long
// polls. It is called automatically when the test ends.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.mu.Lock()
		s.stopWebhookLocked()
		s.bumpLocked()
		s.mu.Unlock()
		s.wg.Wait()
		s.http.CloseClientConnections()
		s.http.Close()
	})
}

// bumpLocked wakes every waiter. s.mu must be held.
func (s *Server) bumpLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// nextSeqLocked returns the next global sequence number. s.mu must be held.
func (s *Server) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// Seq returns the last global sequence number handed out to an API call or
// a test-side event (a sent user message, a button press).
func (s *Server) Seq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// WaitFor blocks until cond returns true, re-evaluating it after every change
// of the server's state, and fails the test (with what) after timeout. cond
// is called without the server's lock held, so it may call any accessor.
func (s *Server) WaitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !s.waitUntil(timeout, cond) {
		tb.Fatalf("telegramtest: timed out after %v waiting for %s", timeout, what)
	}
}

// waitUntil reports whether cond became true before timeout.
func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.Await(ctx, cond)
}

// ServeHTTP routes /bot<token>/<method> and the file downloads,
// /file/bot<token>/<file_path>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok {
		writeError(w, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	if token != s.token {
		writeError(w, &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"})
		return
	}
	spec, known := methodTable[strings.ToLower(method)]
	name := method
	if known {
		name = spec.name
	}
	p, perr := parseParams(r)

	s.mu.Lock()
	call := &Call{Seq: s.nextSeqLocked(), Method: name, At: time.Now()}
	if p != nil {
		call.Params = p.values
		call.Files = p.fileInfos()
	}
	s.calls = append(s.calls, call)
	s.bumpLocked()

	var result any
	var aerr *apiError
	c := &callCtx{ctx: r.Context(), p: p, call: call}
	switch {
	case !known:
		aerr = &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	case perr != nil:
		aerr = badRequest(perr.Error())
	default:
		if raw := p.str("chat_id"); raw != "" {
			if id, ok := s.lookupChatIDLocked(raw); ok {
				call.ChatID = id
			}
		}
		if aerr = s.floodLocked(spec.name, call); aerr == nil {
			aerr = s.takeFailureLocked(spec.name, call.ChatID)
		}
	}
	if aerr == nil {
		if spec.blocking {
			s.mu.Unlock()
			result, aerr = spec.fn(s, c) // takes s.mu itself while it waits
			s.mu.Lock()
		} else {
			result, aerr = spec.fn(s, c)
		}
	}
	// Encode and record under the lock: the answer may share slices with
	// the state, and a test reading Calls after the client got its answer
	// must see the call finished.
	status, body := encodeAnswer(result, aerr, c.okDescription)
	call.Status = status
	if aerr != nil {
		call.Description = aerr.Description
	}
	s.bumpLocked()
	s.mu.Unlock()
	writeBody(w, status, body)

	if s.logf != nil {
		if aerr != nil {
			s.logf("telegramtest: #%d %s -> %d %s", call.Seq, name, status, redactQuoted(aerr.Description))
		} else {
			s.logf("telegramtest: #%d %s -> %d", call.Seq, name, status)
		}
	}
}

// callCtx is one API call being answered.
type callCtx struct {
	ctx           context.Context
	p             *params
	call          *Call
	okDescription string // "description" of a successful answer, as setWebhook has
}

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	Code            int
	Description     string
	RetryAfter      int
	MigrateToChatID int64
}

func badRequest(description string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + description}
}

func forbidden(description string) *apiError {
	return &apiError{Code: http.StatusForbidden, Description: "Forbidden: " + description}
}

type responseParameters struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

type errorResponse struct {
	OK          bool                `json:"ok"`
	ErrorCode   int                 `json:"error_code"`
	Description string              `json:"description"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

type okResponse struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result"`
	Description string `json:"description,omitempty"`
}

// encodeAnswer renders a Bot API answer: {"ok":true,"result":...} or the
// error with its parameters.
func encodeAnswer(result any, e *apiError, description string) (int, []byte) {
	var (
		status = http.StatusOK
		v      any
	)
	if e != nil {
		status = e.Code
		resp := errorResponse{ErrorCode: e.Code, Description: e.Description}
		if e.RetryAfter != 0 || e.MigrateToChatID != 0 {
			resp.Parameters = &responseParameters{RetryAfter: e.RetryAfter, MigrateToChatID: e.MigrateToChatID}
		}
		v = resp
	} else {
		v = okResponse{OK: true, Result: result, Description: description}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	return status, body
}

func writeError(w http.ResponseWriter, e *apiError) {
	status, body := encodeAnswer(nil, e, "")
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// redactQuoted replaces every double-quoted fragment of an error description
// (which may hold a piece of a message text, as in `Unsupported start tag
// "x"`) with an ellipsis.
func redactQuoted(s string) string {
	var b strings.Builder
	inside := false
	for _, r := range s {
		switch {
		case r == '"':
			if !inside {
				b.WriteString(`"…`)
			} else {
				b.WriteRune(r)
			}
			inside = !inside
		case !inside:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (s *Server) errorf(format string, args ...any) {
	s.tb.Helper()
	s.tb.Errorf("telegramtest: "+format, args...)
}
