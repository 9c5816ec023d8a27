package dialogs

import (
	"sync"
	"time"
)

// Flood protection: a user whose updates to the bot exceed floodMax within
// floodWindow is told once to slow down, and the updates after that are
// dropped until the count in the window falls back to floodMax. Dropped
// updates count too, so a user who keeps sending stays muted until calm.
// The counts live in this process: with several replicas each one counts
// what it receives.
const (
	floodMax    = 20
	floodWindow = 10 * time.Second
	// floodUsers bounds the table: past it, users quiet for a whole window
	// are forgotten.
	floodUsers = 50_000
)

// floodVerdict is what to do with one update.
type floodVerdict int

const (
	floodPass floodVerdict = iota // handle it
	floodWarn                     // say "slow down" instead, once
	floodDrop                     // ignore it
)

// floodGuard counts each user's recent updates.
type floodGuard struct {
	mu    sync.Mutex
	users map[int64]*floodUser
}

// floodUser holds the times of a user's last floodMax+1 updates, oldest
// first, and whether the user was told to slow down in this flood.
type floodUser struct {
	times  []time.Time
	warned bool
}

// take counts an update from user at now and says what to do with it.
func (g *floodGuard) take(user int64, now time.Time) floodVerdict {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.users == nil {
		g.users = make(map[int64]*floodUser)
	}
	u := g.users[user]
	if u == nil {
		if len(g.users) >= floodUsers {
			g.forgetQuiet(now)
		}
		u = &floodUser{times: make([]time.Time, 0, floodMax+1)}
		g.users[user] = u
	}
	cut := 0
	for cut < len(u.times) && now.Sub(u.times[cut]) >= floodWindow {
		cut++
	}
	u.times = append(u.times[cut:], now)
	if len(u.times) > floodMax+1 {
		u.times = u.times[len(u.times)-floodMax-1:]
	}
	if len(u.times) <= floodMax {
		u.warned = false
		return floodPass
	}
	if !u.warned {
		u.warned = true
		return floodWarn
	}
	return floodDrop
}

// forgetQuiet drops the users with no update in the last window.
func (g *floodGuard) forgetQuiet(now time.Time) {
	for id, u := range g.users {
		if len(u.times) == 0 || now.Sub(u.times[len(u.times)-1]) >= floodWindow {
			delete(g.users, id)
		}
	}
}
