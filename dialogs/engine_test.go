package dialogs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kpibot/kpibot/kpi"
)

const owner, member = 100, 200

func private(text string) Input {
	in := Input{ChatID: owner, ChatType: kpi.ChatPrivate, UserID: owner, UserName: "Анна", LangCode: "ru", MessageID: 1}
	return withText(in, text)
}

func group(user int64, text string) Input {
	in := Input{ChatID: -100500, ChatType: kpi.ChatSupergroup, ChatTitle: "Пекарня", UserID: user, UserName: "Олег", MessageID: 7}
	return withText(in, text)
}

func withText(in Input, text string) Input {
	if cmd, ok := strings.CutPrefix(text, "/"); ok {
		in.Command, in.Args, _ = strings.Cut(cmd, " ")
	} else {
		in.Text = text
	}
	return in
}

func mustHandle(t *testing.T, e *Engine, in Input) Result {
	t.Helper()
	res, err := e.Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle(%+v): %v", in, err)
	}
	return res
}

func text(r Result) string {
	var parts []string
	for _, rep := range r.Replies {
		parts = append(parts, rep.Text)
	}
	return strings.Join(parts, "\n---\n")
}

func TestEveryTextInBothLanguages(t *testing.T) {
	for _, l := range kpi.Langs {
		checkFilled(t, string(l), reflect.ValueOf(*t_(l)))
		x := t_(l).W
		for _, g := range kpi.Goals {
			need(t, l, "Goals", x.Goals[kpi.Goal(g)])
		}
		for _, k := range kpi.Platforms {
			need(t, l, "Platforms", x.Platforms[k])
		}
		for _, k := range kpi.DayParts {
			need(t, l, "DayParts", x.DayParts[k])
		}
		for _, k := range kpi.Sources {
			need(t, l, "Sources", x.Sources[k])
		}
		for _, k := range kpi.Frequencies {
			need(t, l, "Freqs", x.Freqs[k])
		}
		for _, k := range kpi.Reviews {
			need(t, l, "Reviews", x.Reviews[k])
		}
		for _, u := range customUnits {
			need(t, l, "Units", x.Units[u])
		}
		for _, d := range weekOrder {
			need(t, l, "Weekdays", x.Weekdays[d])
		}
		for step := 1; step <= 7; step++ {
			need(t, l, "StepNames", x.StepNames[step])
			need(t, l, "StepWhy", x.StepWhy[step])
		}
		for _, z := range zoneChoices {
			need(t, l, "zoneNames", zoneNames[l][z])
		}
		for _, m := range kpi.Catalog {
			need(t, l, "metric "+m.Key, m.Title(l))
		}
	}
	if ru.Oops == en.Oops || ru.LangAsk == en.LangAsk || ru.W.GoalAsk == en.W.GoalAsk {
		t.Error("the two catalogues share texts: one was not translated")
	}
}

func need(t *testing.T, l kpi.Lang, what, s string) {
	t.Helper()
	if s == "" {
		t.Errorf("%s: a %s text is missing", l, what)
	}
}

// checkFilled fails for every empty string field, however deep.
func checkFilled(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			t.Errorf("%s is empty", path)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			checkFilled(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			checkFilled(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 {
			t.Errorf("%s is empty", path)
		}
		for _, k := range v.MapKeys() {
			checkFilled(t, fmt.Sprintf("%s[%v]", path, k), v.MapIndex(k))
		}
	}
}

func t_(l kpi.Lang) *texts { return t(l) }

func TestMenuIsValidForTelegram(t *testing.T) {
	for _, l := range kpi.Langs {
		menu := Menu(l)
		if len(menu) < 4 {
			t.Fatalf("%s menu: %v", l, menu)
		}
		for _, m := range menu {
			if len(m.Command) > 32 || strings.ToLower(m.Command) != m.Command || m.Description == "" || len([]rune(m.Description)) > 256 {
				t.Errorf("%s: bad menu item %+v", l, m)
			}
		}
	}
}

func TestStartRecordsWorkspaceInUsersLanguage(t *testing.T) {
	for _, tc := range []struct {
		code string
		want kpi.Lang
		says string
	}{
		{"ru", kpi.Russian, "Здравствуйте, Анна"},
		{"en-GB", kpi.English, "Hello, Анна"},
		{"", kpi.Russian, "Здравствуйте"},
		{"de", kpi.Russian, "Здравствуйте"},
	} {
		s := newMemStore()
		in := private("/start")
		in.LangCode = tc.code
		res := mustHandle(t, newEngine(s, nil), in)
		if !strings.Contains(text(res), tc.says) {
			t.Errorf("lang %q: reply %q, want %q", tc.code, text(res), tc.says)
		}
		w := s.workspaces[owner]
		if w.Lang != tc.want || w.Type != kpi.ChatPrivate || w.Timezone != "Europe/Moscow" || !w.Active {
			t.Errorf("lang %q: workspace %+v", tc.code, w)
		}
	}
}

func TestStartInGroupGreetsTheTeam(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, admins{})
	res := mustHandle(t, e, group(member, "/start"))
	if !strings.Contains(text(res), "«Пекарня»") || res.Replies[0].ReplyTo != 7 {
		t.Errorf("group welcome: %+v", res)
	}
	if w := s.workspaces[-100500]; w.Title != "Пекарня" || w.Type != kpi.ChatSupergroup {
		t.Errorf("workspace %+v", w)
	}
	// The second /start does not record anything again.
	writes := s.writes
	res = mustHandle(t, e, group(member, "/start"))
	if s.writes != writes || !strings.Contains(text(res), "С возвращением") {
		t.Errorf("second start: writes %d→%d, reply %q", writes, s.writes, text(res))
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	e := newEngine(newMemStore(), nil)
	for _, l := range []string{"ru", "en"} {
		in := private("/help")
		in.LangCode = l
		got := text(mustHandle(t, e, in))
		for _, m := range Menu(kpi.Lang(l)) {
			if !strings.Contains(got, "/"+m.Command+" — "+m.Description) {
				t.Errorf("%s help lacks /%s: %q", l, m.Command, got)
			}
		}
	}
}

func TestLangByButton(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	mustHandle(t, e, private("/start"))
	res := mustHandle(t, e, private("/lang"))
	if len(res.Replies) != 1 || len(res.Replies[0].Buttons) != 1 {
		t.Fatalf("/lang: %+v", res)
	}
	row := res.Replies[0].Buttons[0]
	if row[0].Text != "✓ Русский" || row[1].Text != "English" {
		t.Errorf("buttons %+v: the current language should be ticked", row)
	}
	press := private("")
	press.Text, press.Callback, press.MessageID = "", row[1].Data, 55
	res = mustHandle(t, e, press)
	if s.workspaces[owner].Lang != kpi.English {
		t.Fatalf("language not saved: %+v", s.workspaces[owner])
	}
	if res.Notice != en.LangSet || res.Replies[0].Edit != 55 || res.Replies[0].Buttons != nil {
		t.Errorf("press result %+v: want the button message edited, buttons gone", res)
	}
	// From now on the bot answers in English whatever the user's app says.
	if got := text(mustHandle(t, e, private("/cancel"))); got != en.CancelNothing {
		t.Errorf("after switch: %q", got)
	}
}

func TestLangTyped(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	if got := text(mustHandle(t, e, private("/lang en"))); got != en.LangSet {
		t.Errorf("/lang en: %q", got)
	}
	if got := text(mustHandle(t, e, private("/lang EN"))); got != en.LangSame {
		t.Errorf("/lang EN again: %q", got)
	}
	res := mustHandle(t, e, private("/lang klingon"))
	if len(res.Replies) != 1 || len(res.Replies[0].Buttons) != 1 || s.workspaces[owner].Lang != kpi.English {
		t.Errorf("/lang klingon should offer the buttons and change nothing: %+v", res)
	}
}

func TestNonAdminCannotChangeGroupLanguage(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, admins{owner: true})
	mustHandle(t, e, group(owner, "/start"))
	writes := s.writes

	if got := text(mustHandle(t, e, group(member, "/lang en"))); got != ru.AdminOnly {
		t.Errorf("member /lang en: %q", got)
	}
	press := group(member, "")
	press.Text, press.Callback = "", data("lang", "en")
	if res := mustHandle(t, e, press); res.Notice != ru.AdminOnly || len(res.Replies) != 0 {
		t.Errorf("member pressing an old button: %+v", res)
	}
	if s.writes != writes || s.workspaces[-100500].Lang != kpi.Russian {
		t.Errorf("a member changed the workspace: %+v", s.workspaces[-100500])
	}
	// An anonymous admin writes as the group and may.
	anon := group(1087968824, "/lang en")
	anon.AsChat = true
	if got := text(mustHandle(t, e, anon)); got != en.LangSet {
		t.Errorf("anonymous admin: %q", got)
	}
}

func TestStaleAndForgedButtonsChangeNothing(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	mustHandle(t, e, private("/start"))
	writes := s.writes
	for _, d := range []string{"0:lang:en", "1:lang:de", "1:lang", "1:nope:x", "garbage", "1:lang:en:extra",
		"1:" + strings.Repeat("я", 40), "-"} {
		in := private("")
		in.Text, in.Callback = "", d
		res := mustHandle(t, e, in)
		if res.Notice != ru.StaleButton || len(res.Replies) != 0 {
			t.Errorf("data %q: %+v", d, res)
		}
	}
	if s.writes != writes {
		t.Errorf("stale buttons wrote %d times", s.writes-writes)
	}
}

func TestStorageDownSaysTemporarilyUnavailable(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	// A chat seen while storage was up: its language is known.
	known := private("/lang en")
	mustHandle(t, e, known)
	mustHandle(t, e, private("/start"))
	s.Err = fmt.Errorf("redis: dial: %w", kpi.ErrUnavailable)

	res, err := e.Handle(context.Background(), private("/start"))
	if !errors.Is(err, kpi.ErrUnavailable) {
		t.Errorf("err = %v", err)
	}
	if got := text(res); got != en.Unavailable {
		t.Errorf("known chat in English: %q", got)
	}
	// A chat never seen: both languages, whatever the user's language_code.
	for _, l := range []string{"ru", "en", ""} {
		in := private("/start")
		in.ChatID, in.UserID, in.LangCode = 777, 777, l
		res, _ := e.Handle(context.Background(), in)
		if got := text(res); !strings.Contains(got, ru.Unavailable) || !strings.Contains(got, en.Unavailable) {
			t.Errorf("unknown chat, language_code %q: %q", l, got)
		}
	}
	press := private("")
	press.Text, press.Callback = "", data("lang", "ru")
	if res, _ := e.Handle(context.Background(), press); res.Notice != en.Unavailable {
		t.Errorf("button press with storage down: %+v", res)
	}
	if n := len([]rune(ru.Unavailable + "\n\n" + en.Unavailable)); n > 200 {
		t.Errorf("the two-language notice has %d characters, a toast shows 200", n)
	}
}

func TestCancel(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	if got := text(mustHandle(t, e, private("/cancel"))); got != ru.CancelNothing {
		t.Errorf("nothing open: %q", got)
	}
	s.dialogs[[2]int64{owner, owner}] = []byte("{}")
	if got := text(mustHandle(t, e, private("/cancel"))); got != ru.CancelDone {
		t.Errorf("open dialog: %q", got)
	}
	if _, ok := s.dialogs[[2]int64{owner, owner}]; ok {
		t.Error("dialog still open")
	}
}

func TestUnknownInput(t *testing.T) {
	e := newEngine(newMemStore(), nil)
	if got := text(mustHandle(t, e, private("/frobnicate"))); got != ru.UnknownCommand {
		t.Errorf("private unknown command: %q", got)
	}
	if got := text(mustHandle(t, e, private("привет"))); got != ru.NotUnderstood {
		t.Errorf("private text: %q", got)
	}
	if res := mustHandle(t, e, group(member, "/frobnicate")); len(res.Replies) != 0 {
		t.Errorf("group: another bot's command answered: %+v", res)
	}
	if res := mustHandle(t, e, group(member, "всем привет")); len(res.Replies) != 0 {
		t.Errorf("group chatter answered: %+v", res)
	}
}

func TestBotAddedAndRemoved(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	in := Input{ChatID: -42, ChatType: kpi.ChatGroup, ChatTitle: "Team", UserID: owner, LangCode: "en", Event: EventBotAdded}
	res := mustHandle(t, e, in)
	if w := s.workspaces[-42]; !w.Active || w.Lang != kpi.English {
		t.Fatalf("after add: %+v", w)
	}
	if !strings.Contains(text(res), "“Team”") {
		t.Errorf("greeting: %q", text(res))
	}
	in.Event = EventBotRemoved
	if res := mustHandle(t, e, in); len(res.Replies) != 0 {
		t.Errorf("removed: says %+v to a chat it left", res)
	}
	if w := s.workspaces[-42]; w.Active || w.Lang != kpi.English {
		t.Errorf("after removal the workspace should be kept, inactive: %+v", w)
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	e := newEngine(newMemStore(), nil)
	in := private("/start")
	in.UserName = "<b>Eve</b>"
	if got := text(mustHandle(t, e, in)); strings.Contains(got, "<b>Eve") || !strings.Contains(got, "&lt;b&gt;Eve") {
		t.Errorf("name not escaped: %q", got)
	}
}

func TestSecondDeliveryIsSkipped(t *testing.T) {
	s := newMemStore()
	e := newEngine(s, nil)
	in := private("/help")
	in.UpdateID = 42
	if res := mustHandle(t, e, in); len(res.Replies) != 1 {
		t.Fatalf("first delivery: %+v", res)
	}
	if res := mustHandle(t, e, in); len(res.Replies) != 0 || res.Notice != "" {
		t.Errorf("second delivery answered: %+v", res)
	}
}

// Every advice template fills without fmt complaints, in both languages.
func TestAdviceTemplatesFill(t *testing.T) {
	args := []any{17, "11 750", "14 200", "Охват", "вечером", "2 недели", 7}
	for _, l := range kpi.Langs {
		x := t_(l)
		for _, rule := range []string{kpi.RuleEngagementBehind, kpi.RuleReachBehind, kpi.RuleConversionBehind, kpi.RuleGrowthBehind,
			kpi.RuleNoData, kpi.RuleTargetMet, kpi.RuleTooManyKPIs, kpi.RuleOffGoal, kpi.RuleNoRhythm} {
			for _, tmpl := range []string{x.R.Problem[rule], x.R.Action[rule], x.R.Forecast} {
				if tmpl == "" {
					t.Errorf("%s %s: no text", l, rule)
				}
				if got := fill(tmpl, args); strings.Contains(got, "%!") {
					t.Errorf("%s %s: %q", l, rule, got)
				}
			}
		}
	}
}
