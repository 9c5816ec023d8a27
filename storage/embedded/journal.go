package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// journal is the append-only file of write records for one generation.
type journal struct {
	f    *os.File
	path string
	size int64
	buf  []byte
}

func journalPath(dir string, gen uint64) string {
	return filepath.Join(dir, "journal."+strconv.FormatUint(gen, 10))
}

// createJournal creates (or empties) journal.<gen> in dir and makes its
// directory entry durable.
func createJournal(dir string, gen uint64) (*journal, error) {
	path := journalPath(dir, gen)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f, path: path}, nil
}

// append writes r and fsyncs the file. On error the record must be treated
// as not durable (a partial frame is cut off on a best-effort basis; replay
// would drop it as a torn tail anyway).
func (j *journal) append(r record) error {
	j.buf = appendRecord(j.buf[:0], r)
	n, err := j.f.Write(j.buf)
	if err == nil {
		err = j.f.Sync()
	}
	if cap(j.buf) > 1<<20 {
		j.buf = nil
	}
	if err != nil {
		if n > 0 {
			_ = j.f.Truncate(j.size)
		}
		return err
	}
	j.size += int64(n)
	return nil
}

func (j *journal) close() error { return j.f.Close() }

// readRecords calls fn for every intact record of the file at path, in order.
// It returns the length of the intact prefix and, if the file continues past
// it with an incomplete or corrupt frame, the reason (wrapping errTorn). err
// reports I/O failures, malformed records and errors from fn.
func readRecords(path string, fn func(record) error) (valid int64, torn, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	for {
		rec, n, err := readRecord(br)
		switch {
		case err == io.EOF:
			return valid, nil, nil
		case errors.Is(err, errTorn):
			return valid, err, nil
		case err != nil:
			return valid, nil, fmt.Errorf("%s at offset %d: %w", path, valid, err)
		}
		if err := fn(rec); err != nil {
			return valid, nil, err
		}
		valid += n
	}
}

// replayJournal applies journal.<gen> through rp. A torn tail is logged and
// truncated away; a missing journal is an empty one.
func replayJournal(ctx context.Context, dir string, gen uint64, rp *replayer, log *slog.Logger) (int, error) {
	path := journalPath(dir, gen)
	count := 0
	valid, torn, err := readRecords(path, func(r record) error {
		count++
		return rp.add(ctx, r)
	})
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return count, err
	}
	if torn != nil {
		st, serr := os.Stat(path)
		size := int64(-1)
		if serr == nil {
			size = st.Size()
		}
		log.Warn("embedded store: discarding torn journal tail",
			"file", path, "offset", valid, "bytes", size-valid, "reason", torn.Error())
		if err := os.Truncate(path, valid); err != nil {
			return count, fmt.Errorf("embedded store: truncate torn journal %s: %w", path, err)
		}
	}
	return count, rp.flush(ctx)
}
