package dialogs

import (
	"context"
	"fmt"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// lang switches the workspace's language: "/lang en" at once, "/lang" with
// a button per language.
func (e *Engine) lang(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	if arg := strings.ToLower(strings.TrimSpace(in.Args)); arg != "" {
		l := kpi.Lang(arg)
		if !l.Valid() {
			return e.langAsk(in, w), nil
		}
		return e.setLang(ctx, in, w, l, 0)
	}
	return e.langAsk(in, w), nil
}

func (e *Engine) langAsk(in Input, w kpi.Workspace) Result {
	row := make([]Button, 0, len(kpi.Langs))
	for _, l := range kpi.Langs {
		label := t(l).LangName
		if l == w.Lang {
			label = "✓ " + label
		}
		row = append(row, Button{Text: label, Data: data("lang", string(l))})
	}
	res := say(in, t(w.Lang).LangAsk)
	res.Replies[0].Buttons = [][]Button{row}
	return res
}

func (e *Engine) pressLang(ctx context.Context, in Input, w kpi.Workspace, args []string) (Result, error) {
	if len(args) != 1 || !kpi.Lang(args[0]).Valid() {
		return Result{Notice: t(w.Lang).StaleButton}, nil
	}
	return e.setLang(ctx, in, w, kpi.Lang(args[0]), in.MessageID)
}

// setLang saves language l; edit is the message with the language buttons,
// which becomes the confirmation (its buttons removed), or 0 to send anew.
func (e *Engine) setLang(ctx context.Context, in Input, w kpi.Workspace, l kpi.Lang, edit int) (Result, error) {
	text := t(l).LangSame
	if w.Lang != l || w.Created.IsZero() {
		w.Lang = l
		if err := e.Store.SaveWorkspace(ctx, w); err != nil {
			return Result{}, fmt.Errorf("dialogs: set language: %w", err)
		}
		text = t(l).LangSet
	}
	if edit != 0 {
		return Result{Notice: text, Replies: []Reply{{Text: text, Edit: edit}}}, nil
	}
	return say(in, text), nil
}
