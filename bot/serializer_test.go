package bot

import (
	"sync"
	"testing"
)

// Workers kept for the next chat still end at Close: Close returns, and no
// job is taken after it.
func TestSerializerCloseEndsIdleWorkers(t *testing.T) {
	s := newSerializer(maxPending)
	var wg sync.WaitGroup
	for chat := int64(1); chat <= 2*maxIdle; chat++ {
		wg.Add(1)
		s.Do(chat, wg.Done)
	}
	wg.Wait() // every worker is idle or gone
	ran := make(chan int64, 3)
	for chat := int64(1); chat <= 3; chat++ {
		s.Do(chat, func() { ran <- chat }) // handed to idle workers
	}
	s.Close()
	if len(ran) != 3 {
		t.Fatalf("%d of 3 jobs ran before Close returned", len(ran))
	}
	if s.Do(1, func() { t.Error("a job ran after Close") }) {
		t.Error("Do took a job after Close")
	}
}
