package bot

import "sync"

// maxPending bounds the updates taken but not yet handled, across chats.
// Past it, taking one more waits for a handled one: the polling loop asks
// Telegram for more later, and a webhook call is answered later, which
// holds back Telegram's (bounded) webhook connections. Memory stays bounded
// when updates come faster than they are handled.
const maxPending = 4096

// serializer runs the jobs of one chat one at a time, in the order they
// came, and the jobs of different chats in parallel. A chat's goroutine
// lives while its queue has work.
type serializer struct {
	mu      sync.Mutex
	free    *sync.Cond // signalled when a job ends or on Close
	queues  map[int64][]func()
	pending int // jobs queued or running
	limit   int // most pending jobs; Do waits past it
	closed  bool
	wg      sync.WaitGroup
}

func newSerializer(limit int) *serializer {
	s := &serializer{queues: make(map[int64][]func()), limit: limit}
	s.free = sync.NewCond(&s.mu)
	return s
}

// Do queues job behind the earlier jobs of chat, first waiting while the
// limit of pending jobs is reached. It returns false, and drops the job,
// once Close has been called.
func (s *serializer) Do(chat int64, job func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.closed && s.pending >= s.limit {
		s.free.Wait()
	}
	if s.closed {
		return false
	}
	s.pending++
	q, running := s.queues[chat]
	s.queues[chat] = append(q, job)
	if !running {
		s.wg.Add(1)
		go s.run(chat)
	}
	return true
}

func (s *serializer) run(chat int64) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		q := s.queues[chat]
		if len(q) == 0 {
			delete(s.queues, chat)
			s.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		s.queues[chat] = q[1:]
		s.mu.Unlock()
		job()
		s.mu.Lock()
		s.pending--
		s.free.Signal()
		s.mu.Unlock()
	}
}

// Close stops taking jobs and waits for the queued ones to finish.
func (s *serializer) Close() {
	s.mu.Lock()
	s.closed = true
	s.free.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
}
