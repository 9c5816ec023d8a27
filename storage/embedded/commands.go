package embedded

import (
	"encoding"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

type kind uint8

const (
	unsupported kind = iota
	readOnly
	write
)

// kinds is the allow-list. Writes are commands whose effect is a pure
// function of their arguments, the data and the clock, so replaying them
// (at their original time) reproduces the state. Anything else is refused.
var kinds = map[string]kind{}

func init() {
	for _, c := range strings.Fields(`
		set setnx setex psetex getset getdel getex mset del unlink
		expire pexpire expireat pexpireat persist
		incr incrby decr decrby incrbyfloat append
		hset hsetnx hmset hdel hincrby hincrbyfloat
		lpush rpush lpop rpop lrem lset ltrim linsert lmove rpoplpush
		sadd srem smove
		zadd zrem zincrby zremrangebyscore zremrangebyrank zpopmin zpopmax
		rename renamenx flushdb flushall eval evalsha`) {
		kinds[c] = write
	}
	for _, c := range strings.Fields(`
		get mget exists ttl pttl type strlen
		hget hgetall hmget hkeys hvals hlen hexists hscan
		lrange llen lindex
		smembers sismember smismember scard sscan
		zrange zrangebyscore zrevrange zrevrangebyscore zscore zmscore
		zcard zcount zrank zrevrank zscan
		scan keys ping hello auth client select watch unwatch
		script info time dbsize echo command`) {
		kinds[c] = readOnly
	}
	// multi/exec/discard are accepted only as the wrapper go-redis puts
	// around a TxPipeline (see hook.go); issued on their own they would let
	// queued writes escape the journal's view of the transaction.
}

// ttlCommands set a relative TTL on the key in args[1]; the hook journals the
// resulting absolute deadline right after them (PEXPIREAT).
var ttlCommands = map[string]bool{
	"set": true, "setex": true, "psetex": true, "expire": true, "pexpire": true, "getex": true,
}

// step is the plan for one command of a call.
type step struct {
	cmd    redis.Cmder
	write  bool
	script bool     // EVAL/EVALSHA: journalled even when the reply is an error
	args   []string // journal form of a write (EVALSHA rewritten to EVAL)
	ttlKey string   // key whose absolute deadline is journalled after it
	load   string   // SCRIPT LOAD body, learnt once the server accepted it
}

func errUnsupported(name string) error {
	return fmt.Errorf("embedded store: command %q is not supported", strings.ToUpper(name))
}

// plan classifies cmd and prepares its journal form. It fails, before
// anything is sent, for commands outside the allow-list, for EVALSHA of a
// script the store has not seen (redis.ErrNoScript, so go-redis's Script.Run
// falls back to EVAL) and for arguments go-redis itself could not encode.
func (s *Server) plan(cmd redis.Cmder) (step, error) {
	raw := cmd.Args()
	if len(raw) == 0 {
		return step{}, errUnsupported("")
	}
	name := strings.ToLower(fmt.Sprint(raw[0]))
	st := step{cmd: cmd}
	switch kinds[name] {
	case unsupported:
		switch name {
		case "multi", "exec", "discard":
			return st, fmt.Errorf("embedded store: command %q is only supported through TxPipeline/TxPipelined", strings.ToUpper(name))
		}
		return st, errUnsupported(name)
	case readOnly:
		switch name {
		case "select":
			if len(raw) != 2 || fmt.Sprint(raw[1]) != "0" {
				return st, errors.New(`embedded store: only database 0 is supported ("SELECT 0")`)
			}
		case "script":
			if len(raw) == 3 && strings.EqualFold(fmt.Sprint(raw[1]), "load") {
				body, err := argString(raw[2])
				if err != nil {
					return st, err
				}
				st.load = body
			}
		}
		return st, nil
	}

	args := make([]string, len(raw))
	for i, a := range raw {
		v, err := argString(a)
		if err != nil {
			return st, err
		}
		args[i] = v
	}
	args[0] = name
	st.write, st.args = true, args
	switch {
	case name == "eval":
		st.script = true
		if len(args) > 1 {
			s.learnScript(args[1])
		}
	case name == "evalsha":
		st.script = true
		if len(args) < 2 {
			return st, errUnsupported("evalsha")
		}
		body, ok := s.script(args[1])
		if !ok {
			return st, redis.ErrNoScript
		}
		args[0], args[1] = "eval", body
	case ttlCommands[name] && len(args) > 1:
		st.ttlKey = args[1]
	}
	return st, nil
}

// argString renders a go-redis argument exactly as go-redis's RESP writer
// (internal/proto.Writer.WriteArg) puts it on the wire, and fails for the
// same types it rejects.
func argString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case *string:
		return deref(v, argString)
	case []byte:
		return string(v), nil
	case int:
		return itoa(int64(v)), nil
	case int8:
		return itoa(int64(v)), nil
	case int16:
		return itoa(int64(v)), nil
	case int32:
		return itoa(int64(v)), nil
	case int64:
		return itoa(v), nil
	case uint:
		return utoa(uint64(v)), nil
	case uint8:
		return utoa(uint64(v)), nil
	case uint16:
		return utoa(uint64(v)), nil
	case uint32:
		return utoa(uint64(v)), nil
	case uint64:
		return utoa(v), nil
	case uintptr:
		return utoa(uint64(v)), nil
	case *int:
		return deref(v, argString)
	case *int8:
		return deref(v, argString)
	case *int16:
		return deref(v, argString)
	case *int32:
		return deref(v, argString)
	case *int64:
		return deref(v, argString)
	case *uint:
		return deref(v, argString)
	case *uint8:
		return deref(v, argString)
	case *uint16:
		return deref(v, argString)
	case *uint32:
		return deref(v, argString)
	case *uint64:
		return deref(v, argString)
	case *uintptr:
		return deref(v, argString)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 64), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case *float32:
		return deref(v, argString)
	case *float64:
		return deref(v, argString)
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	case *bool:
		return deref(v, argString)
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case *time.Time:
		return deref(v, argString)
	case time.Duration:
		return itoa(v.Nanoseconds()), nil
	case *time.Duration:
		return deref(v, argString)
	case encoding.BinaryMarshaler:
		b, err := v.MarshalBinary()
		return string(b), err
	case net.IP:
		return string(v), nil
	}
	return "", fmt.Errorf("redis: can't marshal %T (implement encoding.BinaryMarshaler)", v)
}

// deref renders *p, or the zero value of T for a nil pointer, as go-redis does.
func deref[T any](p *T, f func(any) (string, error)) (string, error) {
	var v T
	if p != nil {
		v = *p
	}
	return f(v)
}

func itoa(n int64) string  { return strconv.FormatInt(n, 10) }
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

// isRedisError reports whether err is a reply from the server (as opposed to
// a transport or client-side failure).
func isRedisError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}
