package embedded

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRoundTrip(t *testing.T) {
	for _, clean := range []bool{true, false} {
		name := map[bool]string{true: "close", false: "crash"}[clean]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()

			// Phase 1, two hours ago (pinned clock): a key with a one-hour
			// TTL, which runs out while the store is closed, and one with a
			// three-hour TTL, which survives with about one hour left.
			past := time.Now().Add(-2 * time.Hour)
			s := mustOpen(t, dir, withClock(fixedClock(past)))
			c := s.Client()
			must(t, c.Set(ctx, "gone", "x", time.Hour).Err())
			must(t, c.Set(ctx, "stays", "y", 3*time.Hour).Err())
			stop(t, s, clean)

			// Phase 2, now: one write of every supported type.
			s = mustOpen(t, dir)
			c = s.Client()
			bin := "a\x00b\r\nc"
			must(t, c.Set(ctx, "str", bin, 0).Err())
			must(t, c.Set(ctx, "ttl", "t", time.Hour).Err())
			must(t, c.SetEx(ctx, "ttl2", "t", time.Hour).Err())
			must(t, c.Set(ctx, "nx", "1", 0).Err())
			if ok, _ := c.SetNX(ctx, "nx", "2", time.Minute).Result(); ok {
				t.Fatal("SETNX on existing key succeeded")
			}
			must(t, c.MSet(ctx, "m1", "1", "m2", "2").Err())
			must(t, c.Set(ctx, "del", "x", 0).Err())
			must(t, c.Del(ctx, "del").Err())
			must(t, c.Incr(ctx, "cnt").Err())
			must(t, c.IncrBy(ctx, "cnt", 41).Err())
			must(t, c.Decr(ctx, "cnt").Err())
			must(t, c.IncrByFloat(ctx, "flt", 1.5).Err())
			must(t, c.Append(ctx, "str", "!").Err())
			must(t, c.HSet(ctx, "h", "a", "1", "b", "2", "c", "3").Err())
			must(t, c.HIncrBy(ctx, "h", "a", 10).Err())
			must(t, c.HDel(ctx, "h", "c").Err())
			must(t, c.Expire(ctx, "h", 2*time.Hour).Err())
			must(t, c.RPush(ctx, "l", "x", "y", "z").Err())
			must(t, c.LPush(ctx, "l", "w").Err())
			must(t, c.RPop(ctx, "l").Err())
			must(t, c.SAdd(ctx, "s", "p", "q", "r").Err())
			must(t, c.SRem(ctx, "s", "q").Err())
			must(t, c.ZAdd(ctx, "z", redis.Z{Score: 1.25, Member: "a"}, redis.Z{Score: math.Inf(1), Member: "top"}, redis.Z{Score: -3, Member: "low"}).Err())
			must(t, c.ZIncrBy(ctx, "z", 1, "a").Err())
			if err := c.GetDel(ctx, "missing").Err(); !errors.Is(err, redis.Nil) {
				t.Fatalf("GETDEL missing: %v", err)
			}
			stop(t, s, clean)

			s = mustOpen(t, dir)
			c = s.Client()
			expectGet(t, c, "str", bin+"!")
			expectGet(t, c, "nx", "1")
			expectGet(t, c, "m2", "2")
			expectGet(t, c, "cnt", "41")
			expectGet(t, c, "flt", "1.5")
			expectGet(t, c, "stays", "y")
			for _, k := range []string{"gone", "del", "missing"} {
				if n := c.Exists(ctx, k).Val(); n != 0 {
					t.Errorf("%s exists after reopen", k)
				}
			}
			expectTTL(t, c, "ttl", 59*time.Minute, time.Hour)
			expectTTL(t, c, "ttl2", 59*time.Minute, time.Hour)
			expectTTL(t, c, "h", 119*time.Minute, 2*time.Hour)
			expectTTL(t, c, "stays", 59*time.Minute, time.Hour)
			if d := c.PTTL(ctx, "str").Val(); d != -1 {
				t.Errorf("str PTTL = %v, want none", d)
			}
			if h := c.HGetAll(ctx, "h").Val(); len(h) != 2 || h["a"] != "11" || h["b"] != "2" {
				t.Errorf("h = %v", h)
			}
			if l := c.LRange(ctx, "l", 0, -1).Val(); !slices.Equal(l, []string{"w", "x", "y"}) {
				t.Errorf("l = %v", l)
			}
			if m := c.SMembers(ctx, "s").Val(); !slices.Equal(sorted(m), []string{"p", "r"}) {
				t.Errorf("s = %v", m)
			}
			z := c.ZRangeWithScores(ctx, "z", 0, -1).Val()
			want := []redis.Z{{Score: -3, Member: "low"}, {Score: 2.25, Member: "a"}, {Score: math.Inf(1), Member: "top"}}
			if !slices.Equal(z, want) {
				t.Errorf("z = %v, want %v", z, want)
			}
		})
	}
}

// TestExpiryHistory replays a counter whose TTL ran out while the store was
// down: the increments after the EXPIRE must not resurrect the key.
func TestExpiryHistory(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, withClock(fixedClock(time.Now().Add(-2*time.Hour))))
	c := s.Client()
	must(t, c.Incr(ctx, "rl").Err())
	must(t, c.Expire(ctx, "rl", time.Hour).Err())
	must(t, c.Incr(ctx, "rl").Err())
	must(t, c.Set(ctx, "live", "v", 3*time.Hour).Err())
	crash(s) // journal only

	s = mustOpen(t, dir)
	c = s.Client()
	if n := c.Exists(ctx, "rl").Val(); n != 0 {
		t.Errorf("rl resurrected: %q ttl %v", c.Get(ctx, "rl").Val(), c.PTTL(ctx, "rl").Val())
	}
	expectTTL(t, s.Client(), "live", 59*time.Minute, time.Hour)
}

func TestTransactions(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	c := s.Client()

	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "1", 0)
		p.Incr(ctx, "n")
		p.Get(ctx, "a")
		p.RPush(ctx, "l", "x", "y")
		p.HSet(ctx, "h", "f", "v")
		p.Set(ctx, "t", "v", time.Hour)
		return nil
	})
	must(t, err)
	if len(cmds) != 6 {
		t.Fatalf("got %d cmds", len(cmds))
	}
	recs := journalRecords(t, s)
	if len(recs) != 1 || len(recs[0].cmds) != 6 { // 5 writes + PEXPIREAT
		t.Fatalf("transaction journalled as %d records:\n%s", len(recs), journalText(recs))
	}

	// A transaction whose command fails at EXEC time: the others applied.
	_, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "n")
		p.LPush(ctx, "a", "oops") // WRONGTYPE
		p.Incr(ctx, "n")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("expected WRONGTYPE, got %v", err)
	}

	// WATCH abort: another client changes the key first; nothing journalled.
	before := len(journalRecords(t, s))
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := tx.Get(ctx, "w").Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if err := c.Set(ctx, "w", "other", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w", "mine", 0)
			p.Set(ctx, "w2", "x", 0)
			return nil
		})
		return err
	}, "w")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("watch: got %v, want TxFailedErr", err)
	}
	recs = journalRecords(t, s)
	if len(recs) != before+1 || strings.Contains(journalText(recs[before:]), "w2") {
		t.Fatalf("aborted transaction journalled:\n%s", journalText(recs[before:]))
	}

	// A WATCH transaction that commits.
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		v, err := tx.Get(ctx, "n").Int()
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "n2", v*10, 0)
			return nil
		})
		return err
	}, "n")
	must(t, err)

	crash(s)
	s = mustOpen(t, dir)
	c = s.Client()
	expectGet(t, c, "a", "1")
	expectGet(t, c, "n", "3")
	expectGet(t, c, "n2", "30")
	expectGet(t, c, "w", "other")
	expectTTL(t, c, "t", 59*time.Minute, time.Hour)
	if c.Exists(ctx, "w2").Val() != 0 {
		t.Error("w2 from the aborted transaction exists")
	}
	if l := c.LRange(ctx, "l", 0, -1).Val(); !slices.Equal(l, []string{"x", "y"}) {
		t.Errorf("l = %v", l)
	}
	expectHGet(t, c, "h", "f", "v")
}

func TestTornTail(t *testing.T) {
	valid := appendRecord(nil, record{ts: time.Now().UnixNano(), cmds: [][]string{{"set", "late", "x"}}})
	tails := map[string][]byte{
		"half record":  valid[:len(valid)/2],
		"header only":  valid[:6],
		"bad checksum": append(append([]byte{}, valid[:len(valid)-1]...), valid[len(valid)-1]^0xff),
		"zero fill":    make([]byte, 4096),
		"garbage":      []byte("\xde\xad\xbe\xef garbage that is not a record at all"),
	}
	for name, tail := range tails {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir)
			c := s.Client()
			for i := range 20 {
				must(t, c.RPush(ctx, "l", i).Err())
			}
			path := s.journal.path
			crash(s)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			_, err = f.Write(tail)
			must(t, err)
			must(t, f.Close())

			var logs logBuffer
			s = mustOpen(t, dir, WithLogger(logs.logger()))
			if n := s.Client().LLen(ctx, "l").Val(); n != 20 {
				t.Errorf("LLEN = %d, want 20", n)
			}
			if s.Client().Exists(ctx, "late").Val() != 0 {
				t.Error("record from the torn tail was applied")
			}
			if !strings.Contains(logs.String(), "discarding torn journal tail") {
				t.Errorf("no torn-tail log line; log:\n%s", logs.String())
			}
		})
	}
}

func TestDirLock(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	_, err := Open(ctx, dir, WithLogger(discardLogger()))
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open: %v", err)
	}
	must(t, s.Close())
	s2 := mustOpen(t, dir)
	must(t, s2.Close())
}

func TestRefusedCommands(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	c := s.Client()
	must(t, c.SAdd(ctx, "s", "a", "b").Err())
	before := len(journalRecords(t, s))

	err := c.SPop(ctx, "s").Err()
	if err == nil || err.Error() != `embedded store: command "SPOP" is not supported` {
		t.Fatalf("SPOP: %v", err)
	}
	for _, args := range [][]any{{"multi"}, {"exec"}, {"select", 1}, {"sinterstore", "x", "s"}, {"xadd", "st", "*", "f", "v"}} {
		if err := c.Do(ctx, args...).Err(); err == nil || !strings.HasPrefix(err.Error(), "embedded store:") {
			t.Errorf("%v: %v", args, err)
		}
	}
	// One refused command refuses the whole pipeline before anything runs.
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "p", "1", 0)
		p.SPop(ctx, "s")
		return nil
	})
	if err == nil || cmds[0].Err() == nil {
		t.Fatalf("pipeline: %v / %v", err, cmds[0].Err())
	}
	if c.Exists(ctx, "p").Val() != 0 || c.SCard(ctx, "s").Val() != 2 {
		t.Error("refused pipeline was executed")
	}
	if _, err := c.AutoPipelineWithOptions(&redis.AutoPipelineOptions{FullDuplex: true}); err == nil {
		t.Error("full-duplex autopipeline accepted")
	}
	if n := len(journalRecords(t, s)); n != before {
		t.Errorf("journal grew from %d to %d records", before, n)
	}

	// A cancelled context: the write is not run.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Set(cctx, "never", "x", 0).Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v", err)
	}
	if c.Exists(ctx, "never").Val() != 0 {
		t.Error("cancelled write applied")
	}
}

func TestScriptsAndPipelines(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	c := s.Client()
	incr := redis.NewScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`)
	for range 2 {
		must(t, incr.Run(ctx, c, []string{"sc"}, 5).Err()) // EVALSHA, NOSCRIPT -> EVAL, then EVALSHA
	}
	sha, err := c.ScriptLoad(ctx, `return redis.call("SET", KEYS[1], ARGV[1])`).Result()
	must(t, err)
	must(t, c.EvalSha(ctx, sha, []string{"loaded"}, "yes").Err())
	if err := c.EvalSha(ctx, strings.Repeat("0", 40), nil).Err(); !strings.HasPrefix(fmt.Sprint(err), "NOSCRIPT") {
		t.Errorf("EVALSHA of an unknown script: %v", err)
	}
	if j := journalText(journalRecords(t, s)); !strings.Contains(j, "INCRBY") || !strings.Contains(j, "eval return redis.call(\"SET\"") || strings.Contains(j, "evalsha") {
		t.Fatalf("scripts not journalled as EVAL:\n%s", j)
	}
	_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 10 {
			p.RPush(ctx, "pl", i)
			p.LLen(ctx, "pl")
		}
		return nil
	})
	must(t, err)
	ap, err := c.AutoPipeline()
	must(t, err)
	must(t, ap.Set(ctx, "ap", "v", 0).Err())
	must(t, ap.Close())

	crash(s)
	s = mustOpen(t, dir)
	c = s.Client()
	expectGet(t, c, "sc", "10")
	expectGet(t, c, "loaded", "yes")
	expectGet(t, c, "ap", "v")
	if n := c.LLen(ctx, "pl").Val(); n != 10 {
		t.Errorf("pl has %d elements", n)
	}
	must(t, incr.Run(ctx, c, []string{"sc"}, 1).Err())
	expectGet(t, c, "sc", "11")
}

func TestCompactionFiles(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, WithCompactBytes(2048))
	c := s.Client()
	gen := s.gen
	for i := range 300 {
		must(t, c.HSet(ctx, "h", i, strings.Repeat("x", 20)).Err())
	}
	if s.gen < gen+2 {
		t.Fatalf("generation %d -> %d: no compaction", gen, s.gen)
	}
	crash(s)
	names, _ := filepath.Glob(filepath.Join(dir, "journal.*"))
	if len(names) != 1 {
		t.Errorf("journals on disk: %v", names)
	}
	s = mustOpen(t, dir)
	if n := s.Client().HLen(ctx, "h").Val(); n != 300 {
		t.Errorf("HLEN = %d", n)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func expectGet(t *testing.T, c redis.UniversalClient, k, want string) {
	t.Helper()
	if got, err := c.Get(ctx, k).Result(); err != nil || got != want {
		t.Errorf("GET %s = %q, %v; want %q", k, got, err, want)
	}
}

func expectHGet(t *testing.T, c redis.UniversalClient, k, f, want string) {
	t.Helper()
	if got, err := c.HGet(ctx, k, f).Result(); err != nil || got != want {
		t.Errorf("HGET %s %s = %q, %v; want %q", k, f, got, err, want)
	}
}

func expectTTL(t *testing.T, c redis.UniversalClient, k string, lo, hi time.Duration) {
	t.Helper()
	if d := c.PTTL(ctx, k).Val(); d < lo || d > hi {
		t.Errorf("PTTL %s = %v, want in [%v, %v]", k, d, lo, hi)
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// TestCompactionCrashPoints rebuilds the directory states a crash can leave
// at each step of compaction and checks that Open neither loses nor replays
// twice the non-idempotent INCRs of the old journal.
func TestCompactionCrashPoints(t *testing.T) {
	steps := []string{"before rename", "after rename", "after new journal"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir)
			c := s.Client()
			for range 3 {
				must(t, c.Incr(ctx, "n").Err())
			}
			must(t, c.RPush(ctx, "l", "a", "b").Err())
			s.wmu <- struct{}{}
			switch step {
			case "before rename":
				must(t, os.WriteFile(filepath.Join(dir, snapshotTmp), []byte("half a snapshot"), 0o600))
			case "after rename", "after new journal":
				_, err := s.writeSnapshot(s.gen + 1)
				must(t, err)
				if step == "after new journal" {
					j, err := createJournal(dir, s.gen+1)
					must(t, err)
					must(t, j.close())
				}
			}
			<-s.wmu
			crash(s)

			s = mustOpen(t, dir)
			c = s.Client()
			expectGet(t, c, "n", "3")
			if l := c.LRange(ctx, "l", 0, -1).Val(); !slices.Equal(l, []string{"a", "b"}) {
				t.Errorf("l = %v", l)
			}
			names, _ := filepath.Glob(filepath.Join(dir, "*"))
			for i, n := range names {
				names[i] = filepath.Base(n)
			}
			want := []string{"LOCK", "journal." + strconv.FormatUint(s.gen, 10), "snapshot"}
			if !slices.Equal(names, want) {
				t.Errorf("files %v, want %v", names, want)
			}
		})
	}
}
