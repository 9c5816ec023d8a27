package embedded

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// logBuffer collects log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func mustOpen(t testing.TB, dir string, opts ...Option) *Server {
	t.Helper()
	opts = append([]Option{WithLogger(discardLogger())}, opts...)
	s, err := Open(ctx, dir, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// crash stops s the way kill -9 would leave the directory: no compaction,
// nothing flushed beyond what the hook already fsync'd.
func crash(s *Server) {
	s.wmu <- struct{}{}
	s.closed = true
	_ = s.rdb.Client.Close()
	s.teardown()
	<-s.wmu
}

// stop ends s either cleanly (Close) or as a crash.
func stop(t *testing.T, s *Server, clean bool) {
	t.Helper()
	if !clean {
		crash(s)
		return
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// journalRecords returns the records currently in s's journal.
func journalRecords(t *testing.T, s *Server) []record {
	t.Helper()
	var recs []record
	_, torn, err := readRecords(s.journal.path, func(r record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil || torn != nil {
		t.Fatalf("read journal: %v %v", err, torn)
	}
	return recs
}

func journalText(recs []record) string {
	var b strings.Builder
	for _, r := range recs {
		for _, c := range r.cmds {
			b.WriteString(strings.Join(c, " "))
			b.WriteString("\n")
		}
	}
	return b.String()
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }
