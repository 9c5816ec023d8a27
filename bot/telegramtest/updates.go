package telegramtest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// queuedUpdate is an update waiting to be confirmed (getUpdates) or
// delivered (webhook).
type queuedUpdate struct {
	id   int64
	kind string // "message", "callback_query", ...
	raw  json.RawMessage
	// forced updates were injected with an explicit id: they are delivered
	// once even when that id is below the confirmed offset.
	forced bool
	sent   bool // returned by getUpdates at least once
}

// notDefault are the update kinds Telegram only sends when allowed_updates
// lists them.
var notDefault = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

// allowedLocked reports whether updates of kind are created, after the
// allowed_updates of the last getUpdates or setWebhook that gave one.
func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !notDefault[kind]
	}
	return s.allowed[kind]
}

// setAllowedLocked records an allowed_updates parameter: an absent one keeps
// the previous setting, an empty list restores the default.
func (s *Server) setAllowedLocked(raw string) ([]string, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var kinds []string
	if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
		return nil, badRequest("can't parse allowed updates JSON object")
	}
	if len(kinds) == 0 {
		s.allowed = nil
		return kinds, nil
	}
	s.allowed = map[string]bool{}
	for _, k := range kinds {
		s.allowed[k] = true
	}
	return kinds, nil
}

// enqueueLocked creates an update of kind with the next update_id unless
// allowed_updates excludes it, and returns its id (0 when excluded).
func (s *Server) enqueueLocked(kind string, payload any) int64 {
	if !s.allowedLocked(kind) {
		return 0
	}
	id := s.nextUpdateID
	s.nextUpdateID++
	raw, err := json.Marshal(map[string]any{"update_id": id, kind: payload})
	if err != nil {
		s.errorf("can't encode a %s update: %v", kind, err)
		return 0
	}
	s.queue = append(s.queue, &queuedUpdate{id: id, kind: kind, raw: raw})
	s.bumpLocked()
	return id
}

// confirmLocked drops the updates getUpdates' offset confirms: every update
// with a lower id (a negative offset keeps only the last -offset ones).
func (s *Server) confirmLocked(offset int64) {
	if offset == 0 {
		return
	}
	var keep []*queuedUpdate
	if offset < 0 {
		if n := int(-offset); n < len(s.queue) {
			keep = append(keep, s.queue[len(s.queue)-n:]...)
			s.queue = keep
		}
		return
	}
	for _, u := range s.queue {
		if u.id >= offset || (u.forced && !u.sent) {
			keep = append(keep, u)
		}
	}
	s.queue = keep
}

func conflict(description string) *apiError {
	return &apiError{Code: http.StatusConflict, Description: "Conflict: " + description}
}

// getUpdates is long polling: it answers at once when updates are queued,
// otherwise it waits for one until timeout seconds pass, the client goes
// away or a newer getUpdates call terminates it.
func (s *Server) getUpdates(c *callCtx) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.url != "" {
		return nil, conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if _, err := s.setAllowedLocked(c.p.str("allowed_updates")); err != nil {
		return nil, err
	}
	offset, _ := c.p.integer("offset")
	limit, ok := c.p.integer("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := c.p.integer("timeout")
	s.confirmLocked(offset)
	s.pollGen++
	gen := s.pollGen
	s.bumpLocked() // ends an older poll still waiting

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	for {
		if s.pollGen != gen {
			return nil, conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
		}
		if s.hook.url != "" {
			return nil, conflict("terminated by setWebhook request")
		}
		if len(s.queue) > 0 || timeout <= 0 {
			out := make([]json.RawMessage, 0, min(len(s.queue), int(limit)))
			for _, u := range s.queue {
				if len(out) == int(limit) {
					break
				}
				u.sent = true
				out = append(out, u.raw)
			}
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-expired:
			s.mu.Lock()
			timeout = 0 // answer what is there, most likely nothing
		case <-c.ctx.Done():
			s.mu.Lock()
			return []json.RawMessage{}, nil
		case <-s.closed:
			s.mu.Lock()
			return []json.RawMessage{}, nil
		}
	}
}

// InjectUpdate queues an update as it is: raw JSON ([]byte, string or
// json.RawMessage) or a models.Update / *models.Update. An update_id of 0
// gets the next id; an explicit one is kept, so a test can deliver the same
// update twice (it is delivered once even if getUpdates already confirmed
// past it). allowed_updates does not filter injected updates. It returns
// the update's id.
func (s *Server) InjectUpdate(tb testing.TB, update any) int64 {
	tb.Helper()
	var raw []byte
	var err error
	switch u := update.(type) {
	case []byte:
		raw = u
	case string:
		raw = []byte(u)
	case json.RawMessage:
		raw = u
	case models.Update:
		raw, err = json.Marshal(&u)
	case *models.Update:
		raw, err = json.Marshal(u)
	default:
		tb.Fatalf("telegramtest: InjectUpdate takes JSON or a models.Update, not %T", update)
	}
	if err != nil {
		tb.Fatalf("telegramtest: InjectUpdate: can't encode the update: %v", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		tb.Fatalf("telegramtest: InjectUpdate: the update is not a JSON object: %v", err)
	}
	var id int64
	if v, ok := obj["update_id"]; ok {
		_ = json.Unmarshal(v, &id)
	}
	kind := ""
	for k := range obj {
		if k != "update_id" {
			kind = k
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	forced := id != 0
	if id == 0 {
		id = s.nextUpdateID
		s.nextUpdateID++
		obj["update_id"], _ = json.Marshal(id)
		raw, _ = json.Marshal(obj)
	} else if id >= s.nextUpdateID {
		s.nextUpdateID = id + 1
	}
	s.queue = append(s.queue, &queuedUpdate{id: id, kind: kind, raw: raw, forced: forced})
	s.bumpLocked()
	return id
}

// PendingUpdates returns how many updates are queued: not yet confirmed by
// getUpdates, or not yet delivered to the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitDelivered blocks until every queued update has been confirmed by
// getUpdates or delivered to the webhook, and fails the test after timeout.
func (s *Server) WaitDelivered(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	s.WaitFor(tb, timeout, "the queued updates to be taken", func() bool { return s.PendingUpdates() == 0 })
}
