package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// admins answers "is this user an admin of this chat" from getChatMember.
// It asks Telegram every time and remembers nothing: an admin who was just
// demoted must not keep the rights for the life of a cache, and admin
// actions are rare enough for one call each.
type admins struct {
	api *tg.Bot
}

// IsAdmin reports whether user is the creator or an administrator of chat.
func (a admins) IsAdmin(ctx context.Context, chat, user int64) (bool, error) {
	m, err := a.api.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: chat, UserID: user})
	if err != nil {
		return false, fmt.Errorf("bot: getChatMember: %w", err)
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
}
