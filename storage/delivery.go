package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Deliveries: exactly-once bookkeeping for scheduled sends (a weekly
// report, a reminder). One key per workspace, kind and period, in the
// chat's slot:
//
//	kpi:{<chat>}:delivery:<kind>:<period>  string "claim:<token>" while a replica sends
//	                                       (TTL: the claim's), then "done:<message id>" (TTL 40 days)
//
// A replica claims with SET NX, sends, then marks the send done if its
// claim still holds (WATCH/MULTI: a check-and-set without Lua, which is
// slow on the embedded store). A replica that dies mid-send leaves a claim
// that expires, and the next one sends.

// DeliveryDoneTTL is how long a finished delivery is remembered; longer
// than the longest period anything is sent for (a month) plus slack.
const DeliveryDoneTTL = 40 * 24 * time.Hour

const (
	claimPrefix = "claim:"
	donePrefix  = "done:"
)

func deliveryKey(chat int64, kind, period string) string {
	return chatKey(chat, "delivery", kind, period)
}

// checkDelivery refuses names that would make two deliveries share a key:
// kind may not hold ':' (period may: it is the key's tail).
func checkDelivery(kind, period string) error {
	if kind == "" || period == "" || strings.Contains(kind, ":") {
		return fmt.Errorf("delivery %q/%q: %w", kind, period, kpi.ErrInvalid)
	}
	return nil
}

// ClaimDelivery claims (workspace, kind, period) for this replica for ttl
// (SET NX with a token); false when someone else holds it or it is done.
// The token goes to DoneDelivery. It fails with kpi.ErrInvalid for an empty
// kind or period, a kind holding ':' or a ttl under a millisecond.
func (s *Store) ClaimDelivery(ctx context.Context, chat int64, kind, period string, ttl time.Duration) (token string, ok bool, err error) {
	if err := checkDelivery(kind, period); err != nil {
		return "", false, fmt.Errorf("storage: claim %w", err)
	}
	if ttl < time.Millisecond {
		return "", false, fmt.Errorf("storage: claim delivery: ttl %v: %w", ttl, kpi.ErrInvalid)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token = hex.EncodeToString(b[:])
	ok, err = s.rdb.SetNX(ctx, deliveryKey(chat, kind, period), claimPrefix+token, ttl).Result()
	if err != nil || !ok {
		return "", false, wrap(fmt.Sprintf("claim delivery %d/%s/%s", chat, kind, period), err)
	}
	return token, true, nil
}

var errClaimLost = errors.New("claim taken by another replica")

// DoneDelivery marks it done (kept 40 days) if token still holds the claim;
// an expired claim taken by another replica makes it return
// ErrConflict-wrapped error.
//
// Two more cases return nil: the same call repeated (the key already says
// done with this messageID), and a claim that expired without anyone taking
// it again — the message was sent, so recording it prevents a second send.
// When the chat was migrated meanwhile (MigrateChat copied the claim), the
// delivery is marked done under the new chat too (only there, once the old
// chat's keys are gone).
func (s *Store) DoneDelivery(ctx context.Context, chat int64, kind, period, token string, messageID int) error {
	if err := checkDelivery(kind, period); err != nil {
		return fmt.Errorf("storage: done %w", err)
	}
	if token == "" {
		return fmt.Errorf("storage: done delivery: no token: %w", kpi.ErrInvalid)
	}
	for range 4 {
		next, err := s.doneDelivery(ctx, chat, kind, period, token, messageID)
		if err != nil || next == 0 {
			return err
		}
		chat = next
	}
	return fmt.Errorf("storage: done delivery %d/%s/%s: chat moved too many times: %w", chat, kind, period, kpi.ErrConflict)
}

// doneDelivery is DoneDelivery on one chat; it returns the chat that chat
// was migrated to, if it was, where the copy of the claim is to be marked
// done as well (the old chat's keys are deleted, or about to be).
func (s *Store) doneDelivery(ctx context.Context, chat int64, kind, period, token string, messageID int) (int64, error) {
	op := fmt.Sprintf("done delivery %d/%s/%s", chat, kind, period)
	key, moved := deliveryKey(chat, kind, period), movedKey(chat)
	claim, done := claimPrefix+token, donePrefix+strconv.Itoa(messageID)
	for range 5 {
		var movedTo int64
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			vals, err := tx.MGet(ctx, key, moved).Result()
			if err != nil {
				return err
			}
			cur, _ := vals[0].(string)
			if m, ok := vals[1].(string); ok {
				if movedTo, err = strconv.ParseInt(m, 10, 64); err != nil {
					return fmt.Errorf("bad %s %q", moved, m)
				}
			}
			switch {
			case cur == done:
				return nil // a repeated call
			case cur == "" && movedTo != 0:
				return nil // the migration took the claim along
			case cur == "":
				// The claim expired and nobody took it: record the send.
			case cur != claim:
				return fmt.Errorf("%w: %s: %w", errClaimLost, strings.SplitN(cur, ":", 2)[0], kpi.ErrConflict)
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, done, DeliveryDoneTTL)
				return nil
			})
			return err
		}, key, moved)
		switch {
		case errors.Is(err, redis.TxFailedErr):
			continue // changed meanwhile: look again
		case errors.Is(err, kpi.ErrConflict):
			return 0, fmt.Errorf("storage: %s: %w", op, err)
		}
		return movedTo, wrap(op, err)
	}
	return 0, fmt.Errorf("storage: %s: %w", op, kpi.ErrConflict)
}

// Delivered reports whether it is done.
func (s *Store) Delivered(ctx context.Context, chat int64, kind, period string) (bool, error) {
	if err := checkDelivery(kind, period); err != nil {
		return false, fmt.Errorf("storage: %w", err)
	}
	v, err := s.rdb.Get(ctx, deliveryKey(chat, kind, period)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, wrap(fmt.Sprintf("delivered %d/%s/%s", chat, kind, period), err)
	}
	return strings.HasPrefix(v, donePrefix), nil
}

// SetActive marks a workspace active or inactive (403: blocked/kicked)
// keeping its data; returns kpi.ErrNotFound when there is no workspace. It
// stamps Updated when the flag changes and writes nothing when it does not.
func (s *Store) SetActive(ctx context.Context, chat int64, active bool) error {
	op := fmt.Sprintf("set active %d", chat)
	key := chatKey(chat, "workspace")
	for range 5 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			b, err := tx.Get(ctx, key).Bytes()
			if err != nil {
				return err
			}
			var w kpi.Workspace
			if err := json.Unmarshal(b, &w); err != nil {
				return fmt.Errorf("decode: %w", err)
			}
			if w.Active == active {
				return nil
			}
			w.Active, w.Updated = active, s.now().UTC()
			if b, err = json.Marshal(w); err != nil {
				return fmt.Errorf("encode: %w", err)
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, b, 0)
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return wrap(op, err)
	}
	return fmt.Errorf("storage: %s: %w", op, kpi.ErrConflict)
}
