package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
)

const (
	snapshotFile  = "snapshot"
	snapshotTmp   = "snapshot.tmp"
	snapshotMagic = "kpibot-embedded-snapshot"
	snapshotVer   = "1"
	chunk         = 512 // elements per RPUSH/SADD/ZADD/HSET command
)

// compactLocked replaces snapshot + journal.<gen> by a fresh snapshot of the
// in-memory data (generation gen+1) and an empty journal.<gen+1>. The caller
// holds the write lock, so no write runs meanwhile. Crash safety: until the
// rename, the old snapshot + journal.<gen> are intact; after it, the new
// snapshot names generation gen+1, whose journal is missing or empty, and Open
// never replays journal.<gen> against it.
func (s *Server) compactLocked() error {
	start := time.Now()
	next := s.gen + 1
	keys, err := s.writeSnapshot(next)
	if err != nil {
		return err
	}
	// From here on the new snapshot may be what a restart sees, so writes
	// must go to journal.<next>; failing to get there leaves no safe place
	// to journal.
	fail := func(err error) error {
		s.broken = fmt.Errorf("compaction: %w", err)
		s.log.Error("embedded store: compaction failed after installing the snapshot; refusing further writes until reopened", "err", err)
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return fail(err)
	}
	j, err := createJournal(s.dir, next)
	if err != nil {
		return fail(err)
	}
	old, prev := s.journal, journalPath(s.dir, s.gen)
	s.journal, s.gen = j, next
	s.nextCompact = s.compactBytes
	if old != nil {
		_ = old.close()
	}
	if err := os.Remove(prev); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("embedded store: cannot remove old journal", "file", prev, "err", err)
	}
	s.log.Debug("embedded store: compacted", "generation", next, "keys", keys, "took", time.Since(start))
	return nil
}

// writeSnapshot writes snapshot.tmp (generation gen), fsyncs it and renames it
// to snapshot. It returns the number of keys written.
func (s *Server) writeSnapshot(gen uint64) (int, error) {
	tmp := filepath.Join(s.dir, snapshotTmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	keys, err := s.dumpSnapshot(f, gen)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, snapshotFile))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("embedded store: write snapshot: %w", err)
	}
	return keys, nil
}

func (s *Server) dumpSnapshot(f *os.File, gen uint64) (int, error) {
	w := bufio.NewWriterSize(f, 1<<20)
	now := s.now()
	var buf []byte
	emit := func(r record) error {
		buf = appendRecord(buf[:0], r)
		_, err := w.Write(buf)
		return err
	}
	if err := emit(record{ts: now.UnixNano(), cmds: [][]string{{snapshotMagic, snapshotVer, strconv.FormatUint(gen, 10)}}}); err != nil {
		return 0, err
	}
	n := 0
	for _, k := range s.mr.Keys() {
		cmds, err := keyCommands(s.mr, k, s.now)
		if err != nil {
			return 0, err
		}
		if cmds == nil {
			continue // expired meanwhile
		}
		if err := emit(record{ts: now.UnixNano(), cmds: cmds}); err != nil {
			return 0, err
		}
		n++
	}
	return n, w.Flush()
}

// keyCommands returns the commands that rebuild key k, its deadline included,
// or nil if k no longer exists. The TTL is read first: a key with no TTL
// cannot change (writers are locked out), and one that expires while being
// read gets a deadline in the past, so replay drops it again.
func keyCommands(mr *miniredis.Miniredis, k string, now func() time.Time) ([][]string, error) {
	ttl := mr.TTL(k)
	deadline := now().Add(ttl)
	var cmds [][]string
	var err error
	switch t := mr.Type(k); t {
	case "":
		return nil, nil
	case "string":
		var v string
		if v, err = mr.Get(k); err == nil {
			cmds = [][]string{{"set", k, v}}
		}
	case "hash":
		var fields []string
		if fields, err = mr.HKeys(k); err == nil {
			fv := make([]string, 0, 2*len(fields))
			for _, f := range fields {
				fv = append(fv, f, mr.HGet(k, f))
			}
			cmds = chunked("hset", k, fv, 2)
		}
	case "list":
		var l []string
		if l, err = mr.List(k); err == nil {
			cmds = chunked("rpush", k, l, 1)
		}
	case "set":
		var m []string
		if m, err = mr.Members(k); err == nil {
			cmds = chunked("sadd", k, m, 1)
		}
	case "zset":
		var z map[string]float64
		if z, err = mr.SortedSet(k); err == nil {
			members := slices.Sorted(maps.Keys(z))
			sm := make([]string, 0, 2*len(members))
			for _, m := range members {
				sm = append(sm, strconv.FormatFloat(z[m], 'g', -1, 64), m)
			}
			cmds = chunked("zadd", k, sm, 2)
		}
	default:
		return nil, fmt.Errorf("embedded store: cannot snapshot key %q of type %q", k, t)
	}
	if errors.Is(err, miniredis.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("embedded store: snapshot key %q: %w", k, err)
	}
	if ttl > 0 {
		cmds = append(cmds, []string{"pexpireat", k, itoa(deadline.Round(1e6).UnixMilli())})
	}
	return cmds, nil
}

// chunked splits "name key items..." into commands of at most chunk groups
// of width items each.
func chunked(name, k string, items []string, width int) [][]string {
	var out [][]string
	for len(items) > 0 {
		n := min(len(items), chunk*width)
		c := append([]string{name, k}, items[:n]...)
		out = append(out, c)
		items = items[n:]
	}
	return out
}

// loadSnapshot replays the snapshot in dir, if any, and returns its
// generation (0 when there is none). A snapshot is written atomically, so any
// damage is reported, never skipped.
func loadSnapshot(ctx context.Context, dir string, rp *replayer) (gen uint64, found bool, err error) {
	path := filepath.Join(dir, snapshotFile)
	first := true
	_, torn, err := readRecords(path, func(r record) error {
		if first {
			first = false
			if len(r.cmds) != 1 || len(r.cmds[0]) != 3 || r.cmds[0][0] != snapshotMagic || r.cmds[0][1] != snapshotVer {
				return fmt.Errorf("embedded store: %s: not a snapshot (bad header)", path)
			}
			g, err := strconv.ParseUint(r.cmds[0][2], 10, 64)
			gen = g
			return err
		}
		return rp.add(ctx, r)
	})
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err == nil && torn != nil {
		err = fmt.Errorf("embedded store: snapshot %s is damaged: %w", path, torn)
	}
	if err == nil && first {
		err = fmt.Errorf("embedded store: snapshot %s is empty", path)
	}
	if err == nil {
		err = rp.flush(ctx)
	}
	return gen, true, err
}
