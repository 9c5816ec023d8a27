package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/dialogs"
)

// fuzzBotName is the bot's username in the bot fuzz targets.
const fuzzBotName = "KpiTestBot"

// fuzzUpdates are update bodies as Telegram sends them, and some it does
// not: the seed corpus of FuzzToInput and FuzzWebhook.
func fuzzUpdates() [][]byte {
	user := map[string]any{"id": 100, "is_bot": false, "first_name": "Анна", "username": "anna", "language_code": "ru"}
	private := map[string]any{"id": 100, "type": "private", "first_name": "Анна"}
	group := map[string]any{"id": -100500, "type": "supergroup", "title": "Пекарня 🍰", "is_forum": true}
	msg := func(chat map[string]any, text string, extra ...any) map[string]any {
		m := map[string]any{"message_id": 7, "date": 1795000000, "chat": chat, "from": user, "text": text}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	upd := func(id int64, kind string, v any) []byte {
		b, err := json.Marshal(map[string]any{"update_id": id, kind: v})
		if err != nil {
			panic(err)
		}
		return b
	}
	member := func(old, new string) map[string]any {
		return map[string]any{"chat": group, "from": user, "date": 1795000000,
			"old_chat_member": map[string]any{"status": old, "user": user}, "new_chat_member": map[string]any{"status": new, "user": user}}
	}
	out := [][]byte{
		upd(1, "message", msg(private, "/start")),
		upd(2, "message", msg(private, "/log охват 12500")),
		upd(3, "message", msg(group, "/log@KpiTestBot охват 12 500 er 4,2%", "message_thread_id", 12)),
		upd(4, "message", msg(group, "/start@OtherBot")),
		upd(5, "message", msg(private, "охват 12 500")),
		upd(6, "message", msg(private, "1,5к")),
		upd(7, "message", msg(private, "🚀🔥 \u200fمرحبا ١٢٣ שלום")),
		upd(8, "message", msg(private, strings.Repeat("охват 1 ", 600))),
		upd(9, "message", msg(group, "44", "reply_to_message", msg(group, "Сколько?", "message_id", 5))),
		upd(10, "message", msg(group, "/import", "reply_to_message",
			msg(group, "", "message_id", 6, "document", map[string]any{"file_id": "F1", "file_unique_id": "U1", "file_name": "entries.csv", "file_size": 1024}))),
		upd(11, "message", msg(group, "/setup", "from", nil, "sender_chat", group)),
		upd(12, "message", msg(group, "", "migrate_to_chat_id", -1001234567890)),
		upd(13, "message", msg(map[string]any{"id": -1009, "type": "channel", "title": "Канал"}, "пост", "from", nil)),
		upd(14, "edited_message", msg(private, "/log охват 1")),
		upd(15, "callback_query", map[string]any{"id": "cb1", "from": user, "data": "1:lang:en", "message": msg(private, "Язык?")}),
		upd(16, "callback_query", map[string]any{"id": "cb2", "from": user, "data": "1:w:3:c:sales", "message": map[string]any{"chat": group, "message_id": 9, "date": 0}}),
		upd(17, "callback_query", map[string]any{"id": "cb3", "from": user, "inline_message_id": "im", "data": "1:lang:en"}),
		upd(18, "callback_query", map[string]any{"id": "cb4", "from": user, "game_short_name": "g", "message": msg(private, "x")}),
		upd(19, "my_chat_member", member("left", "member")),
		upd(20, "my_chat_member", member("member", "kicked")),
		upd(21, "my_chat_member", member("member", "administrator")),
		upd(22, "chat_member", member("left", "member")),
		upd(23, "message", msg(private, "/LOG\nохват 5")),
		upd(24, "message", msg(private, "/"+strings.Repeat("a", 33))),
		upd(-1, "message", msg(private, "/start")),
		upd(0, "message", msg(private, "/start")),
		[]byte(`{"update_id":9007199254740993,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"from":{"id":1},"text":"/start"}}`),
		[]byte(`{"update_id":1e308}`),
		[]byte(`{"update_id":1,"message":{"chat":{"id":"1"}}}`),
		[]byte(`{"update_id":1,"message":null,"callback_query":{"id":"x","from":{"id":1},"message":{"date":1,"chat":{"id":2,"type":"group"}}}}`),
		[]byte(`{"update_id":1,"callback_query":{"id":"x","from":{"id":1},"message":{"date":"x"}}}`),
		[]byte(`{"update_id":1,"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5},"old_chat_member":{"status":"kicked"},"new_chat_member":{"status":"member"}}}`),
		[]byte(`{}`), []byte(`null`), []byte(`[]`), []byte(`"x"`), []byte(``), []byte("\xff\xfe"), []byte(`{"update_id":1`),
	}
	return out
}

// checkInput fails t unless in, from toInput, is an input the dialogs can
// take: one kind of input, from the chat the update is ordered by, a
// command that is ours, a callback that is not empty, and a handler name
// for the log that carries no message text.
func checkInput(t *testing.T, upd *models.Update, in dialogs.Input, callbackID string) {
	t.Helper()
	if got := chatOf(upd); in.ChatID != got {
		t.Fatalf("update %+v: input of chat %d, ordered as chat %d", upd, in.ChatID, got)
	}
	kinds := 0
	for _, set := range []bool{in.Event != dialogs.EventNone, in.Callback != "", in.Command != "", in.Text != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		t.Fatalf("update %+v: input %+v is not one kind of input", upd, in)
	}
	if in.Command != "" && (!validCommand(in.Command) || strings.ToLower(in.Command) != in.Command || strings.TrimSpace(in.Args) != in.Args) {
		t.Fatalf("update %+v: command %q, args %q", upd, in.Command, in.Args)
	}
	if upd.CallbackQuery == nil && callbackID != "" || upd.CallbackQuery != nil && callbackID != upd.CallbackQuery.ID {
		t.Fatalf("update %+v: callback id %q", upd, callbackID)
	}
	name := handlerName(in, true)
	switch {
	case name == "event", name == "text", name == "document", name == "button:?", name == "/?":
	case strings.HasPrefix(name, "button:") && isWord(strings.TrimPrefix(name, "button:")):
	case strings.HasPrefix(name, "/") && isWord(strings.TrimPrefix(name, "/")):
	default:
		t.Fatalf("update %+v: handler name %q for the log", upd, name)
	}
}

// FuzzToInput decodes any bytes as an update and checks what toInput makes
// of it (see checkInput).
func FuzzToInput(f *testing.F) {
	for _, b := range fuzzUpdates() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var upd models.Update
		if json.Unmarshal(body, &upd) != nil {
			return
		}
		in, callbackID, ok := toInput(&upd, fuzzBotName)
		if ok {
			checkInput(t, &upd, in, callbackID)
		} else if handlerName(in, ok) != "none" {
			t.Fatalf("update %s: ignored, but named %q", body, handlerName(in, ok))
		}
	})
}

// FuzzParseCommand checks parseCommand on any text and bot name: only text
// starting with "/" is a command; a command for another bot has no name or
// arguments; a command for us has a valid lower-case name that starts the
// text and trimmed arguments, and reads the same when written back as
// "/cmd args" or "/cmd@Bot args".
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start", "/start@KpiTestBot", "/START@kpitestbot hello", "/start@OtherBot",
		"/log охват 12500", "/log\nохват 12500", "/log\tохват", "/log@KpiTestBot  reach 12.5k ", "hello /start",
		"/", "/охват 5", "/" + strings.Repeat("a", 33), "", "/log\u00a0охват 5", "/log\rохват", "/@KpiTestBot",
		"/log@", "/log@@KpiTestBot", "//log", "/log 🚀", "/l-o-g", "/help@KpiTestBot\n\nещё"} {
		f.Add(s, fuzzBotName)
	}
	f.Add("/start@", "")
	f.Add("/start@Ünicode", "ünicode")
	f.Fuzz(func(t *testing.T, text, botName string) {
		cmd, args, isCmd, forUs := parseCommand(text, botName)
		switch {
		case !strings.HasPrefix(text, "/") && isCmd:
			t.Fatalf("parseCommand(%q) is a command", text)
		case !isCmd && (forUs || cmd != "" || args != ""):
			t.Fatalf("parseCommand(%q) = %q, %q, %v, %v for text that is no command", text, cmd, args, isCmd, forUs)
		case isCmd && !forUs && (cmd != "" || args != ""):
			t.Fatalf("parseCommand(%q) = %q, %q for another bot's command", text, cmd, args)
		case !forUs:
			return
		}
		if !validCommand(cmd) || strings.ToLower(cmd) != cmd || strings.TrimSpace(args) != args ||
			!strings.HasPrefix(strings.ToLower(text[1:]), cmd) {
			t.Fatalf("parseCommand(%q) = %q, %q", text, cmd, args)
		}
		again := []string{"/" + cmd + " " + args}
		if isWord(botName) {
			again = append(again, "/"+cmd+"@"+botName+" "+args, "/"+strings.ToUpper(cmd)+"@"+strings.ToLower(botName)+"\n"+args)
		}
		for _, s := range again {
			if c, a, isC, us := parseCommand(s, botName); c != cmd || a != args || !isC || !us {
				t.Fatalf("parseCommand(%q) = %q, %q but parseCommand(%q) = %q, %q, %v, %v", text, cmd, args, s, c, a, isC, us)
			}
		}
	})
}
