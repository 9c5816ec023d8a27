package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Migration of a chat. When Telegram upgrades a group to a supergroup the
// chat gets a new id, and everything the bot keeps under the old id moves to
// the new one. Two keys of the old chat serve the move:
//
//	kpi:{<chat>}:moved      string, decimal id of the chat it became (TTL 30 days)
//	kpi:{<chat>}:migration  string, JSON migration: the decisions of a move under way (TTL 30 days)
//
// The keys of the two chats sit in different cluster slots, so no
// transaction can span them; MigrateChat copies, then commits by writing the
// marker, then deletes. See MigrateChat for the order and why a crash at any
// point is repaired by calling it again.

// MovedTTL is how long the marker of a migrated chat is kept: late updates
// and scheduled sends for the old id are routed by it meanwhile.
const MovedTTL = 30 * 24 * time.Hour

func movedKey(chat int64) string     { return chatKey(chat, "moved") }
func migrationKey(chat int64) string { return chatKey(chat, "migration") }

// migration is what MigrateChat decided when it first looked at both chats.
// It is recorded before anything is copied, so a resumed call takes the same
// decisions even though the new chat then already holds part of the copy.
type migration struct {
	To        int64 `json:"to"`
	Workspace bool  `json:"workspace"` // the old workspace replaces the new chat's
	Plans     bool  `json:"plans"`     // the old plan versions move
	Entries   bool  `json:"entries"`   // the old entries move
}

// MovedTo returns the chat that chat became (ok true) when it was migrated
// within MovedTTL.
func (s *Store) MovedTo(ctx context.Context, chat int64) (int64, bool, error) {
	v, err := s.rdb.Get(ctx, movedKey(chat)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, wrap(fmt.Sprintf("moved %d", chat), err)
	}
	to, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("storage: moved %d: bad chat id %q", chat, v)
	}
	return to, true, nil
}

// MigrateChat moves the workspace of chat from to chat to: every key
// kpi:{from}:* (workspace, plan versions, entries, wizard, dialogs, alerts,
// deliveries) is copied to the same name under kpi:{to}: with its TTL, the
// workspace JSON gets chat_id to and type "supergroup" (and report_chat to
// if it named from), from is replaced by to in kpi:workspaces and in every
// kpi:user:*:groups, and kpi:{from}:moved = to is left for MovedTTL. A
// second call returns nil without writing; a call for another destination of
// a chat already moved (or being moved) fails with kpi.ErrConflict.
//
// When to already has data (someone sent /start in the new supergroup before
// the migration arrived), it is decided once, when the migration starts:
//
//   - plan versions: the old ones move only when to has no plan;
//   - entries: the old ones move only when to has no entries;
//   - the workspace: the old one (rewritten) replaces to's when to has none,
//     or when the old chat has a plan and to has none (to's workspace is
//     then just the default a /start creates); otherwise to's is kept;
//   - any other key (wizard, dialog, alert, delivery) is copied unless to
//     already has a key of that name: the newer state wins.
//
// What is not moved is deleted with the old chat. Entries are copied as a
// union and plans only into an empty key, so data written under to while
// the migration runs is never overwritten (only the workspace is replaced).
//
// Order, and why a crash anywhere is repaired by calling again:
//
//  1. The decisions are recorded in kpi:{from}:migration (SET NX). A resumed
//     call reads them instead of deciding again from a half-copied to.
//  2. Every key of from is copied (the workspace last). Each copy is one
//     MULTI in to's slot that replaces, unions or fills an absent key, so it
//     is idempotent, and a key is either copied whole or not at all.
//  3. kpi:workspaces and each kpi:user:*:groups holding from get SADD to +
//     SREM from in one MULTI on that key: idempotent too.
//  4. kpi:{from}:moved = to is written. This is the commit point: before it
//     nothing of from was deleted, so a resumed call copies again from a
//     complete source; after it everything has been copied.
//  5. The keys of from are deleted, kpi:{from}:migration last. A resumed
//     call that finds the marker and the record only deletes what is left;
//     one that finds the marker alone has nothing to do.
//
// Writes made under from while it runs (Telegram has already closed the old
// group, so only a late retry could make one) may be lost once copied;
// route updates and sends for from with MovedTo.
//
// Finding the kpi:user:*:groups sets takes a SCAN of the whole keyspace (of
// every master of a cluster): a rare event's cost, proportional to the
// number of keys.
func (s *Store) MigrateChat(ctx context.Context, from, to int64) error {
	op := fmt.Sprintf("migrate chat %d to %d", from, to)
	if from == 0 || to == 0 || from == to {
		return fmt.Errorf("storage: %s: %w", op, kpi.ErrInvalid)
	}
	var moved, rec *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		moved = p.Get(ctx, movedKey(from))
		rec = p.Get(ctx, migrationKey(from))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return wrap(op, err)
	}
	if v, err := moved.Result(); err == nil {
		if v != strconv.FormatInt(to, 10) {
			return fmt.Errorf("storage: %s: already moved to %s: %w", op, v, kpi.ErrConflict)
		}
		if errors.Is(rec.Err(), redis.Nil) {
			return nil // done before
		}
		return wrap(op, s.migrateDelete(ctx, from)) // a crash after the commit point
	}
	m, err := s.migrationPlan(ctx, from, to, rec)
	if err != nil {
		return wrap(op, err)
	}
	if err := s.migrateCopy(ctx, from, to, m); err != nil {
		return wrap(op, err)
	}
	if err := s.migrateIndexes(ctx, from, to); err != nil {
		return wrap(op, err)
	}
	if err := s.rdb.Set(ctx, movedKey(from), strconv.FormatInt(to, 10), MovedTTL).Err(); err != nil {
		return wrap(op, err)
	}
	return wrap(op, s.migrateDelete(ctx, from))
}

var errOtherMigration = errors.New("another migration is under way")

// migrationPlan returns the recorded decisions of the migration of from
// (rec is the GET of its record), deciding and recording them first when
// there are none.
func (s *Store) migrationPlan(ctx context.Context, from, to int64, rec *redis.StringCmd) (migration, error) {
	read := func(b []byte) (migration, error) {
		var m migration
		if err := json.Unmarshal(b, &m); err != nil {
			return m, fmt.Errorf("decode %s: %w", migrationKey(from), err)
		}
		if m.To != to {
			return m, fmt.Errorf("%w (to %d): %w", errOtherMigration, m.To, kpi.ErrConflict)
		}
		return m, nil
	}
	if b, err := rec.Bytes(); err == nil {
		return read(b)
	}
	var ex [6]*redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range []string{
			chatKey(from, "workspace"), chatKey(from, "plans"),
			chatKey(to, "workspace"), chatKey(to, "plans"), entriesKey(to), logKey(to),
		} {
			ex[i] = p.Exists(ctx, k)
		}
		return nil
	})
	if err != nil {
		return migration{}, err
	}
	fromWS, fromPlans := ex[0].Val() > 0, ex[1].Val() > 0
	toWS, toPlans, toEntries := ex[2].Val() > 0, ex[3].Val() > 0, ex[4].Val()+ex[5].Val() > 0
	m := migration{
		To:        to,
		Workspace: fromWS && (!toWS || (fromPlans && !toPlans)),
		Plans:     !toPlans,
		Entries:   !toEntries,
	}
	b, err := json.Marshal(m)
	if err != nil {
		return m, err
	}
	ok, err := s.rdb.SetNX(ctx, migrationKey(from), b, MovedTTL).Result()
	if err != nil || ok {
		return m, err
	}
	// Another call decided first: take its decisions.
	b, err = s.rdb.Get(ctx, migrationKey(from)).Bytes()
	if err != nil {
		return m, err
	}
	return read(b)
}

// copyMode is how a key is written under the new chat.
type copyMode uint8

const (
	fillAbsent copyMode = iota // only when the destination does not exist
	replace                    // DEL, then write
	union                      // add the fields/members to what is there
)

// migrateCopy copies every key of from to to as m decided.
func (s *Store) migrateCopy(ctx context.Context, from, to int64, m migration) error {
	keys, err := s.chatKeys(ctx, from)
	if err != nil {
		return err
	}
	// The workspace goes last: whoever sees the new chat's workspace sees
	// its plans and entries too.
	slices.SortStableFunc(keys, func(a, b string) int {
		aw, bw := a == chatKey(from, "workspace"), b == chatKey(from, "workspace")
		switch {
		case aw == bw:
			return 0
		case aw:
			return 1
		}
		return -1
	})
	oldPrefix, newPrefix := chatKey(from)+":", chatKey(to)+":"
	for _, k := range keys {
		suffix := strings.TrimPrefix(k, oldPrefix)
		mode, rewrite := fillAbsent, func(b string) (string, error) { return b, nil }
		switch {
		case suffix == "workspace":
			if !m.Workspace {
				continue
			}
			mode = replace
			rewrite = func(b string) (string, error) { return rewriteWorkspace(b, from, to, s.now().UTC()) }
		case suffix == "plans":
			if !m.Plans {
				continue
			}
		case suffix == "e" || suffix == "log" || strings.HasPrefix(suffix, "m:"):
			if !m.Entries {
				continue
			}
			mode = union
		}
		if err := s.copyKey(ctx, k, newPrefix+suffix, mode, rewrite); err != nil {
			return fmt.Errorf("copy %s: %w", k, err)
		}
	}
	return nil
}

// rewriteWorkspace sets chat_id, type and updated of a workspace's JSON
// (and report_chat when it named the old chat), keeping every other field
// as it is.
func rewriteWorkspace(b string, from, to int64, now time.Time) (string, error) {
	var w map[string]json.RawMessage
	if err := json.Unmarshal([]byte(b), &w); err != nil {
		return "", fmt.Errorf("decode workspace: %w", err)
	}
	w["chat_id"] = json.RawMessage(strconv.FormatInt(to, 10))
	typ, _ := json.Marshal(kpi.ChatSupergroup)
	w["type"] = typ
	if rc, ok := w["report_chat"]; ok && string(rc) == strconv.FormatInt(from, 10) {
		w["report_chat"] = json.RawMessage(strconv.FormatInt(to, 10))
	}
	upd, err := json.Marshal(now)
	if err != nil {
		return "", err
	}
	w["updated"] = upd
	out, err := json.Marshal(w)
	return string(out), err
}

// keyValue is the content of one key as read for a copy.
type keyValue struct {
	typ  string
	ttl  time.Duration // > 0 when the key expires
	str  string
	list []string // list elements or set members
	hash map[string]string
	zset []redis.Z
}

// copyKey copies src to dst (both of one chat's slot each) with its TTL. A
// src that no longer exists is skipped.
func (s *Store) copyKey(ctx context.Context, src, dst string, mode copyMode, rewrite func(string) (string, error)) error {
	for range 5 {
		v, err := s.readKey(ctx, src)
		if err != nil || v.typ == "none" {
			return err
		}
		if v.typ == "string" {
			if v.str, err = rewrite(v.str); err != nil {
				return err
			}
		}
		if mode == union && (v.typ == "string" || v.typ == "list") {
			mode = fillAbsent
		}
		err = s.writeKey(ctx, dst, v, mode)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return fmt.Errorf("%s keeps changing: %w", dst, kpi.ErrConflict)
}

// readKey reads the type, TTL and content of key in one MULTI; typ is
// "none" when the key does not exist.
func (s *Store) readKey(ctx context.Context, key string) (keyValue, error) {
	for range 5 {
		typ, err := s.rdb.Type(ctx, key).Result()
		if err != nil || typ == "none" {
			return keyValue{typ: "none"}, err
		}
		switch typ {
		case "string", "hash", "list", "set", "zset":
		default:
			return keyValue{}, fmt.Errorf("key %s has type %s, which a migration cannot copy", key, typ)
		}
		var typCmd *redis.StatusCmd
		var ttlCmd *redis.DurationCmd
		var read redis.Cmder
		_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			typCmd = p.Type(ctx, key)
			ttlCmd = p.PTTL(ctx, key)
			switch typ {
			case "string":
				read = p.Get(ctx, key)
			case "hash":
				read = p.HGetAll(ctx, key)
			case "list":
				read = p.LRange(ctx, key, 0, -1)
			case "set":
				read = p.SMembers(ctx, key)
			case "zset":
				read = p.ZRangeWithScores(ctx, key, 0, -1)
			}
			return nil
		})
		if typCmd.Err() == nil && typCmd.Val() != typ {
			continue // deleted or replaced meanwhile: look again
		}
		if err != nil && !errors.Is(err, redis.Nil) {
			return keyValue{}, err
		}
		v := keyValue{typ: typ}
		if d := ttlCmd.Val(); d > 0 {
			v.ttl = d
		}
		switch r := read.(type) {
		case *redis.StringCmd:
			if errors.Is(r.Err(), redis.Nil) {
				continue
			}
			v.str = r.Val()
		case *redis.MapStringStringCmd:
			v.hash = r.Val()
		case *redis.StringSliceCmd:
			v.list = r.Val()
		case *redis.ZSliceCmd:
			v.zset = r.Val()
		}
		return v, nil
	}
	return keyValue{}, fmt.Errorf("%s keeps changing type: %w", key, kpi.ErrConflict)
}

// chunk is how many elements one command of a copy carries.
const chunk = 500

// writeKey writes v to dst in one MULTI as mode says. With fillAbsent it
// WATCHes dst and fails with redis.TxFailedErr when dst changed meanwhile.
func (s *Store) writeKey(ctx context.Context, dst string, v keyValue, mode copyMode) error {
	queue := func(p redis.Pipeliner) error {
		if mode == replace {
			p.Del(ctx, dst)
		}
		switch v.typ {
		case "string":
			p.Set(ctx, dst, v.str, 0)
		case "hash":
			args := make([]any, 0, 2*chunk)
			for f, val := range v.hash {
				if args = append(args, f, val); len(args) == 2*chunk {
					p.HSet(ctx, dst, args...)
					args = make([]any, 0, 2*chunk)
				}
			}
			if len(args) > 0 {
				p.HSet(ctx, dst, args...)
			}
		case "list", "set":
			for i := 0; i < len(v.list); i += chunk {
				part := v.list[i:min(i+chunk, len(v.list))]
				args := make([]any, len(part))
				for j, e := range part {
					args[j] = e
				}
				if v.typ == "list" {
					p.RPush(ctx, dst, args...)
				} else {
					p.SAdd(ctx, dst, args...)
				}
			}
		case "zset":
			for i := 0; i < len(v.zset); i += chunk {
				p.ZAdd(ctx, dst, v.zset[i:min(i+chunk, len(v.zset))]...)
			}
		}
		if v.ttl > 0 {
			p.PExpire(ctx, dst, v.ttl)
		}
		return nil
	}
	if mode != fillAbsent {
		_, err := s.rdb.TxPipelined(ctx, queue)
		return err
	}
	return s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, dst).Result()
		if err != nil || n > 0 {
			return err
		}
		_, err = tx.TxPipelined(ctx, queue)
		return err
	}, dst)
}

// migrateIndexes replaces from by to in kpi:workspaces (to only when it has
// a workspace now) and in every kpi:user:*:groups holding from.
func (s *Store) migrateIndexes(ctx context.Context, from, to int64) error {
	f, t := strconv.FormatInt(from, 10), strconv.FormatInt(to, 10)
	n, err := s.rdb.Exists(ctx, chatKey(to, "workspace")).Result()
	if err != nil {
		return err
	}
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if n > 0 {
			p.SAdd(ctx, workspacesKey, t)
		}
		p.SRem(ctx, workspacesKey, f)
		return nil
	}); err != nil {
		return err
	}
	keys, err := s.scanKeys(ctx, "kpi:user:*:groups", "")
	if err != nil {
		return err
	}
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		has := make([]*redis.BoolCmd, len(part))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j, k := range part {
				has[j] = p.SIsMember(ctx, k, f)
			}
			return nil
		}); err != nil {
			return err
		}
		for j, k := range part {
			if !has[j].Val() {
				continue
			}
			if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.SAdd(ctx, k, t)
				p.SRem(ctx, k, f)
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateDelete deletes the keys of a migrated chat but its marker, the
// migration record last.
func (s *Store) migrateDelete(ctx context.Context, from int64) error {
	keys, err := s.chatKeys(ctx, from)
	if err != nil {
		return err
	}
	// All in one slot, so a multi-key DEL is fine on a cluster too.
	for i := 0; i < len(keys); i += chunk {
		if err := s.rdb.Del(ctx, keys[i:min(i+chunk, len(keys))]...).Err(); err != nil {
			return err
		}
	}
	return s.rdb.Del(ctx, migrationKey(from)).Err()
}

// chatKeys returns the keys of chat but its migration marker and record.
func (s *Store) chatKeys(ctx context.Context, chat int64) ([]string, error) {
	keys, err := s.scanKeys(ctx, chatKey(chat)+":*", chatKey(chat, "workspace"))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(keys, func(k string) bool {
		return k == movedKey(chat) || k == migrationKey(chat)
	}), nil
}

// scanKeys returns the keys matching the SCAN pattern match, sorted and
// without repeats. On a cluster it scans the master holding slotKey's slot,
// or every master when slotKey is empty.
func (s *Store) scanKeys(ctx context.Context, match, slotKey string) ([]string, error) {
	scan := func(ctx context.Context, c redis.Cmdable) ([]string, error) {
		var out []string
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, match, 1000).Result()
			if err != nil {
				return nil, err
			}
			out = append(out, keys...)
			if cursor = next; cursor == 0 {
				return out, nil
			}
		}
	}
	var keys []string
	var err error
	cc, ok := s.rdb.(*redis.ClusterClient)
	switch {
	case !ok:
		keys, err = scan(ctx, s.rdb)
	case slotKey != "":
		var node *redis.Client
		if node, err = cc.MasterForKey(ctx, slotKey); err == nil {
			keys, err = scan(ctx, node)
		}
	default:
		var mu sync.Mutex
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			ks, err := scan(ctx, node)
			mu.Lock()
			keys = append(keys, ks...)
			mu.Unlock()
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}
