package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"

	"github.com/kpibot/kpibot/kpi"
)

// outcome is what a question's handler decided.
type outcome struct {
	next    bool   // the answer is taken: go to the following question
	jump    string // go to this question instead (it is pushed on the trail)
	problem string // the answer is refused: say why, ask again
	commit  bool   // save the plan now
}

// handle runs a wizard button: navigation here, the rest by the question.
func (c *wctx) handle(op, arg string) (Result, error) {
	q := questions[c.w.Q]
	switch op {
	case "b":
		if !c.canGoBack() {
			return Result{Notice: c.x.StaleButton}, nil
		}
		last := c.w.Trail[len(c.w.Trail)-1]
		c.w.Trail = c.w.Trail[:len(c.w.Trail)-1]
		c.w.Q, c.w.K = last.Q, last.K
		return c.show(nil, c.in.MessageID)
	case "s":
		if !q.optional {
			return Result{Notice: c.x.StaleButton}, nil
		}
		if q.skip != nil {
			q.skip(c)
		}
		return c.apply(outcome{next: true}, false)
	case "x":
		res, _, err := c.pause()
		return res, err
	}
	if q.press == nil {
		return Result{Notice: c.x.StaleButton}, nil
	}
	return c.apply(q.press(c, op, arg), false)
}

// apply carries out an outcome. typed is true for a typed answer: the
// next question then comes as a new message below the user's text.
func (c *wctx) apply(o outcome, typed bool) (Result, error) {
	edit := c.in.MessageID
	var prefix []Reply
	if typed {
		edit = 0
		if c.w.Message != 0 && (o.problem == "" || !c.in.ChatType.IsGroup()) {
			prefix = append(prefix, Reply{Edit: c.w.Message, KeepText: true})
		}
	}
	switch {
	case o.problem != "":
		if typed {
			// Ask again below the answer, with the problem on top.
			c.w.Flash = "⚠️ " + o.problem
			return c.show(prefix, 0)
		}
		return Result{Notice: o.problem}, nil
	case o.commit:
		return c.commit(prefix)
	case o.jump != "":
		c.push()
		c.w.Q = o.jump
	case o.next:
		c.push()
		q, k := c.following()
		if c.outsideEdit(q) {
			return c.commit(prefix)
		}
		c.w.Q, c.w.K = q, k
		if q == "" {
			return c.commit(prefix)
		}
	}
	return c.show(prefix, edit)
}

func (c *wctx) push() { c.w.Trail = append(c.w.Trail, mark{Q: c.w.Q, K: c.w.K}) }

// canGoBack: not before the first question, nor out of the edited step.
func (c *wctx) canGoBack() bool {
	if len(c.w.Trail) == 0 {
		return false
	}
	return !c.outsideEdit(c.w.Trail[len(c.w.Trail)-1].Q)
}

// outsideEdit reports whether question q lies outside the steps an edit
// from the plan card covers (editing metrics also covers their targets).
func (c *wctx) outsideEdit(q string) bool {
	if c.w.Edit == 0 {
		return false
	}
	if qs, ok := settingsQuestions[c.w.Edit]; ok {
		return !slices.Contains(qs, q)
	}
	s := questions[q].step
	if c.w.Edit == 3 {
		return s != 3 && s != 4
	}
	if c.w.Edit == 4 { // the quarterly review: the targets only
		return s != 4
	}
	return s != c.w.Edit
}

// show saves the wizard and renders its current question: editing message
// edit in place (a button press) or as a new message (0). In a group a
// question that takes text also gets a ForceReply prompt for the owner.
func (c *wctx) show(prefix []Reply, edit int) (Result, error) {
	q := questions[c.w.Q]
	if edit == 0 || edit != c.w.Message || c.w.Shown != (mark{Q: c.w.Q, K: c.w.K}) {
		c.w.Screen++ // a new question: buttons of the old one go stale
	}
	c.w.Shown = mark{Q: c.w.Q, K: c.w.K}
	// The question's message and prompt are known once they are sent (see
	// Sent below); until then a typed answer is not taken for it.
	c.w.Prompt = 0
	if edit == 0 {
		c.w.Message = 0
	}
	body, opts := q.view(c)
	text := c.header(q) + body
	if c.w.Flash != "" {
		text = c.w.Flash + "\n\n" + text
		c.w.Flash = ""
	}
	screen := Reply{Text: text, Buttons: append(opts, c.nav(q)...), Edit: edit}
	replies := append(prefix, screen)
	prompt := q.text && c.in.ChatType.IsGroup()
	if prompt {
		replies = append(replies, Reply{
			Text:        fmt.Sprintf(c.x.W.ReplyHint, c.ownerMention()),
			ForceReply:  true,
			Placeholder: c.placeholder(),
			ReplyTo:     c.w.OwnerMsg,
		})
	}
	if err := c.e.saveWizard(c.ctx, c.in.ChatID, c.w); err != nil {
		return Result{}, err
	}
	chat, w := c.in.ChatID, c.w
	screenAt := len(prefix)
	return Result{Replies: replies, Sent: func(ctx context.Context, ids []int) error {
		if len(ids) <= screenAt || ids[screenAt] == 0 {
			return nil
		}
		w.Message = ids[screenAt]
		w.Prompt = 0
		if prompt && len(ids) > screenAt+1 {
			w.Prompt = ids[screenAt+1]
		}
		return c.e.saveWizard(ctx, chat, w)
	}}, nil
}

func (c *wctx) header(q question) string {
	if isSettings(c.w.Edit) {
		return "<b>" + c.x.Settings + "</b>\n\n"
	}
	step := q.step
	h := "<b>" + fmt.Sprintf(c.x.W.StepOf, step) + " · " + c.x.W.StepNames[step] + "</b>\n"
	if firstOfStep(step) == c.w.Q && c.w.K == 0 {
		h += "<i>" + c.x.W.StepWhy[step] + "</i>\n"
	}
	return h + "\n"
}

// nav is the Back / Skip / Pause row.
func (c *wctx) nav(q question) [][]Button {
	var row []Button
	if c.canGoBack() {
		row = append(row, c.btn(c.x.W.Back, "b", ""))
	}
	if q.optional {
		row = append(row, c.btn(c.x.W.Skip, "s", ""))
	}
	row = append(row, c.btn(c.x.W.Cancel, "x", ""))
	return [][]Button{row}
}

// btn is a wizard button for the current screen.
func (c *wctx) btn(text, op, arg string) Button {
	if arg == "" {
		return Button{Text: text, Data: data("w", strconv.Itoa(c.w.Screen), op)}
	}
	return Button{Text: text, Data: data("w", strconv.Itoa(c.w.Screen), op, arg)}
}

func (c *wctx) ownerMention() string {
	if c.w.Owner == anonymousAdmin {
		return html.EscapeString(c.w.OwnerName)
	}
	return fmt.Sprintf(`<a href="tg://user?id=%d">%s</a>`, c.w.Owner, html.EscapeString(c.w.OwnerName))
}

func (c *wctx) placeholder() string {
	switch c.w.Q {
	case "baseline", "target":
		return "12 500"
	case "deadline":
		return "31.03.2027"
	case "report_time":
		return "9:30"
	case "timezone":
		return "Europe/Moscow"
	}
	return ""
}

// commit saves the draft as a new plan version, with the settings and
// time zone, closes the wizard and posts the plan card.
func (c *wctx) commit(prefix []Reply) (Result, error) {
	// Rights are checked again at the change itself: the owner may have
	// stopped being an admin while the wizard was open.
	if admin, err := c.e.isAdmin(c.ctx, c.in); err != nil || !admin {
		if err != nil {
			return Result{}, err
		}
		return Result{Notice: c.x.AdminOnly, Replies: say(c.in, c.x.AdminOnly).Replies}, nil
	}
	ws := c.ws
	ws.Settings = c.w.Settings
	ws.Timezone = c.w.TZ
	ws.Active = true
	if isSettings(c.w.Edit) {
		return c.saveSettings(prefix, ws)
	}
	p := c.w.Plan
	if p.Start == (kpi.Date{}) || c.w.Edit == 0 {
		p.Start = c.today
	}
	p.Created = c.e.now().UTC()
	p.CreatedBy = c.w.Owner
	saved, err := c.e.Store.CommitPlan(c.ctx, ws, p, c.w.rev)
	if errors.Is(err, kpi.ErrInvalid) {
		// A rule broken by an earlier answer (a deadline that has passed
		// since it was given): show the summary with the reason.
		c.w.Q, c.w.Flash = "confirm", "⚠️ "+c.problem(err)
		return c.show(prefix, 0)
	}
	if err != nil {
		return Result{}, err
	}
	text := fmt.Sprintf(c.x.W.Saved, saved.Version)
	out := prefix
	if c.in.Callback != "" {
		out = append(out, Reply{Edit: c.in.MessageID, Text: text})
	} else {
		out = append(out, say(c.in, text).Replies...)
	}
	versions, err := c.e.Store.Plans(c.ctx, c.in.ChatID)
	if err != nil {
		versions = nil // the card without the version list is still right
	}
	prog, err := c.e.progressOf(c.ctx, c.in.ChatID, ws, saved)
	if err != nil {
		return Result{}, err
	}
	card := c.e.planCard(ws, saved, versions, true, prog)
	out = append(out, card)
	return Result{Notice: text, Replies: out}, nil
}

// problem is the user text for a broken domain rule.
func (c *wctx) problem(err error) string {
	switch {
	case errors.Is(err, kpi.ErrDeadline):
		return c.x.W.DatePast
	case errors.Is(err, kpi.ErrRange):
		return c.x.W.PercentRange
	}
	return c.x.Oops
}
