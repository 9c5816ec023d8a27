package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// adminCache answers "is this user an admin of this chat" from
// getChatMember, remembering each answer for ttl.
type adminCache struct {
	api *tg.Bot
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	answers map[[2]int64]adminAnswer
}

type adminAnswer struct {
	admin bool
	until time.Time
}

func newAdminCache(api *tg.Bot, ttl time.Duration) *adminCache {
	return &adminCache{api: api, ttl: ttl, now: time.Now, answers: make(map[[2]int64]adminAnswer)}
}

// IsAdmin reports whether user is the creator or an administrator of chat.
func (c *adminCache) IsAdmin(ctx context.Context, chat, user int64) (bool, error) {
	key := [2]int64{chat, user}
	c.mu.Lock()
	a, ok := c.answers[key]
	c.mu.Unlock()
	if ok && c.now().Before(a.until) {
		return a.admin, nil
	}
	m, err := c.api.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: chat, UserID: user})
	if err != nil {
		return false, fmt.Errorf("bot: getChatMember: %w", err)
	}
	admin := m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator
	c.mu.Lock()
	c.answers[key] = adminAnswer{admin: admin, until: c.now().Add(c.ttl)}
	if len(c.answers) > 10000 {
		c.evict()
	}
	c.mu.Unlock()
	return admin, nil
}

// evict drops expired answers; c.mu is held.
func (c *adminCache) evict() {
	now := c.now()
	for k, a := range c.answers {
		if now.After(a.until) {
			delete(c.answers, k)
		}
	}
}
