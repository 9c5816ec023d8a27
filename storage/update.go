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

// ClaimUpdate records that update id is being handled. It returns true for
// the first claim and false when the id was claimed in the last UpdateTTL
// (Telegram delivered it twice).
func (s *Store) ClaimUpdate(ctx context.Context, id int64) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, "kpi:update:"+strconv.FormatInt(id, 10), "1", UpdateTTL).Result()
	if err != nil {
		return false, wrap(fmt.Sprintf("claim update %d", id), err)
	}
	return ok, nil
}
