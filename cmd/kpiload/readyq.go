package main

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// readyQueue holds the chats free to send, each from the time its pace
// allows (notBefore); pop gives the one that may send soonest, so a group
// waiting out its longer pace never holds back the private chats.
type readyQueue struct {
	mu     sync.Mutex
	h      readyHeap
	signal chan struct{} // a push happened
}

type readyEntry struct {
	chat      *simChat
	notBefore time.Time
}

type readyHeap []readyEntry

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].notBefore.Before(h[j].notBefore) }
func (h readyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)        { *h = append(*h, x.(readyEntry)) }
func (h *readyHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func newReadyQueue() *readyQueue { return &readyQueue{signal: make(chan struct{}, 1)} }

// push makes c ready from notBefore on.
func (q *readyQueue) push(c *simChat, notBefore time.Time) {
	q.mu.Lock()
	heap.Push(&q.h, readyEntry{c, notBefore})
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// pop waits for the chat that may send soonest and returns it; nil when
// ctx is done or deadline passes first.
func (q *readyQueue) pop(ctx context.Context, deadline time.Time) *simChat {
	for {
		wait := time.Until(deadline)
		q.mu.Lock()
		if len(q.h) > 0 {
			if d := time.Until(q.h[0].notBefore); d <= 0 {
				e := heap.Pop(&q.h).(readyEntry)
				q.mu.Unlock()
				return e.chat
			} else if d < wait {
				wait = d
			}
		}
		q.mu.Unlock()
		if time.Until(deadline) <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-q.signal:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
		t.Stop()
	}
}
