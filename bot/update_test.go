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

// One chat's jobs run one at a time, in order; a slow chat does not hold
// another chat up.
func TestSerializerOrdersPerChat(t *testing.T) {
	s := newSerializer()
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
