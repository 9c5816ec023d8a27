package dialogs

import (
	"context"
	"errors"
	"fmt"

	"github.com/kpibot/kpibot/kpi"
)

// cancel closes the user's open dialog. What a dialog saved as it went
// stays saved; only the question in flight is dropped.
func (e *Engine) cancel(ctx context.Context, in Input, w kpi.Workspace) (Result, error) {
	if res, ok, err := e.pauseWizard(ctx, in, w); ok || err != nil {
		return res, err
	}
	_, err := e.Store.Dialog(ctx, in.ChatID, in.UserID)
	if errors.Is(err, kpi.ErrNotFound) {
		return say(in, t(w.Lang).CancelNothing), nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("dialogs: cancel: %w", err)
	}
	if err := e.Store.DeleteDialog(ctx, in.ChatID, in.UserID); err != nil {
		return Result{}, fmt.Errorf("dialogs: cancel: %w", err)
	}
	return say(in, t(w.Lang).CancelDone), nil
}
