// Package storage keeps kpibot's state in Redis through go-redis's
// UniversalClient: a single node, a sentinel group, a cluster, or the
// embedded store of package storage/embedded. The same code serves them all.
//
// Key layout. Every key of a chat carries the chat id as a hash tag, so all
// the keys one operation touches sit in one cluster slot:
//
//	kpi:{<chat>}:workspace        string, JSON kpi.Workspace
//	kpi:{<chat>}:dialog:<user>    string, the open dialog of one user (TTL 7 days)
//	kpi:{<chat>}:wizard           hash {rev, state}: the workspace's one setup wizard (TTL 7 days)
//	kpi:{<chat>}:plans            list of JSON kpi.Plan, every version, oldest first
//	kpi:{<chat>}:e                hash: entry id -> JSON kpi.Entry
//	kpi:{<chat>}:m:<metric>       sorted set: entry JSON scored by its day (days since 1970-01-01)
//	kpi:{<chat>}:log              sorted set: entry id scored by when it was logged (unix ms)
//	kpi:{<chat>}:alert:<m>:<week> string "1": the at-risk alert of a KPI sent that ISO week (TTL 8 days)
//	kpi:{<chat>}:delivery:<kind>:<period>  "claim:<token>" while a replica sends it (TTL), then "done:<message id>" (40 days)
//	kpi:{<chat>}:moved            the chat id a group became as a supergroup (30 days)
//	kpi:{<chat>}:migration        JSON decisions of a move under way (30 days)
//	kpi:workspaces                set of every chat id with a workspace
//	kpi:user:<user>:groups        set of group chat ids where the user acted as an admin
//	kpi:update:<update_id>        string "1", an update already taken (TTL 24 h)
//
// Chat ids are stored as decimal int64 (supergroup ids are negative and
// have up to 52 significant bits).
package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Store reads and writes kpibot's state. It is safe for concurrent use.
type Store struct {
	rdb redis.UniversalClient
	now func() time.Time
}

// New returns a Store on rdb. The caller keeps ownership of rdb.
func New(rdb redis.UniversalClient) *Store {
	return &Store{rdb: rdb, now: time.Now}
}

// Ping returns nil when Redis answers, or an error wrapping
// kpi.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	return wrap("ping", s.rdb.Ping(ctx).Err())
}

func chatKey(chat int64, parts ...string) string {
	k := "kpi:{" + strconv.FormatInt(chat, 10) + "}"
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

const workspacesKey = "kpi:workspaces"

// wrap turns a go-redis error into one of the kpi sentinels: redis.Nil
// becomes kpi.ErrNotFound; a network failure, timeout or a Redis that is
// loading or read-only becomes kpi.ErrUnavailable.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("storage: %s: %w", op, kpi.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("storage: %s: %w", op, err)
	case isUnavailable(err):
		return fmt.Errorf("storage: %s: %w: %w", op, kpi.ErrUnavailable, err)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}

func isUnavailable(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "connection refused", "EOF", "i/o timeout"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// NewClient returns a go-redis client for a REDIS_URL in one of these forms:
//
//	redis://[user:password@]host:6379[/db]            one node
//	rediss://...                                        the same over TLS
//	redis://[user:password@]sentinel1:26379[/db]?master_name=mymaster&addr=sentinel2:26379
//	                                                    sentinel (master_name is given)
//	redis://[user:password@]node1:7000?addr=node2:7000&addr=node3:7000
//	                                                    cluster (more nodes with addr=)
//
// Query parameters such as dial_timeout=3s pass through to go-redis. It fails
// when the URL does not parse; it does not connect.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: REDIS_URL does not parse")
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("storage: REDIS_URL (sentinel): %w", redactURLError(err, u))
		}
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("storage: REDIS_URL (cluster): %w", redactURLError(err, u))
		}
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: REDIS_URL: %w", redactURLError(err, u))
	}
	return redis.NewClient(o), nil
}

// redactURLError keeps a password out of an error that may quote the URL.
func redactURLError(err error, u *url.URL) error {
	p, ok := u.User.Password()
	if !ok || p == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
}
