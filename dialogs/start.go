package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"

	"github.com/kpibot/kpibot/kpi"
)

// start greets the user and records a workspace for a chat seen first.
func (e *Engine) start(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	x := t(w.Lang)
	if w.Created.IsZero() || !w.Active {
		w.Active = true
		if err := e.Store.SaveWorkspace(ctx, w); err != nil {
			return Result{}, fmt.Errorf("dialogs: start: %w", err)
		}
		if in.ChatType.IsGroup() {
			return say(in, fmt.Sprintf(x.WelcomeGroup, html.EscapeString(in.ChatTitle))), nil
		}
		return say(in, fmt.Sprintf(x.WelcomePrivate, html.EscapeString(in.UserName))), nil
	}
	return say(in, fmt.Sprintf(x.WelcomeBack, html.EscapeString(in.UserName))), nil
}

// event records the bot being added to a group or removed from it.
func (e *Engine) event(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	switch in.Event {
	case EventBotAdded:
		w.Active = true
		if in.ChatTitle != "" {
			w.Title = in.ChatTitle
		}
		if err := e.Store.SaveWorkspace(ctx, w); err != nil {
			return Result{}, fmt.Errorf("dialogs: bot added: %w", err)
		}
		if !in.ChatType.IsGroup() {
			return Result{}, nil // a private chat unblocked the bot: nothing to say
		}
		return Result{Replies: []Reply{{Text: fmt.Sprintf(t(w.Lang).AddedToGroup, html.EscapeString(in.ChatTitle))}}}, nil
	case EventBotRemoved:
		if w.Created.IsZero() {
			return Result{}, nil // never recorded: nothing to keep
		}
		w.Active = false
		if err := e.Store.SaveWorkspace(ctx, w); err != nil {
			return Result{}, fmt.Errorf("dialogs: bot removed: %w", err)
		}
		return Result{}, nil
	}
	return Result{}, errors.New("dialogs: unknown event")
}
