package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// SPEC §11: "Bad input of any kind (text, numbers, dates, stale or forged
// buttons, oversized messages, malformed CSV) gets a clear answer and
// changes nothing." Each case below is one bad input sent to the real bot
// through the fake Telegram. Its author must see a clear answer in the
// chat's language (or nothing, where nothing is right), and neither the
// store nor any message already in a chat may change.

// abuse is one bad input.
type abuse struct {
	name  string
	chat  telegramtest.Chat   // where the answer comes
	do    func(w *abuseWorld) // sends the bad input
	reply []string            // the answer is a message holding each of these
	toast []string            // the answer is a button notice holding each of these
	// silent: no answer at all (another bot's command, group chatter).
	silent bool
	// reasks: a typed wizard answer that is refused. The question is asked
	// again below it, so the wizard's pointers to its screen move and the old
	// question loses its keyboard; the answers must not change.
	reasks bool
	// clears is the message pressed when the answer may take its keyboard
	// away: an Undo whose entries are gone removes the dead button.
	clears int
}

// abuseWorld is one running bot with five chats that have something to
// break: plans, entries, an open wizard, admins and a member.
type abuseWorld struct {
	t     *testing.T
	tg    *telegramtest.Server
	r     *running
	ru    telegramtest.Chat // Anna's private chat: a plan and entries
	en    telegramtest.Chat // John's private chat: the same plan, in English
	wiz   telegramtest.Chat // Oleg's private chat: a wizard open on a text question
	group telegramtest.Chat // Anna creator, John admin (demoted later), Oleg member
	team  telegramtest.Chat // John admin (demoted later), running the wizard; English

	screens groupScreens // the group's admin screens, made while John was an admin

	tried, changed int
}

func TestAbuse(t *testing.T) {
	w := newAbuseWorld(t)
	t.Run("oversized", func(t *testing.T) { w.run(t, w.oversized()) })
	t.Run("strange wizard answers", func(t *testing.T) { w.run(t, w.strangeAnswers()) })
	t.Run("strange metric names", func(t *testing.T) { w.run(t, w.strangeNames()) })
	t.Run("strange log lines", func(t *testing.T) { w.run(t, w.strangeLogs()) })
	t.Run("absurd numbers", func(t *testing.T) { w.run(t, w.absurdNumbers()) })
	t.Run("impossible dates", func(t *testing.T) { w.run(t, w.impossibleDates()) })
	t.Run("forged buttons", func(t *testing.T) { w.run(t, w.forgedButtons()) })
	t.Run("other bots and unknown commands", func(t *testing.T) { w.run(t, w.foreignCommands()) })
	t.Run("member tries admin actions", func(t *testing.T) { w.run(t, w.memberAsAdmin()) })
	t.Run("demoted admin", func(t *testing.T) {
		// John was an admin when the screens were made; every change
		// (plan, settings, language, wizard) asks Telegram afresh.
		w.run(t, w.demotedAdmin())
	})
	t.Run("demoted admin, bot restarted", func(t *testing.T) {
		// A new process has no admin answers cached: the same old buttons
		// and commands, checked with Telegram.
		w.restart()
		w.run(t, w.demotedAdmin())
	})
	t.Run("malformed CSV", func(t *testing.T) { w.run(t, w.malformedCSV()) })
	t.Logf("bad inputs: %d, state changes: %d", w.tried, w.changed)
	if w.changed != 0 {
		t.Errorf("%d bad inputs changed the stored state", w.changed)
	}
}

func newAbuseWorld(t *testing.T) *abuseWorld {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	w := &abuseWorld{t: t, tg: tg, r: r}
	ctx := context.Background()

	w.ru = tg.PrivateChat(anna)
	seedPlan(t, r, w.ru)
	w.en = tg.PrivateChat(john)
	seedPlan(t, r, w.en)
	ws, err := r.store.Workspace(ctx, w.en.ID)
	if err != nil {
		t.Fatal(err)
	}
	ws.Lang = kpi.English
	if err := r.store.SaveWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	w.wiz = tg.PrivateChat(oleg)
	w.group = tg.Supergroup(-1003000400050, "Пекарня «Колос»", false)
	// An admin bot sees every message of the group: what is ignored, the
	// bot ignores itself, not Telegram's privacy mode.
	tg.SetMemberStatus(w.group.ID, tg.BotID(), telegramtest.StatusAdministrator)
	tg.SetMemberStatus(w.group.ID, anna.ID, telegramtest.StatusCreator)
	tg.SetMemberStatus(w.group.ID, john.ID, telegramtest.StatusAdministrator)
	tg.SetMemberStatus(w.group.ID, oleg.ID, telegramtest.StatusMember)
	seedPlan(t, r, w.group)
	w.team = tg.Supergroup(-1003000400060, "Coffee Lab", false)
	tg.SetMemberStatus(w.team.ID, tg.BotID(), telegramtest.StatusAdministrator)
	tg.SetMemberStatus(w.team.ID, john.ID, telegramtest.StatusAdministrator)
	return w
}

// restart stops the bot and starts a new one on the same store.
func (w *abuseWorld) restart() {
	w.t.Helper()
	dir := w.r.Config.DataDir
	w.r.stop()
	w.r = startBot(w.t, w.tg, map[string]string{"DATA_DIR": dir}, nil)
}

// person is the wizard harness's person for user in chat.
func (w *abuseWorld) person(chat telegramtest.Chat, user telegramtest.User) *person {
	return &person{t: w.t, tg: w.tg, chat: chat, user: user}
}

// lastWith returns the newest bot message of chat whose text holds want.
func (w *abuseWorld) lastWith(chat telegramtest.Chat, want string) telegramtest.Message {
	w.t.Helper()
	msgs := w.tg.Messages(chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].FromBot && strings.Contains(msgs[i].PlainText, want) {
			return msgs[i]
		}
	}
	w.t.Fatalf("no bot message with %q in chat %d", want, chat.ID)
	return telegramtest.Message{}
}

// callbackData returns the callback data of the button labelled label on m.
func callbackData(t testing.TB, m telegramtest.Message, label string) string {
	t.Helper()
	b, ok := m.Button(label)
	if !ok {
		t.Fatalf("message %d has no button %q: %v", m.ID, label, labels(m))
	}
	return b.CallbackData
}

func (w *abuseWorld) chats() []telegramtest.Chat {
	return []telegramtest.Chat{w.ru, w.en, w.wiz, w.group, w.team}
}

// run tries each case on the running bot: the bad input, its answer, then
// a /help in the same chat, whose answer proves the bad input was handled
// in full (updates of one chat are handled in order, each with everything
// it sends and saves, before the next).
func (w *abuseWorld) run(t *testing.T, cases []abuse) {
	// What the section's setup sent is handled in full (a reply shows
	// before its Sent callback has saved) before the first snapshot.
	for _, c := range w.chats() {
		w.sentinel(t, c, w.tg.Seq(), false)
	}
	for _, c := range cases {
		w.tried++
		t.Run(c.name, func(t *testing.T) {
			before, msgs := w.state(t), w.messages()
			seq := w.tg.Seq()
			c.do(w)
			switch {
			case len(c.reply) > 0:
				w.waitReply(t, c.chat, seq, c.reply)
			case len(c.toast) > 0:
				w.waitToast(t, seq, c.toast)
			}
			w.sentinel(t, c.chat, seq, c.silent)
			if diff := stateDiff(before, w.state(t), c.reasks); diff != "" {
				w.changed++
				t.Errorf("the store changed:\n%s", diff)
			}
			w.checkMessagesKept(t, msgs, c)
		})
	}
}

// waitReply waits for a bot message in chat, sent or edited after seq,
// that holds every string of want.
func (w *abuseWorld) waitReply(t *testing.T, chat telegramtest.Chat, seq int64, want []string) {
	t.Helper()
	has := func(m telegramtest.Message) bool {
		for _, s := range want {
			if !strings.Contains(m.PlainText, s) {
				return false
			}
		}
		return true
	}
	defer func() { // runs on the Fatal of a timeout too: show what the bot did say
		if t.Failed() {
			for _, m := range w.tg.Messages(chat.ID) {
				if m.FromBot && m.History[len(m.History)-1].Seq > seq {
					t.Logf("bot message %d: %q", m.ID, m.PlainText)
				}
			}
		}
	}()
	w.tg.WaitFor(t, wait, fmt.Sprintf("a reply with %q", want), func() bool {
		for _, m := range w.tg.Messages(chat.ID) {
			if m.FromBot && m.History[len(m.History)-1].Seq > seq && has(m) {
				return true
			}
		}
		return false
	})
}

// waitToast waits for the answer to the button press made after seq and
// checks it holds every string of want.
func (w *abuseWorld) waitToast(t *testing.T, seq int64, want []string) {
	t.Helper()
	var got string
	w.tg.WaitFor(t, wait, "the press answered", func() bool {
		for _, a := range w.tg.CallbackAnswers() {
			if a.PressSeq > seq {
				got = a.Text
				return true
			}
		}
		return false
	})
	for _, s := range want {
		if !strings.Contains(got, s) {
			t.Errorf("the press was answered %q, want it to say %q", got, s)
		}
	}
}

// sentinel sends /help into chat and waits for its answer. With silent,
// the bot must have sent, edited and answered nothing since seq but that.
func (w *abuseWorld) sentinel(t *testing.T, chat telegramtest.Chat, seq int64, silent bool) {
	t.Helper()
	user, want := anna, "Команды:"
	switch chat.ID {
	case w.en.ID, w.team.ID:
		user, want = john, "Commands:"
	case w.wiz.ID:
		user = oleg
	}
	help := w.tg.SendText(chat, user, "/help")
	w.tg.WaitFor(t, wait, "the /help answer", func() bool {
		for _, m := range w.tg.Messages(chat.ID) {
			if m.FromBot && m.Seq > help.Seq && strings.Contains(m.PlainText, want) {
				return true
			}
		}
		return false
	})
	if !silent {
		return
	}
	for _, c := range w.tg.CallsAfter(seq) {
		said := strings.HasPrefix(c.Method, "send") || strings.HasPrefix(c.Method, "edit") || c.Method == "answerCallbackQuery"
		if said && !(c.Method == "sendMessage" && c.ChatID == chat.ID && strings.Contains(c.Param("text"), want)) {
			t.Errorf("want silence, the bot called %s in chat %d: %q", c.Method, c.ChatID, c.Param("text"))
		}
	}
}

// messages returns the bot messages of the world's chats, by chat and id.
func (w *abuseWorld) messages() map[int64]map[int]telegramtest.Message {
	out := map[int64]map[int]telegramtest.Message{}
	for _, c := range w.chats() {
		out[c.ID] = map[int]telegramtest.Message{}
		for _, m := range w.tg.Messages(c.ID) {
			if m.FromBot {
				out[c.ID][m.ID] = m
			}
		}
	}
	return out
}

// checkMessagesKept fails when a bot message that was there before the
// bad input changed its text or buttons or was deleted. With c.reasks, the
// question asked again may lose its keyboard (its text stays); so may the
// message c.clears.
func (w *abuseWorld) checkMessagesKept(t *testing.T, before map[int64]map[int]telegramtest.Message, c abuse) {
	t.Helper()
	for chat, msgs := range before {
		for _, id := range slices.Sorted(maps.Keys(msgs)) {
			old := msgs[id]
			now, _ := w.tg.Message(chat, id)
			switch {
			case now.Deleted && !old.Deleted:
				t.Errorf("chat %d: message %d %q was deleted", chat, id, old.PlainText)
			case now.PlainText != old.PlainText || now.PlainCaption != old.PlainCaption:
				t.Errorf("chat %d: message %d changed from %q to %q", chat, id, old.PlainText, now.PlainText)
			case (c.reasks || id == c.clears && chat == c.chat.ID) && len(now.Buttons()) == 0:
			case !slices.Equal(now.Buttons(), old.Buttons()):
				t.Errorf("chat %d: the buttons of message %d %q changed from %v to %v", chat, id, old.PlainText, labels(old), labels(now))
			}
		}
	}
}

// state reads the keys of the world's chats and the global keys, each with
// its value read by its type. Left out, explicitly: kpi:update:<id>, the
// claim every update takes so that a second delivery is skipped (a bad
// input takes one too). The store keeps no rate or pacing keys (the reply
// pacing and the flood limit live in memory). TTLs are not compared: they
// run down.
//
// Global sets (kpi:workspaces, kpi:user:<id>:groups) are read as their
// members that are chats of the world, and keys of other chats are left
// out, so that a Redis shared with other tests does not disturb the count.
func (w *abuseWorld) state(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	rdb := w.r.rdb
	mine := map[string]bool{}
	for _, c := range w.chats() {
		mine[strconv.FormatInt(c.ID, 10)] = true
	}
	var keys []string
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			ks, err := node.Keys(ctx, "*").Result()
			mu.Lock()
			defer mu.Unlock()
			keys = append(keys, ks...)
			return err
		})
	} else {
		keys, err = rdb.Keys(ctx, "*").Result()
	}
	if err != nil {
		t.Fatalf("keys: %v", err)
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if strings.HasPrefix(k, "kpi:update:") {
			continue // the update's claim: see above
		}
		global := true
		if _, rest, ok := strings.Cut(k, "{"); ok {
			id, _, _ := strings.Cut(rest, "}")
			if !mine[id] {
				continue
			}
			global = false
		}
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatalf("type %s: %v", k, err)
		}
		var v any
		switch typ {
		case "string":
			v, err = rdb.Get(ctx, k).Result()
		case "hash":
			v, err = rdb.HGetAll(ctx, k).Result()
		case "list":
			v, err = rdb.LRange(ctx, k, 0, -1).Result()
		case "set":
			var ms []string
			ms, err = rdb.SMembers(ctx, k).Result()
			if global {
				ms = slices.DeleteFunc(ms, func(m string) bool { return !mine[m] })
			}
			slices.Sort(ms)
			v = ms
		case "zset":
			v, err = rdb.ZRangeWithScores(ctx, k, 0, -1).Result()
		case "none":
			continue // expired between KEYS and TYPE
		default:
			t.Fatalf("key %s has type %s, which the snapshot does not read", k, typ)
		}
		if err != nil {
			t.Fatalf("read %s: %v", k, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = typ + " " + string(b)
	}
	return out
}

// wizardScreenFields are the parts of a wizard's saved state that say
// where its question is shown, not what was answered: a question asked
// again below a refused answer moves them (see abuse.reasks).
var wizardScreenFields = []string{"screen", "shown", "message", "prompt", "owner_msg", "flash", "touched"}

// stateDiff lists the keys that differ; with reasks, wizards are compared
// by their answers only.
func stateDiff(before, after map[string]string, reasks bool) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(before)) {
		a, ok := after[k]
		switch {
		case !ok:
			lines = append(lines, "deleted "+k)
		case a == before[k]:
		case reasks && strings.HasSuffix(k, ":wizard") && wizardAnswers(a) == wizardAnswers(before[k]):
		default:
			lines = append(lines, fmt.Sprintf("changed %s\n  from %s\n  to   %s", k, before[k], a))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			lines = append(lines, fmt.Sprintf("new %s = %s", k, after[k]))
		}
	}
	return strings.Join(lines, "\n")
}

// wizardAnswers is a wizard hash as state renders it, without its revision
// and its screen fields.
func wizardAnswers(v string) string {
	_, js, _ := strings.Cut(v, " ")
	var h map[string]string
	if json.Unmarshal([]byte(js), &h) != nil {
		return v
	}
	var st map[string]any
	if json.Unmarshal([]byte(h["state"]), &st) != nil {
		return v
	}
	for _, f := range wizardScreenFields {
		delete(st, f)
	}
	b, _ := json.Marshal(st)
	return string(b)
}

// --- inputs ---

var (
	emoji5000    = strings.Repeat("😀", 5000) // 10 000 UTF-16 units
	cyrillic5000 = strings.Repeat("щ", 5000) // 5 000 UTF-16 units, 10 000 bytes
	arabic       = "مرحبا"                   // right to left
	hebrew       = "שלום"                    // right to left
)

// typeIn returns an input: user types text into chat.
func typeIn(chat telegramtest.Chat, user telegramtest.User, text string) func(*abuseWorld) {
	return func(w *abuseWorld) { w.tg.SendText(chat, user, text) }
}

// replyIn returns an input: user types text into chat as a reply to
// message id.
func replyIn(chat telegramtest.Chat, user telegramtest.User, text string, id int) func(*abuseWorld) {
	return func(w *abuseWorld) { w.tg.SendReply(chat, user, text, id) }
}

// pressIn returns an input: user presses a button carrying data on message
// id of chat, whatever that message's buttons are.
func pressIn(chat telegramtest.Chat, user telegramtest.User, id int, data string) func(*abuseWorld) {
	return func(w *abuseWorld) { w.tg.PressData(chat, user, id, data) }
}

// importIn returns an input: user sends a file into chat and replies
// /import to it.
func importIn(chat telegramtest.Chat, user telegramtest.User, name string, data []byte) func(*abuseWorld) {
	return func(w *abuseWorld) {
		doc := w.tg.SendUserDocument(chat, user, name, "", data, "")
		w.tg.SendReply(chat, user, "/import", doc.ID)
	}
}

// randomBytes returns n bytes of a fixed pseudo-random sequence.
func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

// --- the cases ---

func (w *abuseWorld) oversized() []abuse {
	// The /log question answered by buttons: the number typed next is for
	// the KPI tapped (the question stays open on a refusal).
	w.person(w.ru, anna).say("/log", "Что записываем")
	w.person(w.ru, anna).press("Охват", "сколько")
	w.person(w.en, john).say("/log", "What are we logging")
	w.person(w.en, john).press("Reach", "how much")
	// Oleg's wizard waits for the measurable business target (free text).
	wz := w.person(w.wiz, oleg)
	wz.say("/setup", "Шаг 1 из 7")
	wz.press("Рост продаж", "✓ Рост продаж")
	wz.press("Дальше ▶", "измеримая цель")
	return []abuse{
		{name: "log line with 5000 emoji", chat: w.ru, do: typeIn(w.ru, anna, "/log охват 100 "+emoji5000), reply: []string{"Слишком длинная строка"}},
		{name: "log line with 5000 Cyrillic letters", chat: w.ru, do: typeIn(w.ru, anna, "/log охват 100 "+cyrillic5000), reply: []string{"Слишком длинная строка"}},
		{name: "log line with 5000 emoji, English", chat: w.en, do: typeIn(w.en, john, "/log reach 100 "+emoji5000), reply: []string{"too long"}},
		{name: "log answer of 5000 emoji", chat: w.ru, do: typeIn(w.ru, anna, emoji5000), reply: []string{"Не понял число"}},
		{name: "log answer of 5000 Cyrillic letters, English", chat: w.en, do: typeIn(w.en, john, cyrillic5000), reply: []string{"couldn't read the number"}},
		{name: "history of a metric named with 5000 emoji", chat: w.ru, do: typeIn(w.ru, anna, "/history "+emoji5000), reply: []string{"такого показателя нет"}},
		{name: "wizard answer of 5000 emoji", chat: w.wiz, do: typeIn(w.wiz, oleg, emoji5000), reply: []string{"Слишком длинно", "200"}, reasks: true},
		{name: "wizard answer of 5000 Cyrillic letters", chat: w.wiz, do: typeIn(w.wiz, oleg, cyrillic5000), reply: []string{"Слишком длинно", "200"}, reasks: true},
	}
}

// typedRu is text typed by Anna in the Russian chat, answered with a
// message holding each of says; typedEn the same by John in the English
// chat (its name ends in ", English").
func (w *abuseWorld) typedRu(name, text string, says ...string) abuse {
	return abuse{name: name, chat: w.ru, do: typeIn(w.ru, anna, text), reply: says}
}

func (w *abuseWorld) typedEn(name, text string, says ...string) abuse {
	return abuse{name: name + ", English", chat: w.en, do: typeIn(w.en, john, text), reply: says}
}

// wizardAnswer is text Oleg types as the answer to his wizard's question:
// refused with a message holding each of says, the question asked again.
func (w *abuseWorld) wizardAnswer(name, text string, says ...string) abuse {
	return abuse{name: name, chat: w.wiz, do: typeIn(w.wiz, oleg, text), reply: says, reasks: true}
}

func (w *abuseWorld) strangeAnswers() []abuse {
	return []abuse{
		w.wizardAnswer("with NUL", "+20 %\x00 продаж", "управляющие"),
		w.wizardAnswer("with ESC", "+20 % \x1b[31mпродаж", "управляющие"),
		w.wizardAnswer("with an RTL override", "+20 % \u202eжадорп", "управляющие"),
		w.wizardAnswer("of zero-width characters only", "\u200b\u200d\u2060", "пуст"),
	}
}

func (w *abuseWorld) strangeNames() []abuse {
	// The custom-metric name question of Oleg's wizard comes after the
	// questions skipped here.
	wz := w.person(w.wiz, oleg)
	for _, next := range []string{"Сколько лет", "Где ваша аудитория", "в сети", "интересуется", "Шаг 3 из 7"} {
		wz.press("Пропустить ▶", next)
	}
	wz.press("➕ Своя метрика", "Как называется")
	return []abuse{
		w.wizardAnswer("of 5000 emoji", emoji5000, "Название"),
		w.wizardAnswer("of 41 letters", strings.Repeat("я", 41), "Название"),
		w.wizardAnswer("with NUL", "Записи\x00бота", "управляющие"),
		w.wizardAnswer("with ESC", "Записи \x1b[31mбота", "управляющие"),
		w.wizardAnswer("with an RTL override", "Записи \u202eатоб", "управляющие"),
		w.wizardAnswer("of zero-width characters only", "\u200b\u200d\u2060", "Название"),
		w.wizardAnswer("with a line break", "Записи\nбота", "Название"),
		w.wizardAnswer("taken, with a zero-width space", "Охват\u200b", "уже занято"),
		w.wizardAnswer("a catalogue key", "engagement", "уже занято"),
		w.wizardAnswer("a catalogue alias in capitals", "ER", "уже занято"),
	}
}

func (w *abuseWorld) strangeLogs() []abuse {
	return []abuse{
		w.typedRu("NUL", "/log \x00", "такого показателя нет"),
		w.typedRu("ESC in a number", "/log охват 1\x1b[31m00", "Не понял число"),
		w.typedRu("RTL override", "/log \u202eохват 100\u202c", "такого показателя нет"),
		w.typedRu("zero-width joiner in a name", "/log ох\u200dват 100", "такого показателя нет"),
		w.typedRu("Arabic", "/log "+arabic+" 100", "такого показателя нет", arabic),
		w.typedEn("Hebrew", "/log "+hebrew+" 100", "is not a KPI", hebrew),
		w.typedRu("emoji number", "/log охват 1️⃣2️⃣", "Не понял число"),
		w.typedRu("emoji metric", "/log 📈 100", "такого показателя нет"),
		w.typedRu("answer with NUL", "12\x0050", "Не понял число"),
		w.typedRu("answer with an RTL override", "\u202e0521", "Не понял число"),
		w.typedRu("answer with a zero-width space", "12\u200b500", "Не понял число"),
		w.typedEn("answer of control characters", "\x1b[2J\x07", "couldn't read the number"),
	}
}

func (w *abuseWorld) absurdNumbers() []abuse {
	return []abuse{
		w.typedRu("1e308", "/log охват 1e308", "Не понял число"),
		w.typedRu("NaN", "/log охват NaN", "нужно число"),
		w.typedRu("Inf", "/log охват Inf", "нужно число"),
		w.typedRu("negative count", "/log охват -5", "допустимо число от 0 и больше"),
		w.typedRu("30 digits", "/log охват 123456789012345678901234567890", "Не понял число"),
		w.typedRu("12,5,5", "/log охват 12,5,5", "Не понял число"),
		w.typedRu("Arabic-Indic digits", "/log охват ١٢٣", "Не понял число", "١٢٣"),
		w.typedRu("20 decimals", "/log er 1,12345678901234567890", "Не понял число"),
		w.typedRu("percent over 100", "/log er 100,0000001", "от 0 до 100"),
		w.typedRu("a quadrillion", "/log охват 1000000000000000", "допустимо"),
		w.typedEn("1e308", "/log reach 1e308", "couldn't read the number"),
		w.typedEn("NaN", "/log reach NaN", "needs a number"),
		w.typedEn("negative count", "/log reach -5", "allowed a number from 0 up"),
		w.typedEn("12,5,5", "/log reach 12,5,5", "couldn't read the number"),
	}
}

func (w *abuseWorld) impossibleDates() []abuse {
	return []abuse{
		w.typedRu("31 February", "/log охват 100 31.02.2026", "31.02.2026"),
		w.typedRu("month 13", "/log охват 100 00.13.2026", "00.13.2026"),
		w.typedRu("ISO 30 February", "/log охват 100 2026-02-30", "2026-02-30"),
		w.typedRu("ten years ahead", "/log охват 100 27.11.2036", "на будущую дату"),
		w.typedRu("far past", "/log охват 100 01.01.1900", "раньше начала плана"),
		w.typedEn("31 February", "/log reach 100 31.02.2026", "31.02.2026"),
		w.typedEn("ten years ahead", "/log reach 100 2036-11-27", "future date"),
	}
}

func (w *abuseWorld) forgedButtons() []abuse {
	t := w.t
	// Anna's entries in her chat, with an Undo already pressed and a
	// /history delete button.
	ru := w.person(w.ru, anna)
	ru.say("/cancel", "Диалог закрыт")
	ru.say("/log охват 12500", "✅ Охват")
	logged := w.lastWith(w.ru, "✅ Охват")
	undo := callbackData(t, logged, "↩️ Отменить")
	ru.press("↩️ Отменить", "↩️ Отменено")
	ru.say("/log охват 7000", "✅ Охват")
	ru.say("/history", "Последние записи")
	del := w.lastWith(w.ru, "Последние записи").Buttons()[0].CallbackData
	// A button of Oleg's wizard, and a message of John's with buttons.
	wiz := w.person(w.wiz, oleg).screen()
	wizData := wiz.Buttons()[0].CallbackData
	w.person(w.en, john).say("/lang", "Which language")
	ask := w.lastWith(w.en, "Which language")

	stale := []string{"Эта кнопка устарела"}
	press := func(name, data string) abuse {
		return abuse{name: name, chat: w.ru, do: pressIn(w.ru, anna, logged.ID, data), toast: stale}
	}
	return []abuse{
		press("random bytes", string(randomBytes(40, 1))),
		press("empty", ""),
		press("no verb", "1"),
		press("unknown verb", "1:zz:"+strings.Repeat("z", 20)),
		press("another version", "2:lang:en"),
		press("65 bytes", "1:un:"+strings.Repeat("7", 60)),
		press("log KPI out of range", "1:lg:1:99"),
		press("log KPI negative", "1:lg:1:-1"),
		press("log plan version of 30 digits", "1:lg:999999999999999999999999999999:0"),
		press("log KPI with a field too many", "1:lg:1:0:0"),
		press("plan step 99", "1:plan:e:99"),
		press("plan step 4 (no such button)", "1:plan:e:4"),
		press("settings unknown", "1:st:q"),
		press("language xx", "1:lang:xx"),
		press("setup unknown", "1:setup:zz"),
		press("review unknown", "1:rv:zz"),
		press("wizard screen not a number", "1:w:x:n"),
		press("undo without a batch", "1:un:"),
		press("history delete without an id", "1:hd::"),
		{name: "wizard button where no wizard is open", chat: w.ru, do: pressIn(w.ru, anna, logged.ID, wizData), toast: []string{"уже закрыта"}},
		{name: "undo pressed again", chat: w.ru, do: pressIn(w.ru, anna, logged.ID, undo), toast: []string{"уже удалены"}},
		{name: "undo on a message that does not exist", chat: w.ru, do: pressIn(w.ru, anna, 999999, undo), toast: []string{"уже удалены"}},
		{name: "wizard button on a message that does not exist", chat: w.wiz, do: pressIn(w.wiz, oleg, 999999, wizData), toast: stale},
		{name: "Anna's undo pressed in John's chat", chat: w.en, do: pressIn(w.en, john, ask.ID, undo), toast: []string{"already deleted"}, clears: ask.ID},
		{name: "Anna's history delete pressed in John's chat", chat: w.en, do: pressIn(w.en, john, ask.ID, del), toast: []string{"already deleted"}},
		{name: "Oleg's wizard button pressed in John's chat", chat: w.en, do: pressIn(w.en, john, ask.ID, wizData), toast: []string{"already closed"}},
		{name: "random bytes, English", chat: w.en, do: pressIn(w.en, john, ask.ID, string(randomBytes(40, 2))), toast: []string{"out of date"}},
	}
}

func (w *abuseWorld) foreignCommands() []abuse {
	g := w.group
	return []abuse{
		{name: "log for another bot in a group", chat: g, do: typeIn(g, oleg, "/log@OtherBot охват 5"), silent: true},
		{name: "setup for another bot in a group", chat: g, do: typeIn(g, anna, "/setup@OtherBot"), silent: true},
		{name: "unknown command in a group", chat: g, do: typeIn(g, oleg, "/frobnicate"), silent: true},
		{name: "log line without the command in a group", chat: g, do: typeIn(g, oleg, "охват 100"), silent: true},
		{name: "unknown command in private", chat: w.ru, do: typeIn(w.ru, anna, "/frobnicate"), reply: []string{"Такой команды я не знаю"}},
		{name: "unknown command in private, English", chat: w.en, do: typeIn(w.en, john, "/frobnicate@"+w.tg.BotUsername()), reply: []string{"don't know that command"}},
		{name: "command name of 33 letters", chat: w.ru, do: typeIn(w.ru, anna, "/"+strings.Repeat("a", 33)), reply: []string{"Я не понял сообщение"}},
	}
}

// groupScreens are the group's messages with buttons a member will tap:
// John's (an admin still) plan card, settings and language question, and
// Anna's entry, history and wizard.
type groupScreens struct {
	card, settings, lang, logged, history, wizard, prompt telegramtest.Message
	johnsWizard, johnsPrompt                              telegramtest.Message // in the team
}

func (w *abuseWorld) makeGroupScreens() groupScreens {
	var s groupScreens
	g := w.group
	jo := w.person(g, john)
	jo.say("/plan", "План KPI · версия 1")
	s.card = w.lastWith(g, "План KPI · версия 1")
	jo.say("/settings", "Часовой пояс")
	s.settings = w.lastWith(g, "Часовой пояс")
	jo.say("/lang", "На каком языке")
	s.lang = w.lastWith(g, "На каком языке")
	an := w.person(g, anna)
	an.say("/log охват 500", "✅ Охват")
	s.logged = w.lastWith(g, "✅ Охват")
	an.say("/history", "Последние записи")
	s.history = w.lastWith(g, "Последние записи")
	an.say("/setup", "Шаг 1 из 7")
	an.press("Рост продаж", "✓ Рост продаж")
	an.press("Дальше ▶", "измеримая цель")
	s.prompt = an.prompt()
	s.wizard = an.screen()
	jt := w.person(w.team, john)
	jt.say("/setup", "Step 1 of 7")
	jt.press("Grow sales", "✓ Grow sales")
	jt.press("Next ▶", "measurable business target")
	s.johnsPrompt = jt.prompt()
	s.johnsWizard = jt.screen()
	return s
}

// adminButton is a button only an admin may press, and its message.
type adminButton struct {
	label, data string
	msg         int
}

// adminButtons are every admin button: the ones on the screens, and the
// quarterly review's and the setup's, forged onto the plan card.
func adminButtons(t testing.TB, s groupScreens) []adminButton {
	var out []adminButton
	for _, m := range []telegramtest.Message{s.card, s.settings, s.lang} {
		for _, b := range m.Buttons() {
			out = append(out, adminButton{b.Text, b.CallbackData, m.ID})
		}
	}
	for _, d := range []string{"1:rv:k", "1:rv:r", "1:rv:a", "1:setup:go", "1:setup:take"} {
		out = append(out, adminButton{d, d, s.card.ID})
	}
	if want := 6 + 5 + 2 + 5; len(out) != want {
		t.Fatalf("%d admin buttons, want %d: %+v", len(out), want, out)
	}
	return out
}

func (w *abuseWorld) memberAsAdmin() []abuse {
	g := w.group
	w.screens = w.makeGroupScreens()
	s := w.screens
	only := []string{"только администраторы"}
	var cases []abuse
	for _, cmd := range []string{"/setup", "/settings", "/export", "/lang", "/lang en", "/import"} {
		cases = append(cases, abuse{name: "member sends " + cmd, chat: g, do: typeIn(g, oleg, cmd), reply: only})
	}
	for _, b := range adminButtons(w.t, s) {
		cases = append(cases, abuse{name: "member presses " + b.label, chat: g, do: pressIn(g, oleg, b.msg, b.data), toast: only})
	}
	return append(cases,
		abuse{name: "member imports a good file", chat: g, do: importIn(g, oleg, "ok.csv", goodCSV), reply: only},
		abuse{name: "member presses the owner's wizard button", chat: g,
			do: pressIn(g, oleg, s.wizard.ID, s.wizard.Buttons()[0].CallbackData), toast: []string{"Эти кнопки для Анна"}},
		abuse{name: "member answers the owner's wizard prompt", chat: g, do: replyIn(g, oleg, "+100500 %", s.prompt.ID), silent: true},
		abuse{name: "member undoes the owner's entry", chat: g,
			do: pressIn(g, oleg, s.logged.ID, callbackData(w.t, s.logged, "↩️ Отменить")), toast: []string{"чужие записи"}},
		abuse{name: "member deletes the owner's entry", chat: g,
			do: pressIn(g, oleg, s.history.ID, s.history.Buttons()[0].CallbackData), toast: []string{"чужие записи"}},
	)
}

func (w *abuseWorld) demotedAdmin() []abuse {
	g := w.group
	// John stops being an admin; the screens he got as one stay in the
	// chat with their buttons.
	w.tg.SetMemberStatus(g.ID, john.ID, telegramtest.StatusMember)
	only := []string{"только администраторы"}
	var cases []abuse
	for _, b := range adminButtons(w.t, w.screens) {
		cases = append(cases, abuse{name: "demoted admin presses " + b.label, chat: g, do: pressIn(g, john, b.msg, b.data), toast: only})
	}
	for _, cmd := range []string{"/setup", "/settings", "/lang en"} {
		cases = append(cases, abuse{name: "demoted admin sends " + cmd, chat: g, do: typeIn(g, john, cmd), reply: only})
	}
	// The wizard John started as an admin of the team.
	team := w.team
	w.tg.SetMemberStatus(team.ID, john.ID, telegramtest.StatusMember)
	s := w.screens
	for _, label := range []string{"Skip ▶", "◀ Back", "✖ Pause"} {
		cases = append(cases, abuse{name: "demoted owner presses the wizard's " + label, chat: team,
			do: pressIn(team, john, s.johnsWizard.ID, callbackData(w.t, s.johnsWizard, label)), toast: []string{"Only the group's admins"}})
	}
	return append(cases, abuse{name: "demoted owner answers the wizard", chat: team,
		do: replyIn(team, john, "+20% sales", s.johnsPrompt.ID), reply: []string{"Only the group's admins"}})
}

// goodCSV is a file /import takes into the seeded plan.
var goodCSV = []byte("date,metric,metric_name,value,unit,logged_by,logged_at\n2026-11-20,reach,Охват,5000,people,Анна,2026-11-20T09:00:00Z\n")

func (w *abuseWorld) malformedCSV() []abuse {
	g := w.group
	header := "date,metric,metric_name,value,unit,logged_by,logged_at\n"
	row := func(cells string) []byte { return []byte(header + cells + "\n") }
	line := "2026-11-20,reach,Охват,5000,people,Анна,2026-11-20T09:00:00Z\n"
	big := append([]byte(header), bytes.Repeat([]byte(line), 10<<20/len(line)+1)...)
	binary := randomBytes(4096, 3)
	imp := func(name, file string, data []byte, says ...string) abuse {
		return abuse{name: name, chat: g, do: importIn(g, anna, file, data), reply: says}
	}
	return []abuse{
		imp("binary file", "photo.csv", binary, "ничего не загрузил"),
		imp("wrong header", "x.csv", []byte("дата;показатель;значение\n20.11.2026;охват;5000\n"), "ничего не загрузил", "заголовк"),
		imp("10 MB file", "big.csv", big, "слишком большой"),
		imp("NaN value", "nan.csv", row("2026-11-20,reach,Охват,NaN,people,Анна,"), "ничего не загрузил", "неверное число"),
		imp("31 February", "feb.csv", row("31.02.2026,reach,Охват,5000,people,Анна,"), "ничего не загрузил", "неверная дата"),
		imp("formula as the value", "f.csv", row(`2026-11-20,reach,Охват,"=cmd|' /C calc'!A0",people,Анна,`), "ничего не загрузил", "неверное число"),
		imp("formula as the metric", "f2.csv", row(`2026-11-20,"=HYPERLINK(""http://x"")",Охват,5,people,Анна,`), "ничего не загрузил", "такого показателя нет"),
		imp("negative count", "neg.csv", row("2026-11-20,reach,Охват,-5,people,Анна,"), "ничего не загрузил", "вне допустимого"),
		imp("1e308", "e.csv", row("2026-11-20,reach,Охват,1e308,people,Анна,"), "ничего не загрузил", "вне допустимого"),
		imp("header only", "h.csv", []byte(header), "нет ни одной записи"),
		imp("a good row and a bad one", "mix.csv", append(bytes.Clone(goodCSV), "2026-11-21,reach,Охват,много,people,Анна,\n"...), "ничего не загрузил", "строка 3"),
		{name: "import without a file", chat: g, do: typeIn(g, anna, "/import"), reply: []string{"ответьте командой /import"}},
		{name: "binary file, English", chat: w.en, do: importIn(w.en, john, "x.csv", binary), reply: []string{"nothing was loaded"}},
	}
}

// A formula in a name column is no bad input: the row is loaded with the
// name as text, and /export writes it back quoted so that a spreadsheet
// shows it instead of running it.
func TestAbuseFormulaInImportedNameStaysText(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, p.chat)
	formulas := []string{`=cmd|' /C calc'!A0`, `@SUM(1+1)`, `+1+1`, `-2+3`}
	var file bytes.Buffer
	file.WriteString("date,metric,metric_name,value,unit,logged_by,logged_at\n")
	for i, f := range formulas {
		fmt.Fprintf(&file, "2026-11-2%d,reach,Охват,%d,people,\"%s\",\n", i, 100+i, strings.ReplaceAll(f, `"`, `""`))
	}
	doc := tg.SendUserDocument(p.chat, anna, "formulas.csv", "text/csv", file.Bytes(), "")
	seq := tg.Seq()
	tg.SendReply(p.chat, anna, "/import", doc.ID)
	p.waitFor(seq, "Загружено записей: 4")
	p.say("/export", "Выгрузка: 4 записи")
	var exported []byte
	for _, m := range tg.Messages(p.chat.ID) {
		if m.DocumentName == "kpi-entries.csv" {
			exported = m.Document
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(exported, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 1+len(formulas) {
		t.Fatalf("exported CSV (%v): %q", err, exported)
	}
	for _, row := range rows[1:] {
		if name := row[5]; !slices.Contains(formulas, strings.TrimPrefix(name, "'")) || !strings.HasPrefix(name, "'") {
			t.Errorf("logged_by exported as %q: want a formula behind an apostrophe", name)
		}
	}
}
