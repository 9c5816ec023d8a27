package bot

import (
	"sync"
	"testing"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		text         string
		cmd, args    string
		isCmd, forUs bool
	}{
		{"/start", "start", "", true, true},
		{"/start@KpiTestBot", "start", "", true, true},
		{"/START@kpitestbot hello", "start", "hello", true, true},
		{"/start@OtherBot", "", "", true, false},
		{"/log охват 12500", "log", "охват 12500", true, true},
		{"/log\nохват 12500", "log", "охват 12500", true, true},
		{"/log@KpiTestBot  reach 12.5k ", "log", "reach 12.5k", true, true},
		{"hello /start", "", "", false, false},
		{"/", "", "", false, false},
		{"/охват 5", "", "", false, false},
		{"/" + string(make([]byte, 33)), "", "", false, false},
		{"", "", "", false, false},
	} {
		cmd, args, isCmd, forUs := parseCommand(tc.text, "KpiTestBot")
		if cmd != tc.cmd || args != tc.args || isCmd != tc.isCmd || forUs != tc.forUs {
			t.Errorf("parseCommand(%q) = %q, %q, %v, %v; want %q, %q, %v, %v",
				tc.text, cmd, args, isCmd, forUs, tc.cmd, tc.args, tc.isCmd, tc.forUs)
		}
	}
}

// Past the limit of pending updates, taking one more waits until one is
// handled: updates that come faster than they are handled wait at
// Telegram, not in memory. Close frees a waiting Do.
func TestSerializerBoundsPendingJobs(t *testing.T) {
	s := newSerializer(2)
	var mu sync.Mutex
	var events []string
	note := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	release1, release := make(chan struct{}), make(chan struct{})
	s.Do(1, func() { <-release1; note("chat 1 handled") })
	s.Do(2, func() { <-release })
	third := make(chan bool)
	go func() {
		ok := s.Do(3, func() {})
		note("third taken")
		third <- ok
	}()
	close(release1) // chat 1's job ends and frees a slot
	if !<-third {
		t.Fatal("the third job was refused")
	}
	mu.Lock()
	if len(events) != 2 || events[0] != "chat 1 handled" {
		t.Errorf("events %q: the third job was taken before a slot was free", events)
	}
	mu.Unlock()

	s.Do(4, func() {}) // the limit again: 2 pending (chat 2's, and this one or the third)
	waiting := make(chan bool)
	go func() { waiting <- s.Do(5, func() {}) }()
	close(release)
	if !<-waiting {
		t.Error("a waiting Do was refused before Close")
	}
	s.Close()
	if s.Do(6, func() {}) {
		t.Error("Do after Close took a job")
	}
}

// One chat's jobs run one at a time, in order; a slow chat does not hold
// another chat up.
func TestSerializerOrdersPerChat(t *testing.T) {
	s := newSerializer(maxPending)
	var mu sync.Mutex
	got := map[int64][]int{}
	release := make(chan struct{})
	otherDone := make(chan struct{})
	s.Do(1, func() { <-release }) // chat 1 is busy
	for i := 0; i < 100; i++ {
		for _, chat := range []int64{1, 2} {
			s.Do(chat, func() {
				mu.Lock()
				got[chat] = append(got[chat], i)
				mu.Unlock()
			})
		}
	}
	s.Do(2, func() { close(otherDone) })
	<-otherDone // chat 2 finished while chat 1 is still blocked
	mu.Lock()
	if len(got[1]) != 0 || len(got[2]) != 100 {
		t.Errorf("while chat 1 is blocked: chat 1 ran %d, chat 2 ran %d", len(got[1]), len(got[2]))
	}
	mu.Unlock()
	close(release)
	s.Close()
	for _, chat := range []int64{1, 2} {
		for i, v := range got[chat] {
			if v != i {
				t.Fatalf("chat %d ran job %d at position %d", chat, v, i)
			}
		}
	}
	if s.Do(3, func() {}) {
		t.Error("Do after Close took a job")
	}
}
