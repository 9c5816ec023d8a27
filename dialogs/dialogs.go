// Package dialogs is the conversation of kpibot, free of any transport: an
// Input (a command, a text, a button press, a chat event) and the saved state
// give a Result (replies, edits, a notice for the pressed button) and the
// changes to save. Package bot translates Telegram to Inputs and Results back.
//
// Reply texts are Telegram HTML: anything a user typed is escaped with
// html.EscapeString before it goes into one.
package dialogs

import (
	"context"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// Event is something that happened to the chat rather than a message in it.
type Event int

// The chat events the bot reacts to.
const (
	EventNone       Event = iota
	EventBotAdded         // the bot was added to a group or unblocked
	EventBotRemoved       // the bot was removed from a group or blocked
	EventMigrated         // the group became a supergroup: Input.MigrateTo is its new id
)

// Input is one thing a user did, as the conversation sees it.
type Input struct {
	UpdateID  int64 // Telegram's update_id: a second delivery is skipped
	ChatID    int64
	ChatType  kpi.ChatType
	ChatTitle string
	ThreadID  int // forum topic, 0 outside topics

	UserID   int64
	UserName string // how to address the user: first name or @username
	LangCode string // the user's Telegram language_code, may be empty
	AsChat   bool   // written by an anonymous admin on behalf of the group

	MessageID int    // the user's message, or the message whose button was pressed
	ReplyTo   int    // the bot message a text answers, 0 when none
	Command   string // "start" for /start and /start@ThisBot, lower case
	Args      string // what follows the command
	Text      string // a message that is not a command
	Callback  string // callback data of a pressed button
	Event     Event
	ReplyFile *FileRef // the document the message replies to, if any
	MigrateTo int64    // with EventMigrated: the supergroup's chat id
}

// FileRef names a file a user sent; Files downloads it.
type FileRef struct {
	ID   string
	Name string
	Size int64
}

// Files downloads files users sent; package bot implements it.
type Files interface {
	Download(ctx context.Context, id string) ([]byte, error)
}

// Button is one inline button: the text a user sees and the callback data
// (at most 64 bytes) it sends back.
type Button struct {
	Text string
	Data string
}

// File is a document or picture the bot sends.
type File struct {
	Name string // with its extension: "entries.csv", "report.png"
	Data []byte
}

// Reply is one message the bot sends, or an edit of one it sent.
type Reply struct {
	Text     string     // Telegram HTML; the caption when Photo or Document is set
	Photo    *File      // a picture (PNG), sent as a photo
	Document *File      // a file, sent as a document
	Buttons  [][]Button // inline keyboard rows; nil for none
	// ForceReply asks the user's client to open a reply to this message
	// (selective: only the user who is asked), with Placeholder in the field.
	ForceReply  bool
	Placeholder string
	ReplyTo     int // the message this one answers, 0 for none
	Edit        int // when not 0, edit this bot message instead of sending
	// KeepText, with Edit, changes only the message's buttons (to Buttons,
	// or none): a finished question keeps its text and loses its keyboard.
	KeepText bool
}

// Result is what the bot does in answer to one Input.
type Result struct {
	Notice  string // the short answer to a button press (a toast)
	Replies []Reply
	// Sent, when set, is called with the message id of each reply once they
	// are all delivered (0 for one that failed), so the conversation can
	// remember which message holds its buttons.
	Sent func(ctx context.Context, ids []int) error
}

// Store is the state the conversation keeps; package storage implements it.
type Store interface {
	// Begin claims the update and loads the workspace and plan in one
	// round trip; first is false for an update seen before.
	Begin(ctx context.Context, update, chat int64) (first bool, s kpi.Snapshot, err error)
	Workspace(ctx context.Context, chat int64) (kpi.Workspace, error)
	SaveWorkspace(ctx context.Context, w kpi.Workspace) error
	Dialog(ctx context.Context, chat, user int64) ([]byte, error)
	DeleteDialog(ctx context.Context, chat, user int64) error

	Wizard(ctx context.Context, chat int64) ([]byte, int64, error)
	SaveWizard(ctx context.Context, chat int64, rev int64, state []byte) (int64, error)
	DeleteWizard(ctx context.Context, chat int64) error
	Plan(ctx context.Context, chat int64) (kpi.Plan, error)
	Plans(ctx context.Context, chat int64) ([]kpi.Plan, error)
	CommitPlan(ctx context.Context, w kpi.Workspace, p kpi.Plan, wizardRev int64) (kpi.Plan, error)
	AddUserGroup(ctx context.Context, user, chat int64) error
	UserGroups(ctx context.Context, user int64) ([]int64, error)
	MigrateChat(ctx context.Context, from, to int64) error

	SaveDialog(ctx context.Context, chat, user int64, state []byte) error
	AddEntries(ctx context.Context, chat int64, entries []kpi.Entry, from, to kpi.Date) ([]kpi.Entry, map[string][]kpi.Entry, error)
	MetricsEntries(ctx context.Context, chat int64, metrics []string, from, to kpi.Date) (map[string][]kpi.Entry, error)
	AllEntries(ctx context.Context, chat int64) ([]kpi.Entry, error)
	RecentEntries(ctx context.Context, chat int64, metric string, n int) ([]kpi.Entry, error)
	Entry(ctx context.Context, chat int64, id string) (kpi.Entry, error)
	DeleteEntry(ctx context.Context, chat int64, id string) (kpi.Entry, error)
	LastEntryBy(ctx context.Context, chat, user int64, since time.Time) (kpi.Entry, error)
	ClaimAlert(ctx context.Context, chat int64, metric, week string) (bool, error)
}

// Admins tells who may change a group's settings; package bot implements it
// with getChatMember.
type Admins interface {
	IsAdmin(ctx context.Context, chat, user int64) (bool, error)
}
