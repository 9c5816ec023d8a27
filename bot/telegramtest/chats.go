package telegramtest

import (
	"time"
)

// PrivateChat returns the private chat between u and the bot (its id is the
// user's id), creating it as if u had started the bot, so the bot may write
// to it. A user the fake knows without a private chat gets 403 "bot can't
// initiate conversation with a user".
func (s *Server) PrivateChat(u User) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(Chat{ID: u.ID, Type: ChatPrivate, FirstName: firstNameOf(u), LastName: u.LastName, Username: u.Username})
	s.rememberUserLocked(u)
	cs.started = true
	return cs.chat
}

// Group returns the basic group id (a negative number) titled title,
// creating it with the bot as a plain member (no update is sent: use
// AddBotToGroup to have the bot see itself being added).
func (s *Server) Group(id int64, title string) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id >= 0 {
		s.errorf("Group: group ids are negative, got %d", id)
	}
	return s.ensureChatLocked(Chat{ID: id, Type: ChatGroup, Title: title}).chat
}

// Supergroup returns the supergroup id (usually -100...) titled title,
// creating it with the bot as a plain member; isForum makes it a forum with
// topics.
func (s *Server) Supergroup(id int64, title string, isForum bool) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id >= 0 {
		s.errorf("Supergroup: supergroup ids are negative, got %d", id)
	}
	return s.ensureChatLocked(Chat{ID: id, Type: ChatSupergroup, Title: title, IsForum: isForum}).chat
}

// ensureChatLocked returns the chat c.ID, registering c when it is new.
func (s *Server) ensureChatLocked(c Chat) *chatState {
	if cs := s.chats[c.ID]; cs != nil {
		return cs
	}
	if c.Type == "" {
		c.Type = ChatGroup
		if c.ID > 0 {
			c.Type = ChatPrivate
		}
	}
	if c.Type == ChatPrivate && c.FirstName == "" {
		c.FirstName = "User"
	}
	cs := newChatState(c)
	s.chats[c.ID] = cs
	s.bumpLocked()
	return cs
}

// SetMemberStatus sets a user's status in a chat for getChatMember and
// getChatAdministrators: StatusCreator, StatusAdministrator, StatusMember,
// StatusRestricted, StatusLeft or StatusKicked. Use BotID() to set the
// bot's own status (an administrator bot sees every group message). No
// update is sent.
func (s *Server) SetMemberStatus(chatID, userID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		s.errorf("SetMemberStatus: chat %d is unknown", chatID)
		return
	}
	if userID == s.botID {
		cs.botStatus = status
	} else {
		cs.members[userID] = status
	}
	s.bumpLocked()
}

// ChangeMemberStatus has by change user's status in a group (promote,
// demote, restrict, ban, ...) to status. As with Telegram, a chat_member
// update is created only when the bot is an administrator there and
// allowed_updates lists "chat_member".
func (s *Server) ChangeMemberStatus(group Chat, by, user User, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(group)
	if cs.chat.Type == ChatPrivate {
		s.errorf("ChangeMemberStatus: chat %d is private", group.ID)
		return
	}
	s.rememberUserLocked(by)
	s.rememberUserLocked(user)
	old := s.memberStatusLocked(cs, user.ID)
	cs.members[user.ID] = status
	s.nextSeqLocked()
	if isAdminStatus(cs.botStatus) {
		s.enqueueLocked("chat_member", map[string]any{
			"chat":            cs.chat.wire(),
			"from":            by.wire(),
			"date":            time.Now().Unix(),
			"old_chat_member": memberWire(old, user, cs.chat.Type),
			"new_chat_member": memberWire(status, user, cs.chat.Type),
		})
	}
	s.bumpLocked()
}

// AddUser makes a user known to the fake (for getChatMember's user object)
// without a private chat.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(u)
}

// AddBotToGroup has by add the bot to group: the bot becomes a member and
// gets a my_chat_member update (left -> member), then the service message
// with new_chat_members.
func (s *Server) AddBotToGroup(group Chat, by User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(group)
	old := cs.botStatus
	if old != StatusLeft && old != StatusKicked {
		old = StatusLeft
	}
	s.botStatusChangeLocked(cs, by, old, StatusMember)
	m := &message{seq: s.nextSeqLocked(), from: by}
	m.newMembers = []User{s.BotUser()}
	s.addMessageLocked(cs, m)
	s.enqueueLocked("message", s.messageWireLocked(m, false))
}

// PromoteBot has by make the bot an administrator of group (which lifts
// privacy mode there), with a my_chat_member update.
func (s *Server) PromoteBot(group Chat, by User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(group)
	s.botStatusChangeLocked(cs, by, cs.botStatus, StatusAdministrator)
}

// RemoveBotFromGroup has by remove the bot from group: a my_chat_member
// update (-> kicked), and every write into the group then answers 403 "bot
// was kicked from the group chat" (or supergroup chat).
func (s *Server) RemoveBotFromGroup(group Chat, by User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(group)
	s.botStatusChangeLocked(cs, by, cs.botStatus, StatusKicked)
}

// UserBlocksBot has u block the bot: a my_chat_member update in the private
// chat (member -> kicked), and writes to u then answer 403 "bot was blocked
// by the user".
func (s *Server) UserBlocksBot(u User) {
	s.PrivateChat(u)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botStatusChangeLocked(s.chats[u.ID], u, StatusMember, StatusKicked)
}

// UserUnblocksBot undoes UserBlocksBot, with a my_chat_member update
// (kicked -> member).
func (s *Server) UserUnblocksBot(u User) {
	s.PrivateChat(u)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botStatusChangeLocked(s.chats[u.ID], u, StatusKicked, StatusMember)
}

func (s *Server) botStatusChangeLocked(cs *chatState, by User, oldStatus, newStatus string) {
	s.rememberUserLocked(by)
	s.nextSeqLocked()
	cs.botStatus = newStatus
	if cs.chat.Type == ChatPrivate {
		cs.botStatus = StatusMember
		cs.blocked = newStatus == StatusKicked
	}
	bot := s.BotUser()
	s.enqueueLocked("my_chat_member", map[string]any{
		"chat":            cs.chat.wire(),
		"from":            by.wire(),
		"date":            time.Now().Unix(),
		"old_chat_member": memberWire(oldStatus, bot, cs.chat.Type),
		"new_chat_member": memberWire(newStatus, bot, cs.chat.Type),
	})
	s.bumpLocked()
}
