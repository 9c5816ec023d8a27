package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"

	"github.com/kpibot/kpibot/kpi"
)

// start greets the user and records a workspace for a chat seen first;
// without a plan it offers the setup, with one it shows the plan card.
func (e *Engine) start(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	x := t(w.Lang)
	var res Result
	switch {
	case w.Created.IsZero() || !w.Active:
		w.Active = true
		if err := e.Store.SaveWorkspace(ctx, w); err != nil {
			return Result{}, fmt.Errorf("dialogs: start: %w", err)
		}
		if in.ChatType.IsGroup() {
			res = say(in, fmt.Sprintf(x.WelcomeGroup, html.EscapeString(in.ChatTitle)))
		} else {
			res = say(in, fmt.Sprintf(x.WelcomePrivate, html.EscapeString(in.UserName)))
		}
	default:
		res = say(in, fmt.Sprintf(x.WelcomeBack, html.EscapeString(in.UserName)))
	}
	p, ok, err := e.currentPlan(ctx, in.ChatID)
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("dialogs: start: %w", err)
	case ok:
		admin, err := e.isAdmin(ctx, in)
		if err != nil {
			return Result{}, err
		}
		prog, err := e.progressOf(ctx, in.ChatID, w, p)
		if err != nil {
			return Result{}, err
		}
		res.Replies = append(res.Replies, e.planCard(w, p, nil, admin, prog))
	default:
		res.Replies[0].Text += "\n\n" + x.StartSetup
		res.Replies[0].Buttons = [][]Button{{{Text: x.W.PlanStart, Data: data("setup", "go")}}}
	}
	return res, nil
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
		if in.ChatType.IsGroup() && in.UserID != 0 {
			// Whoever adds a bot is an admin there: the group becomes a
			// report destination they may pick from a private chat.
			if err := e.Store.AddUserGroup(ctx, in.UserID, in.ChatID); err != nil {
				return Result{}, fmt.Errorf("dialogs: bot added: %w", err)
			}
		}
		if !in.ChatType.IsGroup() {
			return Result{}, nil // a private chat unblocked the bot: nothing to say
		}
		return Result{Replies: []Reply{{Text: fmt.Sprintf(t(w.Lang).AddedToGroup, html.EscapeString(in.ChatTitle))}}}, nil
	case EventMigrated:
		// Every key moves to the new id; the next update of the
		// supergroup finds the plan and the entries there.
		if err := e.Store.MigrateChat(ctx, in.ChatID, in.MigrateTo); err != nil {
			return Result{}, fmt.Errorf("dialogs: migrate: %w", err)
		}
		return Result{}, nil
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
