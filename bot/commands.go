package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

// setCommands registers the command menu in every language, the default
// language also as the fallback for users whose language is neither.
func (b *Bot) setCommands(ctx context.Context) error {
	for i, l := range kpi.Langs {
		codes := []string{string(l)}
		if i == 0 {
			codes = append(codes, "")
		}
		var cmds []models.BotCommand
		for _, m := range dialogs.Menu(l) {
			cmds = append(cmds, models.BotCommand{Command: m.Command, Description: m.Description})
		}
		for _, code := range codes {
			_, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{
				Commands:     cmds,
				Scope:        &models.BotCommandScopeDefault{},
				LanguageCode: code,
			})
			if err != nil {
				return fmt.Errorf("bot: setMyCommands %q: %w", code, err)
			}
		}
	}
	return nil
}
