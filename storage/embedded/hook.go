package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/redis/go-redis/v9"
)

// hook journals every successful write before go-redis hands the result back.
//
// How go-redis v9 routes commands through hooks (redis.go, tx.go):
//   - Client.Process / Do / every typed command -> ProcessHook.
//   - Pipelined / Pipeline().Exec -> ProcessPipelineHook with the queued cmds.
//   - TxPipelined / TxPipeline().Exec (also on the *Tx of Client.Watch) ->
//     the same ProcessPipelineHook, with the cmds wrapped by wrapMultiExec:
//     [*StatusCmd "multi", queued..., *SliceCmd "exec"]. A WATCH abort leaves
//     redis.TxFailedErr on every cmd; EXECABORT likewise; otherwise each
//     queued cmd carries its own reply.
//   - Client.Watch builds a *Tx whose hooks are a clone of the client's, so
//     WATCH/UNWATCH reach ProcessHook and its TxPipelined reaches this hook.
//   - Connection set-up (HELLO, CLIENT ...) also runs through the hooks of
//     a clone; those are read-only here, so they never take the write lock
//     (which may already be held by the write that triggered the dial).
type hook struct{ s *Server }

func (h hook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		cmds := []redis.Cmder{cmd}
		return h.s.call(ctx, cmds, false, func(ctx context.Context) error { return next(ctx, cmd) })
	}
}

func (h hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return h.s.call(ctx, cmds, isTx(cmds), func(ctx context.Context) error { return next(ctx, cmds) })
	}
}

// isTx recognises the MULTI/EXEC wrapper added by go-redis's TxPipeline. A
// user-issued "multi" (a *redis.Cmd from Do) does not match and is refused.
func isTx(cmds []redis.Cmder) bool {
	if len(cmds) < 2 {
		return false
	}
	m, ok1 := cmds[0].(*redis.StatusCmd)
	e, ok2 := cmds[len(cmds)-1].(*redis.SliceCmd)
	return ok1 && ok2 && m.Name() == "multi" && e.Name() == "exec"
}

// call plans cmds, refuses the whole call if any command is not allowed, runs
// read-only calls directly and write calls under the write lock.
func (s *Server) call(ctx context.Context, cmds []redis.Cmder, tx bool, run func(context.Context) error) error {
	body := cmds
	if tx {
		body = cmds[1 : len(cmds)-1]
	}
	steps := make([]step, len(body))
	writes := false
	for i, c := range body {
		st, err := s.plan(c)
		if err != nil {
			setErrs(cmds, err)
			return err
		}
		steps[i] = st
		writes = writes || st.write
	}
	if !writes {
		err := run(ctx)
		for _, st := range steps {
			if st.load != "" && st.cmd.Err() == nil {
				s.learnScript(st.load)
			}
		}
		return err
	}
	return s.callWrite(ctx, cmds, tx, steps, run)
}

// callWrite runs a call containing writes: lock, execute, journal + fsync
// what took effect, unlock. The caller sees success only once the record is
// durable.
func (s *Server) callWrite(ctx context.Context, cmds []redis.Cmder, tx bool, steps []step, run func(context.Context) error) error {
	if err := s.acquire(ctx); err != nil {
		setErrs(cmds, err)
		return err
	}
	defer s.release()
	if err := s.writable(); err != nil {
		setErrs(cmds, err)
		return err
	}
	ts := s.now()
	// Once started, a write runs to completion: a cancelled context must not
	// leave it applied in memory with its outcome unknown to the journal.
	runErr := run(context.WithoutCancel(ctx))
	applied, unknown := s.applied(cmds, tx, steps, runErr)
	if unknown != nil {
		s.broken = fmt.Errorf("outcome of a write is unknown: %w", unknown)
		s.log.Error("embedded store: write outcome unknown; refusing further writes until reopened", "err", unknown)
		return runErr
	}
	if len(applied) == 0 {
		return runErr
	}
	if err := s.journal.append(record{ts: ts.UnixNano(), cmds: applied}); err != nil {
		s.broken = fmt.Errorf("journal append: %w", err)
		s.log.Error("embedded store: journal append failed; refusing further writes until reopened", "err", err)
		err = fmt.Errorf("embedded store: write not durable (journal append failed): %w", err)
		setErrs(cmds, err)
		return err
	}
	s.maybeCompact()
	return runErr
}

// applied returns the journal form of the writes that took effect, or an
// error when that cannot be known (a transport failure after sending).
func (s *Server) applied(cmds []redis.Cmder, tx bool, steps []step, runErr error) ([][]string, error) {
	if runErr != nil && notSent(runErr) {
		return nil, nil
	}
	if tx {
		if err := cmds[len(cmds)-1].Err(); err != nil {
			if errors.Is(err, redis.TxFailedErr) || redis.IsExecAbortError(err) {
				return nil, nil // EXEC discarded the transaction
			}
			return nil, err
		}
	}
	var out [][]string
	for _, st := range steps {
		if !st.write {
			continue
		}
		switch err := st.cmd.Err(); {
		case err == nil || errors.Is(err, redis.Nil):
		case isRedisError(err):
			if !st.script {
				continue // rejected by the server: no effect
			}
			// A script error can follow writes the script already made;
			// replaying the script reproduces both.
		default:
			return nil, err
		}
		out = append(out, st.args)
		if st.ttlKey != "" {
			if ttl := s.mr.TTL(st.ttlKey); ttl > 0 {
				at := s.now().Add(ttl).Round(1e6).UnixMilli()
				out = append(out, []string{"pexpireat", st.ttlKey, itoa(at)})
			}
		}
	}
	return out, nil
}

// notSent reports errors go-redis returns before a command reaches the server.
func notSent(err error) bool {
	if errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrPoolExhausted) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func setErrs(cmds []redis.Cmder, err error) {
	for _, c := range cmds {
		c.SetErr(err)
	}
}

// client is the go-redis client handed out by Server.Client. It refuses the
// full-duplex autopipeline: there go-redis queues the write on the wire before
// the hook runs, so the hook could neither refuse a command nor keep the
// journal in execution order. Everything else is *redis.Client.
type client struct{ *redis.Client }

var errFullDuplex = errors.New("embedded store: full-duplex autopipelining is not supported (writes would bypass journal ordering)")

// AutoPipelineWithOptions is redis.Client.AutoPipelineWithOptions; it fails
// for a FullDuplex config.
func (c client) AutoPipelineWithOptions(cfg *redis.AutoPipelineOptions) (*redis.AutoPipeliner, error) {
	if cfg != nil && cfg.FullDuplex {
		return nil, errFullDuplex
	}
	return c.Client.AutoPipelineWithOptions(cfg)
}

// AsyncAutoPipelineWithOptions is redis.Client.AsyncAutoPipelineWithOptions;
// it fails for a FullDuplex config.
func (c client) AsyncAutoPipelineWithOptions(cfg *redis.AutoPipelineOptions) (*redis.AutoPipeliner, error) {
	if cfg != nil && cfg.FullDuplex {
		return nil, errFullDuplex
	}
	return c.Client.AsyncAutoPipelineWithOptions(cfg)
}
