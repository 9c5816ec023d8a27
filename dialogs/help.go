package dialogs

import (
	"context"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// help tells what the bot does and lists the commands it answers.
func (e *Engine) help(_ context.Context, in Input, w kpi.Workspace) (Result, error) {
	x := t(w.Lang)
	var b strings.Builder
	b.WriteString(x.HelpIntro)
	b.WriteString("\n\n")
	b.WriteString(x.HelpCommands)
	for _, m := range Menu(w.Lang) {
		b.WriteString("\n/" + m.Command + " — " + m.Description)
	}
	if _, ok := findCommand("log"); ok {
		b.WriteString("\n\n" + x.HelpLog)
	}
	return say(in, b.String()), nil
}
