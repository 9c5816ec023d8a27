package bot

import "sync"

// maxPending bounds the updates taken but not yet handled, across chats.
// Past it, taking one more waits for a handled one: the polling loop asks
// Telegram for more later, and a webhook call is answered later, which
// holds back Telegram's (bounded) webhook connections. Memory stays bounded
// when updates come faster than they are handled.
const maxPending = 4096

// maxIdle bounds the workers kept waiting for the next chat. A worker that
// has handled an update has grown its stack; a new goroutine per update
// would grow one again each time (about 6% of the bot's CPU at 3,000
// updates a second), so a few are kept.
const maxIdle = 64

// serializer runs the jobs of one chat one at a time, in the order they
// came, and the jobs of different chats in parallel. A worker goroutine
// takes a chat while its queue has work, then waits for another chat or
// ends.
type serializer struct {
	mu      sync.Mutex
	free    *sync.Cond // signalled when a job ends or on Close
	queues  map[int64][]func()
	pending int        // jobs queued or running
	limit   int        // most pending jobs; Do waits past it
	idle    chan int64 // idle workers receive their next chat here
	waiting int        // workers that will wait on idle
	closed  bool
	wg      sync.WaitGroup
}

func newSerializer(limit int) *serializer {
	s := &serializer{queues: make(map[int64][]func()), limit: limit, idle: make(chan int64)}
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
	if running {
		return true
	}
	select {
	case s.idle <- chat: // a waiting worker takes it
		s.waiting--
	default:
		s.wg.Add(1)
		go s.work(chat)
	}
	return true
}

// work runs chat's queue, then the queues of the chats it is handed, until
// there are enough idle workers or the serializer is closed.
func (s *serializer) work(chat int64) {
	defer s.wg.Done()
	for {
		if !s.run(chat) {
			return
		}
		next, ok := <-s.idle
		if !ok {
			return
		}
		chat = next
	}
}

// run takes chat's jobs until its queue is empty. It returns true when the
// worker is to wait for another chat.
func (s *serializer) run(chat int64) bool {
	for {
		s.mu.Lock()
		q := s.queues[chat]
		if len(q) == 0 {
			delete(s.queues, chat)
			stay := !s.closed && s.waiting < maxIdle
			if stay {
				s.waiting++
			}
			s.mu.Unlock()
			return stay
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
	if !s.closed {
		s.closed = true
		close(s.idle)
	}
	s.free.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
}
