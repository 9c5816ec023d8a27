// Package embedded runs the bot's Redis in-process (miniredis on loopback)
// and makes it durable: every write acknowledged through Server.Client has
// been appended to a journal in the data directory and fsync'd before the
// go-redis call returns, and Open rebuilds the data from snapshot + journal.
//
// Data directory layout:
//
//	LOCK              flock'd while a Server has the directory open
//	snapshot          records rebuilding every key; header names generation G
//	journal.G         records of the writes made since that snapshot
//	snapshot.tmp      a compaction in progress (discarded at Open)
//
// Only the commands listed in commands.go are accepted; any other command is
// refused with an error, so no write reaches the data without the journal.
// A write call (command, pipeline or MULTI/EXEC transaction) is one journal
// record, so replay applies all of it or, if the record was torn by a crash
// before it was acknowledged, none of it.
//
// Time: miniredis runs with ClockTTL on a clock the store advances every
// 100 ms (the resolution of TTLs). Each record carries that clock's value,
// and replay runs every record at its original time, so keys expire at the
// same point of the history as they did live and keys whose deadline passed
// while the bot was down are gone after Open.
//
// Limitations: reads do not wait for the journal, so a read can observe a
// write whose fsync is still in flight (and which a crash would lose before
// it is acknowledged). Lua scripts must be deterministic (no random
// commands). Only database 0 exists.
package embedded

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

const (
	defaultCompactBytes = 8 << 20
	// clockStep is how often miniredis's clock is advanced: the resolution
	// of TTLs and expiry. Under ClockTTL each advance costs miniredis a walk
	// and sort of all keys on its next access; following the wall clock
	// instead would pay that on every command (about 1 ms per command at
	// 5,000 keys), and during compaction once per key read.
	clockStep = 100 * time.Millisecond
)

// Server is a running embedded store. It is safe for concurrent use.
type Server struct {
	dir          string
	log          *slog.Logger
	compactBytes int64
	clock        func() time.Time // nil: wall clock; tests pin it
	lockFile     *os.File
	mr           *miniredis.Miniredis
	password     string
	rdb          client

	// wmu (capacity 1) is the write lock: it serialises writes, their
	// journal appends and compaction, and guards the fields below.
	wmu         chan struct{}
	journal     *journal
	gen         uint64
	nextCompact int64
	broken      error // set when the journal can no longer match memory
	closed      bool

	scriptsMu sync.Mutex
	scripts   map[string]string // sha1 -> body, for journalling EVALSHA as EVAL

	// miniredis runs on a clock we set (see advanceClock); nowNs is that
	// time, changed only under wmu, so a write and its record agree on it.
	nowNs     atomic.Int64
	base      time.Time // wall clock at the first advanceClock
	stopTick  chan struct{}
	tickDone  chan struct{}
	closeTick sync.Once
}

// Option configures Open.
type Option func(*Server)

// WithCompactBytes returns an Option setting the journal size (bytes) at
// which the journal is folded into a new snapshot; n <= 0 keeps the default
// of 8 MiB.
func WithCompactBytes(n int64) Option {
	return func(s *Server) {
		if n > 0 {
			s.compactBytes = n
		}
	}
}

// WithLogger returns an Option directing the store's log lines (torn journal
// tails, compaction and journal failures) to l; nil keeps slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// withClock pins the store's clock (and miniredis's) to f; for tests.
func withClock(f func() time.Time) Option { return func(s *Server) { s.clock = f } }

// Open locks dir (creating it if needed), starts miniredis on 127.0.0.1 with
// a random port and ClockTTL, replays the snapshot and journal found in dir,
// compacts them into a new snapshot and returns the running Server; Close
// must be called to release it. ctx is used by the replay. It fails
// if dir is locked by another Server (in this or another process), if the
// files cannot be read or are damaged beyond a torn journal tail (which is
// logged and dropped), or if replay or the initial compaction fails.
func Open(ctx context.Context, dir string, opts ...Option) (*Server, error) {
	if dir == "" {
		return nil, errors.New("embedded store: empty data dir")
	}
	s := &Server{
		dir:          dir,
		log:          slog.Default(),
		compactBytes: defaultCompactBytes,
		wmu:          make(chan struct{}, 1),
		scripts:      map[string]string{},
	}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	lf, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s.lockFile = lf
	if err := s.start(ctx); err != nil {
		s.teardown()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	pw := make([]byte, 16)
	_, _ = rand.Read(pw)
	s.password = hex.EncodeToString(pw)
	s.mr = miniredis.NewMiniRedis()
	// Only our clients know the password: another local process cannot
	// write behind the journal's back.
	s.mr.RequireAuth(s.password)
	s.mr.ClockTTL(true)
	if err := s.mr.StartAddr("127.0.0.1:0"); err != nil {
		return fmt.Errorf("embedded store: start miniredis: %w", err)
	}

	began := time.Now()
	rdb := redis.NewClient(s.options())
	rp := newReplayer(rdb, s.mr, s.log)
	gen, found, err := loadSnapshot(ctx, s.dir, rp)
	if err == nil {
		err = s.removeStale(gen, found)
	}
	records := 0
	if err == nil {
		records, err = replayJournal(ctx, s.dir, gen, rp, s.log)
	}
	_ = rdb.Close()
	if err != nil {
		return err
	}

	s.wmu <- struct{}{}
	s.gen = gen
	s.advanceClock() // expires what ran out while the store was closed
	err = s.compactLocked()
	<-s.wmu
	if err != nil {
		return err
	}
	s.rdb = client{redis.NewClient(s.options())}
	s.rdb.AddHook(hook{s})
	if s.clock == nil {
		s.stopTick, s.tickDone = make(chan struct{}), make(chan struct{})
		go s.tick()
	}
	s.log.Info("embedded store: opened", "dir", s.dir, "addr", s.mr.Addr(), "generation", s.gen,
		"journal_records", records, "replayed_cmds", rp.cmds, "replay_errors", rp.errs,
		"replay_clock_moves", rp.ticks, "took", time.Since(began))
	return nil
}

// removeStale deletes leftovers of interrupted compactions: snapshot.tmp and
// journals of other generations than the snapshot's. It refuses to continue
// when a journal could hold writes the snapshot does not cover.
func (s *Server) removeStale(gen uint64, found bool) error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("embedded store: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		var stale bool
		switch {
		case name == snapshotTmp:
			stale = true
		case strings.HasPrefix(name, "journal."):
			g, err := strconv.ParseUint(strings.TrimPrefix(name, "journal."), 10, 64)
			if err != nil {
				continue
			}
			if g > gen || (!found && g > 0) {
				return fmt.Errorf("embedded store: %s has %s but snapshot generation %d (snapshot found: %v); refusing to guess which data is current",
					s.dir, name, gen, found)
			}
			stale = g < gen
		}
		if stale {
			if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
				return fmt.Errorf("embedded store: %w", err)
			}
		}
	}
	return nil
}

// advanceClock moves miniredis's clock (and s.now) to the current time; the
// next access to miniredis expires the keys whose deadline it passed. The
// caller holds wmu.
func (s *Server) advanceClock() {
	if s.base.IsZero() {
		s.base = time.Now()
	}
	// Wall time at Open plus monotonic time since: never steps backwards.
	t := s.base.Add(time.Since(s.base))
	if s.clock != nil {
		t = s.clock()
	}
	s.mr.SetTime(t)
	s.nowNs.Store(t.UnixNano())
}

// tick advances the clock every clockStep until Close.
func (s *Server) tick() {
	defer close(s.tickDone)
	t := time.NewTicker(clockStep)
	defer t.Stop()
	for {
		select {
		case <-s.stopTick:
			return
		case <-t.C:
		}
		select {
		case <-s.stopTick:
			return
		case s.wmu <- struct{}{}:
		}
		s.advanceClock()
		s.release()
	}
}

func (s *Server) options() *redis.Options {
	return &redis.Options{
		Addr:     s.mr.Addr(),
		Password: s.password,
		// A retried or timed-out write could be applied without the hook
		// knowing; the server is in-process, so neither is needed.
		MaxRetries:               -1,
		ReadTimeout:              -1,
		WriteTimeout:             -1,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
}

// Addr returns the "127.0.0.1:port" miniredis listens on. Connections need a
// password only Client knows, so nothing else can write behind the journal.
func (s *Server) Addr() string { return s.mr.Addr() }

// Client returns the go-redis client of this store (the same one on every
// call), connected to Addr with the journaling hook installed. A write call
// returns without error only once it is journalled and fsync'd; commands
// outside the supported set fail with `embedded store: command "X" is not
// supported`. Do not Close it; Server.Close does.
func (s *Server) Client() redis.UniversalClient { return s.rdb }

// Close waits for in-flight writes, compacts the journal into the snapshot if
// it holds anything, closes the client, stops miniredis and releases the
// directory lock. Writes issued afterwards fail. It returns the first errors
// met (compaction, client close); closing twice returns nil.
func (s *Server) Close() error {
	if s.stopTick != nil {
		s.closeTick.Do(func() { close(s.stopTick) })
		<-s.tickDone
	}
	s.wmu <- struct{}{}
	defer func() { <-s.wmu }()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.broken == nil && s.journal != nil && s.journal.size > 0 {
		if err := s.compactLocked(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.rdb.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		errs = append(errs, err)
	}
	s.teardown()
	return errors.Join(errs...)
}

// teardown releases files, miniredis and the directory lock.
func (s *Server) teardown() {
	if s.journal != nil {
		_ = s.journal.close()
		s.journal = nil
	}
	if s.mr != nil {
		s.mr.Close()
	}
	if s.lockFile != nil {
		_ = s.lockFile.Close() // releases the flock
		s.lockFile = nil
	}
}

// now is miniredis's current time. Stable while wmu is held.
func (s *Server) now() time.Time { return time.Unix(0, s.nowNs.Load()) }

// acquire takes the write lock, giving up if ctx ends first (the write is
// then not executed).
func (s *Server) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.wmu <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) release() { <-s.wmu }

var errClosed = errors.New("embedded store: closed")

// writable reports why writes are refused, if they are. Caller holds wmu.
func (s *Server) writable() error {
	if s.closed {
		return errClosed
	}
	if s.broken != nil {
		return fmt.Errorf("embedded store: writes disabled (reopen to recover): %w", s.broken)
	}
	return nil
}

func (s *Server) maybeCompact() {
	if s.journal.size < s.nextCompact {
		return
	}
	if err := s.compactLocked(); err != nil {
		s.log.Error("embedded store: compaction failed", "err", err)
		s.nextCompact = s.journal.size + s.compactBytes
	}
}

func (s *Server) learnScript(body string) {
	sum := sha1.Sum([]byte(body))
	s.scriptsMu.Lock()
	s.scripts[hex.EncodeToString(sum[:])] = body
	s.scriptsMu.Unlock()
}

func (s *Server) script(sha string) (string, bool) {
	s.scriptsMu.Lock()
	defer s.scriptsMu.Unlock()
	body, ok := s.scripts[strings.ToLower(sha)]
	return body, ok
}

// syncDir fsyncs a directory so entries created, renamed or removed in it
// survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
