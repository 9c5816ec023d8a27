package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// UpdateTTL is how long a handled update id is remembered. Telegram keeps
// an undelivered update for 24 hours, so a redelivery can come no later.
const UpdateTTL = 24 * time.Hour

// DialogTTL is how long an untouched dialog is kept: an abandoned wizard
// expires after a week.
const DialogTTL = 7 * 24 * time.Hour

func dialogKey(chat, user int64) string {
	return chatKey(chat, "dialog", strconv.FormatInt(user, 10))
}

// Dialog returns the saved state of user's open dialog in chat, or an error
// wrapping kpi.ErrNotFound when there is none (or it expired).
func (s *Store) Dialog(ctx context.Context, chat, user int64) ([]byte, error) {
	b, err := s.rdb.Get(ctx, dialogKey(chat, user)).Bytes()
	return b, wrap(fmt.Sprintf("dialog %d/%d", chat, user), err)
}

// SaveDialog stores the state of user's open dialog in chat for DialogTTL.
func (s *Store) SaveDialog(ctx context.Context, chat, user int64, state []byte) error {
	err := s.rdb.Set(ctx, dialogKey(chat, user), state, DialogTTL).Err()
	return wrap(fmt.Sprintf("save dialog %d/%d", chat, user), err)
}

// DeleteDialog forgets user's open dialog in chat; it is not an error when
// there is none.
func (s *Store) DeleteDialog(ctx context.Context, chat, user int64) error {
	err := s.rdb.Del(ctx, dialogKey(chat, user)).Err()
	return wrap(fmt.Sprintf("delete dialog %d/%d", chat, user), err)
}
