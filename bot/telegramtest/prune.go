package telegramtest

import "slices"

// ForgetMessagesBefore drops the messages of chat chatID with ids below id
// (the bot's, the users' and service messages), so that a long-running
// user of the server, such as a load generator, keeps only the messages it
// may still press or see edited. A forgotten message is then treated as
// one that does not exist: an edit of it fails with "message to edit not
// found" and a press of it carries an inaccessible message. Ids are not
// reused, and files the messages carried stay fetchable. An unknown chat
// is left alone.
func (s *Server) ForgetMessagesBefore(chatID int64, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return
	}
	n := 0 // cs.messages is in id order: addMessageLocked appends each new id
	for n < len(cs.messages) && cs.messages[n].id < id {
		delete(cs.byID, cs.messages[n].id)
		n++
	}
	cs.messages = slices.Delete(cs.messages, 0, n)
}
