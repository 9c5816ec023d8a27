package kpi

import (
	"fmt"
	"time"
)

// Lang is a language the bot speaks.
type Lang string

// The languages of the bot. Russian is the default for unknown codes.
const (
	Russian Lang = "ru"
	English Lang = "en"
)

// Langs lists every supported language, the default first.
var Langs = []Lang{Russian, English}

// ParseLang returns the language for a Telegram language_code such as "en",
// "en-GB" or "ru"; an unknown or empty code gives def.
func ParseLang(code string, def Lang) Lang {
	if len(code) >= 2 {
		switch Lang(code[:2]) {
		case Russian:
			return Russian
		case English:
			return English
		}
	}
	return def
}

// Valid reports whether l is a supported language.
func (l Lang) Valid() bool { return l == Russian || l == English }

// ChatType is the kind of Telegram chat a workspace lives in.
type ChatType string

// Chat types as Telegram names them.
const (
	ChatPrivate    ChatType = "private"
	ChatGroup      ChatType = "group"
	ChatSupergroup ChatType = "supergroup"
)

// IsGroup reports whether the chat is a group or supergroup.
func (t ChatType) IsGroup() bool { return t == ChatGroup || t == ChatSupergroup }

// Workspace is one chat using the bot: one chat, one workspace, one plan.
type Workspace struct {
	ChatID   int64     `json:"chat_id"`
	Type     ChatType  `json:"type"`
	Title    string    `json:"title,omitempty"`
	Lang     Lang      `json:"lang"`
	Timezone string    `json:"timezone"`
	Active   bool      `json:"active"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Settings
}

// Settings are when and where a workspace gets its reports (step 7 and
// /settings).
type Settings struct {
	ReportDay    time.Weekday `json:"report_day"`
	ReportHour   int          `json:"report_hour"`
	ReportMinute int          `json:"report_minute"`
	ReportChat   int64        `json:"report_chat,omitempty"`   // 0: the workspace's own chat
	ReportThread int          `json:"report_thread,omitempty"` // forum topic, 0 for none
	Reminders    bool         `json:"reminders"`
}

// DefaultSettings are a new workspace's: reports on Monday at 10:00 in its
// own chat, reminders on.
var DefaultSettings = Settings{ReportDay: time.Monday, ReportHour: 10, Reminders: true}

// Validate returns an error wrapping ErrInvalid when the workspace cannot
// be stored: no chat id, an unknown chat type or language, or a time zone
// the system does not know.
func (w Workspace) Validate() error {
	switch {
	case w.ChatID == 0:
		return fmt.Errorf("workspace: chat id is empty: %w", ErrInvalid)
	case w.Type != ChatPrivate && !w.Type.IsGroup():
		return fmt.Errorf("workspace %d: chat type %q: %w", w.ChatID, w.Type, ErrInvalid)
	case !w.Lang.Valid():
		return fmt.Errorf("workspace %d: language %q: %w", w.ChatID, w.Lang, ErrInvalid)
	case w.ReportDay < time.Sunday || w.ReportDay > time.Saturday || w.ReportHour < 0 || w.ReportHour > 23 ||
		w.ReportMinute < 0 || w.ReportMinute > 59 || w.ReportThread < 0:
		return fmt.Errorf("workspace %d: report time: %w", w.ChatID, ErrInvalid)
	}
	if _, err := LoadLocation(w.Timezone); err != nil || w.Timezone == "" {
		return fmt.Errorf("workspace %d: time zone %q: %w", w.ChatID, w.Timezone, ErrInvalid)
	}
	return nil
}
