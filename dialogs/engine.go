package dialogs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// Engine runs the conversation. Its fields are set once, before use.
type Engine struct {
	Store       Store
	Admins      Admins
	Files       Files
	DefaultLang kpi.Lang
	DefaultTZ   string
	Now         func() time.Time
	// FloodClock is the clock of the per-user flood protection (time.Now
	// when nil); NoFlood turns the protection off, for tests that tap at
	// machine speed.
	FloodClock func() time.Time
	NoFlood    bool

	flood floodGuard
	// langs remembers the language of each chat last read from storage,
	// so that "storage unavailable" is said in it while storage is down.
	langs langCache
}

// langCache maps chats to languages, dropping everything when it grows past
// maxLangs entries (a cold entry only costs a reply in both languages).
type langCache struct {
	mu sync.Mutex
	m  map[int64]kpi.Lang
}

const maxLangs = 100_000

func (c *langCache) remember(chat int64, l kpi.Lang) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxLangs {
		c.m = make(map[int64]kpi.Lang)
	}
	c.m[chat] = l
}

func (c *langCache) get(chat int64) kpi.Lang {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[chat]
}

// command is one slash command of the table.
type command struct {
	name  string
	admin bool // changes the workspace: admins only in groups
	menu  func(*texts) string
	run   func(e *Engine, ctx context.Context, in Input, w kpi.Workspace) (Result, error)
}

// commands is every command the bot answers, in menu order. It is filled
// in init because /help lists the table itself.
var commands []command

func init() {
	commands = []command{
		{name: "start", menu: func(x *texts) string { return x.CommandStart }, run: (*Engine).start},
		{name: "setup", admin: true, menu: func(x *texts) string { return x.CommandSetup }, run: (*Engine).setup},
		{name: "plan", menu: func(x *texts) string { return x.CommandPlan }, run: (*Engine).plan},
		{name: "log", menu: func(x *texts) string { return x.CommandLog }, run: (*Engine).logCmd},
		{name: "undo", menu: func(x *texts) string { return x.CommandUndo }, run: (*Engine).undo},
		{name: "history", menu: func(x *texts) string { return x.CommandHistory }, run: (*Engine).history},
		{name: "report", menu: func(x *texts) string { return x.CommandReport }, run: (*Engine).report},
		{name: "settings", admin: true, menu: func(x *texts) string { return x.CommandSettings }, run: (*Engine).settings},
		{name: "export", admin: true, menu: func(x *texts) string { return x.CommandExport }, run: (*Engine).export},
		{name: "import", admin: true, menu: func(x *texts) string { return x.CommandImport }, run: (*Engine).importCmd},
		{name: "help", menu: func(x *texts) string { return x.CommandHelp }, run: (*Engine).help},
		{name: "lang", admin: true, menu: func(x *texts) string { return x.CommandLang }, run: (*Engine).lang},
		{name: "cancel", menu: func(x *texts) string { return x.CommandCancel }, run: (*Engine).cancel},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// MenuItem is one line of the command menu.
type MenuItem struct {
	Command     string
	Description string
}

// Menu returns the command menu in language l, for setMyCommands.
func Menu(l kpi.Lang) []MenuItem {
	items := make([]MenuItem, 0, len(commands))
	for _, c := range commands {
		items = append(items, MenuItem{Command: c.name, Description: c.menu(t(l))})
	}
	return items
}

// Handle answers one input. On failure the Result already holds the text
// the user reads, and the error is returned for the log.
//
// The first storage round trip also claims the update id: an update that
// Telegram delivers twice gets an empty Result the second time.
// A user past the flood limit is told once to slow down, then ignored
// until calm (see flood.go).
func (e *Engine) Handle(ctx context.Context, in Input) (Result, error) {
	if !e.NoFlood && in.UserID != 0 && addressed(in) {
		now := time.Now
		if e.FloodClock != nil {
			now = e.FloodClock
		}
		switch e.flood.take(in.UserID, now()) {
		case floodWarn:
			l := e.langs.get(in.ChatID)
			if !l.Valid() {
				l = kpi.ParseLang(in.LangCode, e.DefaultLang)
			}
			if in.Callback != "" {
				return Result{Notice: t(l).SlowDown}, nil
			}
			return say(in, t(l).SlowDown), nil
		case floodDrop:
			return Result{}, nil
		}
	}
	first, snap, err := e.Store.Begin(ctx, in.UpdateID, in.ChatID)
	if err != nil {
		return e.Failure(in, "", err), err
	}
	if !first {
		return Result{}, nil
	}
	w := snap.Workspace
	if snap.HasWorkspace {
		e.langs.remember(in.ChatID, w.Lang)
	} else {
		w = e.newWorkspace(in)
	}
	ctx = withSnapshot(ctx, snap)
	res, err := e.route(ctx, in, w)
	if err != nil {
		return e.Failure(in, w.Lang, err), err
	}
	return res, nil
}

func (e *Engine) route(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	switch {
	case in.Event != EventNone:
		return e.event(ctx, in, w)
	case in.Callback != "":
		return e.press(ctx, in, w)
	case in.Command != "":
		c, ok := findCommand(in.Command)
		if !ok {
			if in.ChatType.IsGroup() {
				return Result{}, nil // another bot's command, most likely
			}
			return say(in, t(w.Lang).UnknownCommand), nil
		}
		if c.admin {
			if ok, err := e.isAdmin(ctx, in); err != nil || !ok {
				return e.notAdmin(in, w, err)
			}
		}
		return c.run(e, ctx, in, w)
	}
	if res, ok, err := e.wizardText(ctx, in, w); ok || err != nil {
		return res, err
	}
	if res, ok, err := e.logText(ctx, in, w); ok || err != nil {
		return res, err
	}
	if in.ChatType == kpi.ChatPrivate {
		return say(in, t(w.Lang).NotUnderstood), nil
	}
	return Result{}, nil // group chatter that is not for the bot
}

// addressed reports whether in is meant for the bot and counts towards the
// flood limit: a command, a button press, anything in a private chat, a
// reply to the bot in a group. Group chatter and chat events do not count.
func addressed(in Input) bool {
	return in.Event == EventNone &&
		(in.Command != "" || in.Callback != "" || in.ChatType == kpi.ChatPrivate || in.ReplyTo != 0)
}

// Failure returns the reply for an input whose handling failed with err:
// "temporarily unavailable" when storage is down, a polite apology
// otherwise. It is the one place where errors become user text. With l
// empty it speaks the chat's language as last read from storage; storage
// down and the chat's language unknown, it says so in both languages.
func (e *Engine) Failure(in Input, l kpi.Lang, err error) Result {
	if !l.Valid() {
		l = e.langs.get(in.ChatID)
	}
	unavailable := errors.Is(err, kpi.ErrUnavailable)
	if !l.Valid() && unavailable {
		msg := ru.Unavailable + "\n\n" + en.Unavailable
		if in.Callback != "" {
			return Result{Notice: msg}
		}
		return say(in, msg)
	}
	if !l.Valid() {
		l = kpi.ParseLang(in.LangCode, e.DefaultLang)
	}
	msg := t(l).Oops
	switch {
	case unavailable:
		msg = t(l).Unavailable
	case errors.Is(err, kpi.ErrConflict):
		msg = t(l).W.Conflict
	}
	if in.Callback != "" {
		return Result{Notice: msg}
	}
	return say(in, msg)
}

// newWorkspace is the workspace of a chat the bot has not seen (not yet
// saved), in the user's language.
func (e *Engine) newWorkspace(in Input) kpi.Workspace {
	return kpi.Workspace{
		ChatID:   in.ChatID,
		Type:     in.ChatType,
		Title:    in.ChatTitle,
		Lang:     kpi.ParseLang(in.LangCode, e.DefaultLang),
		Timezone: e.DefaultTZ,
		Active:   true,
		Settings: kpi.DefaultSettings,
	}
}

type snapshotKey struct{}

func withSnapshot(ctx context.Context, s kpi.Snapshot) context.Context {
	return context.WithValue(ctx, snapshotKey{}, s)
}

// currentPlan returns the plan loaded with the update, or loads it (for
// a handler that changed it). ok is false when the chat has no plan.
func (e *Engine) currentPlan(ctx context.Context, chat int64) (kpi.Plan, bool, error) {
	if s, ok := ctx.Value(snapshotKey{}).(kpi.Snapshot); ok {
		return s.Plan, s.HasPlan, nil
	}
	p, err := e.Store.Plan(ctx, chat)
	if errors.Is(err, kpi.ErrNotFound) {
		return p, false, nil
	}
	return p, err == nil, err
}

// isAdmin reports whether the input's author may change the workspace.
func (e *Engine) isAdmin(ctx context.Context, in Input) (bool, error) {
	if in.ChatType == kpi.ChatPrivate || in.AsChat {
		return true, nil
	}
	ok, err := e.Admins.IsAdmin(ctx, in.ChatID, in.UserID)
	if err != nil {
		return false, fmt.Errorf("dialogs: admin check: %w", err)
	}
	return ok, nil
}

func (e *Engine) notAdmin(in Input, w kpi.Workspace, err error) (Result, error) {
	if err != nil {
		return Result{}, err
	}
	if in.Callback != "" {
		return Result{Notice: t(w.Lang).AdminOnly}, nil
	}
	return say(in, t(w.Lang).AdminOnly), nil
}

// say is a Result of one text message answering the input.
func say(in Input, text string) Result {
	r := Reply{Text: text}
	if in.ChatType.IsGroup() && in.Callback == "" {
		r.ReplyTo = in.MessageID
	}
	return Result{Replies: []Reply{r}}
}
