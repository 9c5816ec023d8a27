package dialogs

import (
	"testing"
	"time"
)

// TestFloodLimit sends one user's commands faster than the limit: the first
// floodMax are answered, the next one is told to slow down, the rest get
// nothing and store nothing; a second user is not affected; after a quiet
// window the first user is answered again.
func TestFloodLimit(t *testing.T) {
	s := newMemStore()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	e := newEngine(s, nil)
	e.NoFlood, e.FloodClock = false, func() time.Time { return now }
	mustHandle(t, e, private("/start"))

	var answered, warned, dropped int
	for i := 1; i < floodMax+10; i++ { // /start was the first
		now = now.Add(100 * time.Millisecond)
		res := mustHandle(t, e, private("/lang"))
		switch {
		case len(res.Replies) == 0:
			dropped++
		case text(res) == ru.SlowDown:
			warned++
		default:
			answered++
		}
	}
	if answered != floodMax-1 || warned != 1 || dropped != 9 {
		t.Errorf("answered %d, warned %d, dropped %d; want %d, 1, 9", answered, warned, dropped, floodMax-1)
	}
	writes := s.writes
	now = now.Add(100 * time.Millisecond)
	if res := mustHandle(t, e, private("/lang en")); len(res.Replies) != 0 || s.writes != writes {
		t.Errorf("a dropped command was handled: %+v, %d writes", res, s.writes-writes)
	}

	// Another member of a group, and the user's group chatter, do not count.
	other := group(42, "/help")
	if res := mustHandle(t, e, other); len(res.Replies) == 0 {
		t.Error("another user was muted")
	}
	chatter := group(owner, "привет всем")
	if e.flood.take(owner, now) != floodDrop || addressed(chatter) {
		t.Error("group chatter counts towards the limit")
	}

	// A button press of a flooding user gets the notice, once.
	e2 := newEngine(newMemStore(), nil)
	e2.NoFlood, e2.FloodClock = false, func() time.Time { return now }
	press := private("")
	press.Text, press.Callback = "", data("lang", "en")
	var notices int
	for range floodMax + 5 {
		// The first press switches the chat to English.
		if res := mustHandle(t, e2, press); res.Notice == en.SlowDown {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("slow-down notices on buttons: %d, want 1", notices)
	}

	// Calm: nothing for a whole window, then the user is answered again.
	now = now.Add(floodWindow)
	if res := mustHandle(t, e, private("/lang en")); text(res) != en.LangSet {
		t.Errorf("after a quiet window: %q", text(res))
	}
}

// TestFloodTableForgetsQuietUsers fills the table past its bound: the users
// quiet for a window are forgotten, the active one is kept.
func TestFloodTableForgetsQuietUsers(t *testing.T) {
	var g floodGuard
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for id := range int64(floodUsers) {
		g.take(id, now)
	}
	now = now.Add(floodWindow)
	g.take(0, now)
	g.take(floodUsers, now) // the table is full: the quiet ones go
	if n := len(g.users); n != 2 {
		t.Errorf("users kept: %d, want 2", n)
	}
}
