package telegramtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// WithFloodLimits makes the server enforce Telegram's flood limits on every
// send and edit (sendMessage, sendPhoto, sendDocument, editMessageText,
// editMessageCaption, editMessageReplyMarkup; any send* but sendChatAction
// and any edit*): at most global calls in any one second, all chats
// together, and at least group (for a group, supergroup or channel) or
// private (for a private chat) between two calls to one chat. A limit of 0
// is not enforced.
//
// Each call is checked when it arrives, before the failures armed with
// FailNext. One over a limit is answered 429 "Too Many Requests: retry
// after N" with parameters.retry_after N, the wait until the call would have
// been accepted rounded up to whole seconds (at least 1); it delivers
// nothing, does not count against the limits and is recorded in Calls and
// in FloodViolationLog. A call within the limits counts against them
// whatever its answer (an armed failure, a 400, a 403), as Telegram counts
// every request; FloodArrivals returns the times of those calls.
func WithFloodLimits(global int, group, private time.Duration) Option {
	return func(s *Server) {
		s.flood = &floodState{
			global: max(global, 0), group: max(group, 0), private: max(private, 0),
			last: map[int64]time.Time{}, byChat: map[int64][]time.Time{},
		}
	}
}

// FloodViolation is one call refused by WithFloodLimits.
type FloodViolation struct {
	Seq    int64  // the call's sequence number, as in Calls
	Method string // canonical method name
	ChatID int64  // 0 when the call named no chat
	At     time.Time
	// Limit is the limit that made it wait longest: "global", "group" or
	// "private".
	Limit string
	// Wait is how much later the call would have been accepted;
	// retry_after is Wait rounded up to whole seconds.
	Wait time.Duration
}

// floodState is the bookkeeping of WithFloodLimits, under Server.mu.
type floodState struct {
	global         int
	group, private time.Duration

	window     []time.Time           // accepted calls of the last second, oldest first
	last       map[int64]time.Time   // per chat, the last accepted call
	byChat     map[int64][]time.Time // per chat, every accepted call
	all        []time.Time           // every accepted call
	violations []FloodViolation
}

// floodCounted reports whether method counts against the flood limits: the
// sends (but chat actions) and the edits.
func floodCounted(method string) bool {
	m := strings.ToLower(method)
	return (strings.HasPrefix(m, "send") && m != "sendchataction") || strings.HasPrefix(m, "edit")
}

// floodLocked checks call, which has just arrived, against the flood
// limits: nil when it is within them (and is then counted), else the 429.
// s.mu must be held.
func (s *Server) floodLocked(method string, call *Call) *apiError {
	f := s.flood
	if f == nil || !floodCounted(method) {
		return nil
	}
	now := call.At
	drop := 0
	for drop < len(f.window) && !f.window[drop].After(now.Add(-time.Second)) {
		drop++
	}
	f.window = f.window[drop:]

	var wait time.Duration
	limit := ""
	if f.global > 0 && len(f.window) >= f.global {
		// The call would be the global+1-th in the second: it waits until
		// the oldest call that makes the window full leaves it.
		wait, limit = f.window[len(f.window)-f.global].Add(time.Second).Sub(now), "global"
	}
	if chat := call.ChatID; chat != 0 {
		interval, kind := f.private, "private"
		if s.floodGroupLocked(chat) {
			interval, kind = f.group, "group"
		}
		if last, ok := f.last[chat]; ok && interval > 0 {
			if w := last.Add(interval).Sub(now); w > 0 && w > wait {
				wait, limit = w, kind
			}
		}
	}
	if limit != "" && wait > 0 {
		retry := max(int((wait+time.Second-1)/time.Second), 1)
		f.violations = append(f.violations, FloodViolation{
			Seq: call.Seq, Method: method, ChatID: call.ChatID, At: now, Limit: limit, Wait: wait,
		})
		return &apiError{
			Code:        http.StatusTooManyRequests,
			Description: fmt.Sprintf("Too Many Requests: retry after %d", retry),
			RetryAfter:  retry,
		}
	}
	f.window = append(f.window, now)
	f.all = append(f.all, now)
	if call.ChatID != 0 {
		f.last[call.ChatID] = now
		f.byChat[call.ChatID] = append(f.byChat[call.ChatID], now)
	}
	return nil
}

// floodGroupLocked reports whether chat takes the group limit: a known chat
// that is not private, or an unknown negative id.
func (s *Server) floodGroupLocked(chat int64) bool {
	if cs := s.chats[chat]; cs != nil {
		return cs.chat.Type != ChatPrivate
	}
	return chat < 0
}

// FloodViolations returns how many calls WithFloodLimits refused with 429
// (0 without WithFloodLimits).
func (s *Server) FloodViolations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flood == nil {
		return 0
	}
	return len(s.flood.violations)
}

// FloodViolationLog returns the calls WithFloodLimits refused, in order.
func (s *Server) FloodViolationLog() []FloodViolation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flood == nil {
		return nil
	}
	return slices.Clone(s.flood.violations)
}

// FloodArrivals returns when the calls that counted against the flood
// limits (sends and edits within them) arrived, oldest first: those aimed
// at chatID, or all of them when chatID is 0. It is nil without
// WithFloodLimits.
func (s *Server) FloodArrivals(chatID int64) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flood == nil {
		return nil
	}
	if chatID == 0 {
		return slices.Clone(s.flood.all)
	}
	return slices.Clone(s.flood.byChat[chatID])
}
