package telegramtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/go-telegram/bot/models"
)

func (s *Server) getMe(*callCtx) (any, *apiError) {
	return map[string]any{
		"id":                          s.botID,
		"is_bot":                      true,
		"first_name":                  s.botName,
		"username":                    s.botUser,
		"can_join_groups":             true,
		"can_read_all_group_messages": !s.privacy,
		"supports_inline_queries":     false,
		"can_connect_to_business":     false,
		"has_main_web_app":            false,
	}, nil
}

func (s *Server) getChat(c *callCtx) (any, *apiError) {
	cs, err := s.targetChatLocked(c, readChat)
	if err != nil {
		return nil, err
	}
	w := cs.chat.wire()
	w["accent_color_id"] = 0
	w["max_reaction_count"] = 11
	w["accepted_gift_types"] = map[string]bool{
		"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false,
	}
	return w, nil
}

// memberStatusLocked returns a user's status in a chat: the bot's own, the
// one SetMemberStatus configured, or "member".
func (s *Server) memberStatusLocked(cs *chatState, userID int64) string {
	if userID == s.botID {
		if cs.chat.Type == ChatPrivate {
			return StatusMember
		}
		return cs.botStatus
	}
	if st, ok := cs.members[userID]; ok {
		return st
	}
	return StatusMember
}

func (s *Server) getChatMember(c *callCtx) (any, *apiError) {
	cs, err := s.targetChatLocked(c, readChat)
	if err != nil {
		return nil, err
	}
	uid, ok := c.p.integer("user_id")
	if !ok || uid <= 0 {
		return nil, badRequest("invalid user_id specified")
	}
	if cs.chat.Type == ChatPrivate && uid != cs.chat.ID && uid != s.botID {
		return nil, badRequest("user not found")
	}
	return memberWire(s.memberStatusLocked(cs, uid), s.userLocked(uid), cs.chat.Type), nil
}

func (s *Server) getChatAdministrators(c *callCtx) (any, *apiError) {
	cs, err := s.targetChatLocked(c, readChat)
	if err != nil {
		return nil, err
	}
	if cs.chat.Type == ChatPrivate {
		return nil, badRequest("there are no administrators in the private chat")
	}
	var ids []int64
	for id, st := range cs.members {
		if isAdminStatus(st) && !s.userLocked(id).IsBot {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		ci, cj := cs.members[ids[i]] == StatusCreator, cs.members[ids[j]] == StatusCreator
		if ci != cj {
			return ci
		}
		return ids[i] < ids[j]
	})
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, memberWire(cs.members[id], s.userLocked(id), cs.chat.Type))
	}
	return out, nil
}

// memberWire renders a ChatMember in the shape of its status.
func memberWire(status string, u User, chatType string) map[string]any {
	w := map[string]any{"user": u.wire(), "status": status}
	switch status {
	case StatusCreator:
		w["is_anonymous"] = false
	case StatusAdministrator:
		for _, k := range []string{
			"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
			"can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
			"can_delete_stories", "can_pin_messages",
		} {
			w[k] = true
		}
		w["can_be_edited"] = false
		w["is_anonymous"] = false
		w["can_promote_members"] = false
		if chatType == ChatSupergroup {
			w["can_manage_topics"] = false
		}
	case StatusRestricted:
		w["is_member"] = true
		w["until_date"] = 0
		for _, k := range []string{
			"can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
			"can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
			"can_send_other_messages", "can_add_web_page_previews", "can_change_info",
			"can_invite_users", "can_pin_messages", "can_manage_topics",
		} {
			w[k] = false
		}
	case StatusKicked:
		w["until_date"] = 0
	}
	return w
}

func (s *Server) sendChatAction(c *callCtx) (any, *apiError) {
	if _, err := s.targetChatLocked(c, writeChat); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.p.str("action")) == "" {
		return nil, badRequest("action is empty")
	}
	return true, nil
}

// scopeKey turns a BotCommandScope JSON object into a map key; it checks
// that the chats a scope names exist.
func (s *Server) scopeKeyLocked(raw string) (string, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return "default", nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators", "chat_member":
	default:
		return "", badRequest("unsupported bot command scope type")
	}
	var chatRaw string
	if err := json.Unmarshal(sc.ChatID, &chatRaw); err != nil {
		chatRaw = string(sc.ChatID)
	}
	id, ok := s.lookupChatIDLocked(chatRaw)
	if !ok || s.chats[id] == nil {
		return "", badRequest("chat not found")
	}
	if sc.Type == "chat_member" {
		if sc.UserID <= 0 {
			return "", badRequest("invalid user_id specified")
		}
		return fmt.Sprintf("chat_member:%d:%d", id, sc.UserID), nil
	}
	return fmt.Sprintf("%s:%d", sc.Type, id), nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(c *callCtx) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(c.p.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !commandRE.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if d := strings.TrimSpace(cmd.Description); d == "" || utf16Len(d) > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, err := s.scopeKeyLocked(c.p.str("scope"))
	if err != nil {
		return nil, err
	}
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	s.commands[key+"|"+c.p.str("language_code")] = cmds
	return true, nil
}

func (s *Server) getMyCommands(c *callCtx) (any, *apiError) {
	key, err := s.scopeKeyLocked(c.p.str("scope"))
	if err != nil {
		return nil, err
	}
	cmds := s.commands[key+"|"+c.p.str("language_code")]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(c *callCtx) (any, *apiError) {
	key, err := s.scopeKeyLocked(c.p.str("scope"))
	if err != nil {
		return nil, err
	}
	delete(s.commands, key+"|"+c.p.str("language_code"))
	return true, nil
}

// descriptionSetter answers setMyDescription, setMyShortDescription and
// setMyName, which store one text per language.
func descriptionSetter(kind, param string) func(*Server, *callCtx) (any, *apiError) {
	return func(s *Server, c *callCtx) (any, *apiError) {
		key := kind + "|" + c.p.str("language_code")
		if v := c.p.str(param); v != "" {
			s.descriptions[key] = v
		} else {
			delete(s.descriptions, key)
		}
		return true, nil
	}
}

func descriptionGetter(kind, param string) func(*Server, *callCtx) (any, *apiError) {
	return func(s *Server, c *callCtx) (any, *apiError) {
		return map[string]string{param: s.descriptions[kind+"|"+c.p.str("language_code")]}, nil
	}
}
