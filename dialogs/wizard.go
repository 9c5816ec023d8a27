package dialogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// anonymousAdmin is the user id Telegram gives messages an anonymous
// group admin writes on behalf of the group.
const anonymousAdmin = 1087968824

// takeOverAfter is how long a wizard must be idle before another admin
// may take it over.
const takeOverAfter = 10 * time.Minute

// wizard is the saved state of a workspace's setup wizard: one per
// workspace, run by one person at a time.
type wizard struct {
	Owner     int64  `json:"owner"`
	OwnerName string `json:"owner_name"`
	OwnerMsg  int    `json:"owner_msg,omitempty"` // the owner's latest message: prompts reply to it
	Screen    int    `json:"screen"`              // bumped on every new question; buttons carry it
	Shown     mark   `json:"shown"`               // the question the screen shows
	Message   int    `json:"message,omitempty"`   // the bot message showing the current question
	Prompt    int    `json:"prompt,omitempty"`    // the ForceReply prompt of a text question in a group
	Q         string `json:"q"`                   // the current question
	K         int    `json:"k,omitempty"`         // the KPI the question is about
	Trail     []mark `json:"trail,omitempty"`     // answered questions, for Back
	Edit      int    `json:"edit,omitempty"`      // the step edited from /plan; 0 for a full run
	Paused    bool   `json:"paused,omitempty"`

	Plan       kpi.Plan     `json:"plan"`
	Settings   kpi.Settings `json:"settings"`
	TZ         string       `json:"tz"`
	OwnGoal    bool         `json:"own_goal,omitempty"`
	Preset     bool         `json:"preset,omitempty"` // metrics were preselected from the goal
	Custom     kpi.Metric   `json:"custom"`           // a custom metric being defined
	DestGroups []int64      `json:"dest_groups,omitempty"`
	Flash      string       `json:"flash,omitempty"` // a line shown once above the next question
	Touched    time.Time    `json:"touched"`

	rev int64
}

// mark is one answered question.
type mark struct {
	Q string `json:"q"`
	K int    `json:"k,omitempty"`
}

// wctx is everything a question's functions need.
type wctx struct {
	e     *Engine
	ctx   context.Context
	in    Input
	ws    kpi.Workspace
	w     *wizard
	x     *texts
	today kpi.Date
}

func (e *Engine) loadWizard(ctx context.Context, chat int64) (*wizard, error) {
	b, rev, err := e.Store.Wizard(ctx, chat)
	if err != nil {
		return nil, err
	}
	var w wizard
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("dialogs: wizard %d: decode: %w", chat, err)
	}
	w.rev = rev
	return &w, nil
}

func (e *Engine) saveWizard(ctx context.Context, chat int64, w *wizard) error {
	w.Touched = e.now()
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("dialogs: wizard %d: encode: %w", chat, err)
	}
	rev, err := e.Store.SaveWizard(ctx, chat, w.rev, b)
	if err != nil {
		return fmt.Errorf("dialogs: %w", err)
	}
	w.rev = rev
	return nil
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// today is the date in the workspace's time zone.
func (e *Engine) today(tz string) kpi.Date {
	loc, err := kpi.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return kpi.DateOf(e.now().In(loc))
}

func (e *Engine) newCtx(ctx context.Context, in Input, ws kpi.Workspace, w *wizard) *wctx {
	tz := ws.Timezone
	if w != nil && w.TZ != "" {
		tz = w.TZ
	}
	return &wctx{e: e, ctx: ctx, in: in, ws: ws, w: w, x: t(ws.Lang), today: e.today(tz)}
}

// setup is /setup: start the wizard, resume it, or say who is running it.
func (e *Engine) setup(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	return e.openWizard(ctx, in, ws, 0)
}

// openWizard starts (or resumes) the wizard; edit is the step to edit from
// the plan card, 0 for the whole run.
func (e *Engine) openWizard(ctx context.Context, in Input, ws kpi.Workspace, edit int) (Result, error) {
	return e.openWizardWith(ctx, in, ws, edit, kpi.Plan{}, nil)
}

// openWizardWith is openWizard with a draft to start from (the quarterly
// review's plan for the next quarter; a zero draft means the saved plan)
// and replies to send before the wizard's (an edit of the pressed message).
func (e *Engine) openWizardWith(ctx context.Context, in Input, ws kpi.Workspace, edit int, draft kpi.Plan, before []Reply) (Result, error) {
	if ws.Created.IsZero() {
		ws.Active = true
		if err := e.Store.SaveWorkspace(ctx, ws); err != nil {
			return Result{}, fmt.Errorf("dialogs: setup: %w", err)
		}
	}
	if in.ChatType.IsGroup() && !in.AsChat {
		if err := e.Store.AddUserGroup(ctx, in.UserID, in.ChatID); err != nil {
			return Result{}, fmt.Errorf("dialogs: setup: %w", err)
		}
	}
	w, err := e.loadWizard(ctx, in.ChatID)
	switch {
	case errors.Is(err, kpi.ErrNotFound):
		w, err = e.newWizard(ctx, in, ws, edit)
		if err != nil {
			return Result{}, err
		}
		if len(draft.KPIs) > 0 {
			draft.Version = 0
			w.Plan = draft
		}
	case err != nil:
		return Result{}, err
	case !w.ownedBy(in):
		idle := e.now().Sub(w.Touched)
		if idle < takeOverAfter {
			return say(in, fmt.Sprintf(t(ws.Lang).W.Busy, html.EscapeString(w.OwnerName), int(idle.Minutes()))), nil
		}
		res := say(in, fmt.Sprintf(t(ws.Lang).W.Idle, html.EscapeString(w.OwnerName), int(idle.Minutes())))
		res.Replies[0].Buttons = [][]Button{{{Text: t(ws.Lang).W.TakeOver, Data: data("setup", "take")}}}
		return res, nil
	}
	c := e.newCtx(ctx, in, ws, w)
	out := before
	if w.Message != 0 {
		out = append(out, Reply{Edit: w.Message, KeepText: true}) // the old question's buttons go
	}
	if w.Paused {
		w.Paused = false
		w.Flash = c.x.W.Resumed
	}
	w.noteOwnerMessage(in)
	return c.show(out, 0)
}

func (e *Engine) newWizard(ctx context.Context, in Input, ws kpi.Workspace, edit int) (*wizard, error) {
	w := &wizard{Q: "goal", Settings: ws.Settings, TZ: ws.Timezone, Edit: edit}
	w.setOwner(in)
	plan, err := e.Store.Plan(ctx, in.ChatID)
	switch {
	case err == nil:
		plan.Version = 0
		w.Plan = plan
		w.Preset = true
		w.OwnGoal = plan.GoalText != ""
	case errors.Is(err, kpi.ErrNotFound):
		w.Plan = kpi.Plan{AlertPct: 20, Review: "weekly"}
		if edit != 0 && !isSettings(edit) {
			return nil, fmt.Errorf("dialogs: edit without a plan: %w", kpi.ErrNotFound)
		}
	default:
		return nil, fmt.Errorf("dialogs: setup: %w", err)
	}
	if edit != 0 {
		w.Q = firstOfStep(edit)
	}
	return w, nil
}

func (w *wizard) setOwner(in Input) {
	w.Owner, w.OwnerName = in.UserID, in.UserName
	if in.AsChat {
		w.Owner, w.OwnerName = anonymousAdmin, in.ChatTitle
	}
}

func (w *wizard) noteOwnerMessage(in Input) {
	if in.Callback == "" && in.MessageID != 0 {
		w.OwnerMsg = in.MessageID
	}
}

// ownedBy reports whether the input comes from the person running the
// wizard. Anonymous admins share one identity: any of them may go on.
func (w *wizard) ownedBy(in Input) bool {
	if in.AsChat || in.UserID == anonymousAdmin {
		return w.Owner == anonymousAdmin
	}
	return in.UserID == w.Owner
}

// takeOver is the "continue instead of" button.
func (e *Engine) takeOver(ctx context.Context, in Input, ws kpi.Workspace, _ []string) (Result, error) {
	w, err := e.loadWizard(ctx, in.ChatID)
	if errors.Is(err, kpi.ErrNotFound) {
		return e.openWizard(ctx, in, ws, 0)
	}
	if err != nil {
		return Result{}, err
	}
	x := t(ws.Lang)
	if !w.ownedBy(in) {
		if idle := e.now().Sub(w.Touched); idle < takeOverAfter {
			return Result{Notice: fmt.Sprintf(x.W.Busy, w.OwnerName, int(idle.Minutes()))}, nil
		}
		w.Flash = fmt.Sprintf(x.W.TakenOver, html.EscapeString(in.UserName))
		w.setOwner(in)
	}
	c := e.newCtx(ctx, in, ws, w)
	var out []Reply
	if w.Message != 0 {
		out = append(out, Reply{Edit: w.Message, KeepText: true})
	}
	out = append(out, Reply{Edit: in.MessageID, KeepText: true})
	return c.show(out, 0)
}

// wizardPress handles a button of the wizard: "1:w:<screen>:<op>[:<arg>]".
func (e *Engine) wizardPress(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	x := t(ws.Lang)
	stale := Result{Notice: x.StaleButton}
	if len(args) < 2 || len(args) > 3 {
		return stale, nil
	}
	screen, err := strconv.Atoi(args[0])
	if err != nil {
		return stale, nil
	}
	w, err := e.loadWizard(ctx, in.ChatID)
	if errors.Is(err, kpi.ErrNotFound) {
		return Result{Notice: x.W.Expired}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if screen != w.Screen || in.MessageID != w.Message || w.Paused {
		return stale, nil
	}
	// Rights are checked at every step, not only at /setup: the owner may
	// have stopped being an admin since.
	admin, err := e.isAdmin(ctx, in)
	if err != nil {
		return Result{}, err
	}
	// An anonymous admin's presses carry their own user id: any admin may
	// go on with a wizard started on behalf of the group.
	if !w.ownedBy(in) && (w.Owner != anonymousAdmin || !admin) {
		return Result{Notice: fmt.Sprintf(x.W.NotYours, w.OwnerName)}, nil
	}
	if !admin {
		return Result{Notice: x.AdminOnly}, nil
	}
	c := e.newCtx(ctx, in, ws, w)
	op, arg := args[1], ""
	if len(args) == 3 {
		arg = args[2]
	}
	return c.handle(op, arg)
}

// wizardText takes a typed answer, when the wizard waits for one from this
// person. ok is false when the text is not for the wizard.
func (e *Engine) wizardText(ctx context.Context, in Input, ws kpi.Workspace) (Result, bool, error) {
	w, err := e.loadWizard(ctx, in.ChatID)
	if errors.Is(err, kpi.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, true, err
	}
	if w.Paused || !w.ownedBy(in) {
		return Result{}, false, nil
	}
	if in.ChatType.IsGroup() && (in.ReplyTo == 0 || (in.ReplyTo != w.Prompt && in.ReplyTo != w.Message)) {
		return Result{}, false, nil // group chatter, or a reply to something else
	}
	if admin, err := e.isAdmin(ctx, in); err != nil || !admin {
		if err != nil {
			return Result{}, true, err
		}
		return say(in, t(ws.Lang).AdminOnly), true, nil
	}
	c := e.newCtx(ctx, in, ws, w)
	q := questions[w.Q]
	w.noteOwnerMessage(in)
	if w.Message == 0 {
		// The current question never reached the chat (its message failed
		// or the bot stopped before sending it): this text answers the
		// question before it, so ask the current one again.
		res, err := c.show(nil, 0)
		return res, true, err
	}
	if q.answer == nil {
		return say(in, c.x.W.UseButtons), true, nil
	}
	res, err := c.apply(q.answer(c, strings.TrimSpace(in.Text)), true)
	return res, true, err
}

// pauseWizard is /cancel and the Pause button: the wizard keeps its
// answers and /setup resumes it.
func (e *Engine) pauseWizard(ctx context.Context, in Input, ws kpi.Workspace) (Result, bool, error) {
	w, err := e.loadWizard(ctx, in.ChatID)
	if errors.Is(err, kpi.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, true, err
	}
	if !w.ownedBy(in) || w.Paused {
		return Result{}, false, nil
	}
	c := e.newCtx(ctx, in, ws, w)
	return c.pause()
}

func (c *wctx) pause() (Result, bool, error) {
	c.w.Paused = true
	step := questions[c.w.Q].step
	if err := c.e.saveWizard(c.ctx, c.in.ChatID, c.w); err != nil {
		return Result{}, true, err
	}
	text := fmt.Sprintf(c.x.W.Paused, step)
	var out []Reply
	if c.w.Message != 0 {
		out = append(out, Reply{Edit: c.w.Message, KeepText: true})
	}
	if c.in.Callback != "" {
		return Result{Notice: text, Replies: append(out, Reply{Text: text})}, true, nil
	}
	return Result{Replies: append(out, say(c.in, text).Replies...)}, true, nil
}
