package embedded

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// replayer applies records to miniredis through a plain client (no hook).
//
// Time: every record carries the time its commands ran, and replay moves
// miniredis's clock (SetTime; TTLs follow it under ClockTTL) to that time
// before a record whenever it matters, so keys expire at the same point of
// the history as they did live. Replaying on the wall clock would not: after
// INCR k; EXPIRE k 3600; INCR k, a restart more than an hour later would
// drop k at the PEXPIREAT and then let the second INCR recreate it without a
// TTL. (Redis avoids this by not expiring keys while loading its AOF.)
//
// Speed: under ClockTTL every clock advance makes miniredis walk and sort all
// keys, so the clock is only moved when needed: when a known deadline is
// reached, when a record holds a deadline already due, a relative TTL with no
// absolute PEXPIREAT after it, or a script. In between, records are pipelined
// on a clock that lags behind, which is harmless: absolute deadlines mean the
// same thing on any clock, and none of them falls inside the lag.
type replayer struct {
	rdb       *redis.Client
	mr        *miniredis.Miniredis
	log       *slog.Logger
	pipe      redis.Pipeliner
	clockSet  bool
	deadlines deadlineHeap // unix ns, possibly stale (a later PERSIST is fine)
	queued    int
	cmds      int // commands applied
	errs      int // commands the server rejected
	ticks     int // clock moves
}

func newReplayer(rdb *redis.Client, mr *miniredis.Miniredis, log *slog.Logger) *replayer {
	return &replayer{rdb: rdb, mr: mr, log: log, pipe: rdb.Pipeline()}
}

const replayBatch = 1024

func (r *replayer) add(ctx context.Context, rec record) error {
	due, script, found := r.inspect(rec)
	needClock := !r.clockSet || due || script ||
		(r.deadlines.Len() > 0 && r.deadlines[0] <= rec.ts)
	if needClock || r.queued >= replayBatch {
		if err := r.flush(ctx); err != nil {
			return err
		}
	}
	if needClock {
		r.mr.SetTime(time.Unix(0, rec.ts))
		r.clockSet = true
		r.ticks++
		for r.deadlines.Len() > 0 && r.deadlines[0] <= rec.ts {
			heap.Pop(&r.deadlines)
		}
	}
	for _, c := range rec.cmds {
		args := make([]any, len(c))
		for i, a := range c {
			args[i] = a
		}
		r.pipe.Do(ctx, args...)
		r.queued++
	}
	for _, d := range found {
		heap.Push(&r.deadlines, d)
	}
	if script {
		// A script may set TTLs we cannot see: run it, then learn every
		// deadline from the data (the clock is at rec.ts now).
		if err := r.flush(ctx); err != nil {
			return err
		}
		for _, k := range r.mr.Keys() {
			if ttl := r.mr.TTL(k); ttl > 0 {
				heap.Push(&r.deadlines, rec.ts+int64(ttl))
			}
		}
	}
	return nil
}

// inspect returns the deadlines set by rec's commands, whether one of them is
// already due at rec.ts (or is relative and not pinned by a PEXPIREAT later in
// the record, or cannot be parsed), and whether rec runs a script.
func (r *replayer) inspect(rec record) (due, script bool, found []int64) {
	for i, c := range rec.cmds {
		name := strings.ToLower(c[0])
		if name == "eval" || name == "evalsha" {
			script = true
			continue
		}
		abs, rel, ok := deadlineOf(name, c)
		if !ok {
			due = true
			continue
		}
		for _, d := range abs {
			found = append(found, d)
			due = due || d <= rec.ts
		}
		for _, d := range rel {
			found = append(found, rec.ts+d)
			due = due || !pinnedLater(rec.cmds[i+1:], c[1])
		}
	}
	return due, script, found
}

// pinnedLater reports whether cmds set an absolute deadline on key.
func pinnedLater(cmds [][]string, key string) bool {
	for _, c := range cmds {
		if len(c) == 3 && strings.EqualFold(c[0], "pexpireat") && c[1] == key {
			return true
		}
	}
	return false
}

// deadlineOf extracts the expiry a command sets: absolute ones in unix ns,
// relative ones as durations in ns. ok is false if the arguments do not parse.
func deadlineOf(name string, c []string) (abs, rel []int64, ok bool) {
	num := func(i int, unit int64) (int64, bool) {
		if i >= len(c) {
			return 0, false
		}
		n, err := strconv.ParseInt(c[i], 10, 64)
		return n * unit, err == nil
	}
	const sec, ms = int64(time.Second), int64(time.Millisecond)
	var v int64
	switch name {
	case "pexpireat":
		v, ok = num(2, ms)
		return []int64{v}, nil, ok
	case "expireat":
		v, ok = num(2, sec)
		return []int64{v}, nil, ok
	case "expire", "setex":
		v, ok = num(2, sec)
		return nil, []int64{v}, ok
	case "pexpire", "psetex":
		v, ok = num(2, ms)
		return nil, []int64{v}, ok
	case "set", "getex":
		first := 2
		if name == "set" {
			first = 3
		}
		for i := first; i < len(c); i++ {
			var unit int64
			relative := false
			switch strings.ToLower(c[i]) {
			case "ex":
				unit, relative = sec, true
			case "px":
				unit, relative = ms, true
			case "exat":
				unit = sec
			case "pxat":
				unit = ms
			default:
				continue
			}
			i++
			if v, ok = num(i, unit); !ok {
				return nil, nil, false
			}
			if relative {
				rel = append(rel, v)
			} else {
				abs = append(abs, v)
			}
		}
	}
	return abs, rel, true
}

func (r *replayer) flush(ctx context.Context) error {
	if r.queued == 0 {
		return nil
	}
	cmds, _ := r.pipe.Exec(ctx)
	r.queued = 0
	for _, c := range cmds {
		r.cmds++
		err := c.Err()
		if err == nil || errors.Is(err, redis.Nil) {
			continue
		}
		if !isRedisError(err) {
			return fmt.Errorf("embedded store: replay %s: %w", c.Name(), err)
		}
		// The command was journalled because it succeeded (or is a script,
		// whose error replays as it happened); a rejection is logged, not
		// fatal, so one odd record cannot brick the bot.
		r.errs++
		if r.errs <= 5 {
			// The command's name only: its arguments hold users' data.
			r.log.Warn("embedded store: replayed command failed", "cmd", c.Name(), "err", err)
		}
	}
	return nil
}

type deadlineHeap []int64

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h deadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
