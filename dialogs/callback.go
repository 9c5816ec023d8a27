package dialogs

import (
	"context"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// Callback data is "<version>:<verb>[:<arg>...]": short, self-describing,
// never a chat id (the chat comes from the pressed message itself). A press
// whose data does not parse, names an unknown verb or carries bad arguments
// is a stale or forged button: it gets a notice and changes nothing.
const dataVersion = "1"

// maxData is Telegram's limit on callback data, in bytes.
const maxData = 64

// data builds the callback data of a button.
func data(verb string, args ...string) string {
	d := dataVersion + ":" + verb
	for _, a := range args {
		d += ":" + a
	}
	if len(d) > maxData {
		panic("dialogs: callback data over 64 bytes: " + d) // a programming error, caught by tests
	}
	return d
}

// press is one handler of a button verb; args are already split.
type press struct {
	admin bool
	run   func(e *Engine, ctx context.Context, in Input, w kpi.Workspace, args []string) (Result, error)
}

// presses is the table of button verbs.
var presses = map[string]press{
	"lang":  {admin: true, run: (*Engine).pressLang},
	"w":     {run: (*Engine).wizardPress}, // the wizard checks its owner
	"setup": {admin: true, run: (*Engine).pressSetup},
	"plan":  {admin: true, run: (*Engine).pressPlan},
	"lg":    {run: (*Engine).pressLog},
	"lm":    {run: (*Engine).pressLogMenu},
	"un":    {run: (*Engine).pressUndo}, // own entries, or an admin's
	"hd":    {run: (*Engine).pressHistoryDelete},
	"rv":    {admin: true, run: (*Engine).pressReview},
	"st":    {admin: true, run: (*Engine).pressSettings},
}

func (e *Engine) press(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	stale := Result{Notice: t(w.Lang).StaleButton}
	parts := strings.Split(in.Callback, ":")
	if len(in.Callback) > maxData || len(parts) < 2 || parts[0] != dataVersion {
		return stale, nil
	}
	p, ok := presses[parts[1]]
	if !ok {
		return stale, nil
	}
	if p.admin {
		if ok, err := e.isAdmin(ctx, in); err != nil || !ok {
			return e.notAdmin(in, w, err)
		}
	}
	return p.run(e, ctx, in, w, parts[2:])
}
