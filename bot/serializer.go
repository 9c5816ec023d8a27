package bot

import "sync"

// serializer runs the jobs of one chat one at a time, in the order they
// came, and the jobs of different chats in parallel. A chat's goroutine
// lives while its queue has work.
type serializer struct {
	mu     sync.Mutex
	queues map[int64][]func()
	closed bool
	wg     sync.WaitGroup
}

func newSerializer() *serializer {
	return &serializer{queues: make(map[int64][]func())}
}

// Do queues job behind the earlier jobs of chat. It returns false, and
// drops the job, once Close has been called.
func (s *serializer) Do(chat int64, job func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
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
	}
}

// Close stops taking jobs and waits for the queued ones to finish.
func (s *serializer) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}
