package dialogs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kpibot/kpibot/kpi"
)

// anonAdmin is the user id Telegram gives an anonymous group admin.
const anonAdmin = 1087968824

// fuzzNow is the clock of the callback fuzz target.
var fuzzNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// fuzzChat carries out Results the way package bot does, without a
// testing.T: sends get new ids, edits replace messages, Sent is called.
type fuzzChat struct {
	e    *Engine
	in   Input
	msgs map[int]Reply
	next int
	data []string // every button's data, in the order they appeared
}

func (c *fuzzChat) run(in Input) error {
	res, err := c.e.Handle(context.Background(), in)
	if err != nil {
		return fmt.Errorf("Handle(%+v): %w", in, err)
	}
	ids := make([]int, len(res.Replies))
	for i, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				c.data = append(c.data, b.Data)
			}
		}
		if r.Edit != 0 {
			if r.KeepText {
				old := c.msgs[r.Edit]
				old.Buttons = r.Buttons
				r = old
			}
			c.msgs[r.Edit], ids[i] = r, r.Edit
			continue
		}
		c.next++
		c.msgs[c.next], ids[i] = r, c.next
	}
	if res.Sent != nil {
		return res.Sent(context.Background(), ids)
	}
	return nil
}

// say sends a text or a command, as a reply to the newest ForceReply
// prompt in a group.
func (c *fuzzChat) say(text string) error {
	in := withText(c.in, text)
	c.next++
	in.MessageID = c.next
	for id := c.next; id > 0 && in.ChatType.IsGroup(); id-- {
		if c.msgs[id].ForceReply {
			in.ReplyTo = id
			break
		}
	}
	return c.run(in)
}

// press taps a button of the newest message that has any, chosen by r:
// often one that moves the wizard on (Next, Skip, Keep, Take, Save), seldom
// Back or Pause. It returns false when no message has buttons.
func (c *fuzzChat) press(r *rand.Rand) (bool, error) {
	for id := c.next; id > 0; id-- {
		var bs, other, onward []Button
		for _, row := range c.msgs[id].Buttons {
			bs = append(bs, row...)
			for _, b := range row {
				op := strings.Split(b.Data, ":")
				switch {
				case len(op) >= 4 && slices.Contains([]string{"n", "s", "k", "sg", "ok"}, op[3]):
					onward = append(onward, b)
				case len(op) < 4 || op[3] != "b" && op[3] != "x":
					other = append(other, b)
				}
			}
		}
		switch n := r.IntN(10); {
		case len(bs) == 0:
			continue
		case n < 5 && len(onward) > 0:
			bs = onward
		case n < 9 && len(other) > 0:
			bs = other
		}
		in := c.in
		in.Callback, in.MessageID = bs[r.IntN(len(bs))].Data, id
		return true, c.run(in)
	}
	return false, nil
}

// callbackWorld is the state the callback fuzz target starts each input
// from: a private chat and a group with plans and entries, and the wizard
// states seen while exploring them.
type callbackWorld struct {
	store   *memStore
	wizards map[int64][]memWizard // by chat
	data    []string              // the data of every button seen
}

// exploreCallbacks gives a private chat and a group a plan, then presses
// buttons at random (with a fixed seed), types answers where the wizard
// asks for them and sends every command, recording the wizard states and
// button data it meets.
func exploreCallbacks() (*callbackWorld, error) {
	s := newMemStore()
	e := newEngine(s, admins{owner: true})
	e.Now = func() time.Time { return fuzzNow }
	r := rand.New(rand.NewPCG(1, 2))
	wld := &callbackWorld{store: s, wizards: map[int64][]memWizard{}}
	answers := []string{"40", "100", "1 000", "31.12.2026", "09:00", "Выручка", "Europe/Moscow", "UTC+3", "4,2", "0", "-5", "да"}
	commands := []string{"/setup", "/plan", "/settings", "/log", "/history", "/lang", "/report", "/undo",
		"/log охват 5000 ответ 30", "/history охват", "/start", "/cancel"}
	grp := group(owner, "")
	grp.Text = ""
	for _, in := range []Input{private(""), grp} {
		end := kpi.Date{Year: 2026, Month: 12, Day: 31}
		s.workspaces[in.ChatID] = kpi.Workspace{ChatID: in.ChatID, Type: in.ChatType, Lang: kpi.Russian,
			Timezone: "Europe/Moscow", Active: true, Created: fuzzNow, Settings: kpi.DefaultSettings}
		s.plans[in.ChatID] = []kpi.Plan{{Version: 1, Goals: []kpi.Goal{kpi.GoalAwareness, kpi.GoalService}, AlertPct: 20,
			Start: kpi.Date{Year: 2026, Month: 11, Day: 2},
			KPIs: []kpi.KPI{
				{Metric: "reach", Baseline: 10000, Target: 20000, Deadline: end},
				{Metric: "response_time", Baseline: 60, Target: 20, Deadline: end},
			}}}
		c := &fuzzChat{e: e, in: in, msgs: map[int]Reply{}}
		for _, cmd := range commands[8:] {
			if err := c.say(cmd); err != nil {
				return nil, err
			}
		}
		if res, err := e.QuarterlyReport(context.Background(), s.workspaces[in.ChatID], s.plans[in.ChatID][0], kpi.DateOf(fuzzNow)); err == nil {
			for _, r := range res.Replies {
				for _, row := range r.Buttons {
					for _, b := range row {
						c.data = append(c.data, b.Data)
					}
				}
			}
		}
		var seen [][]byte
		for step := range 800 {
			var err error
			pressed := false
			switch {
			case step%40 == 0:
				err = c.say(commands[step/40%len(commands)])
			case r.IntN(4) > 0:
				pressed, err = c.press(r)
			}
			if err == nil && !pressed && step%40 != 0 {
				err = c.say(answers[r.IntN(len(answers))])
			}
			if err != nil {
				return nil, err
			}
			if w, ok := s.wizards[in.ChatID]; ok && !slices.ContainsFunc(seen, func(b []byte) bool { return bytes.Equal(b, w.state) }) {
				seen = append(seen, w.state)
				wld.wizards[in.ChatID] = append(wld.wizards[in.ChatID], w)
			}
		}
		wld.data = append(wld.data, c.data...)
	}
	delete(s.wizards, owner)
	delete(s.wizards, grp.ChatID)
	slices.Sort(wld.data)
	wld.data = slices.Compact(wld.data)
	return wld, nil
}

// clone returns a copy of s that shares nothing with it.
func (s *memStore) clone() (*memStore, error) {
	c := newMemStore()
	maps.Copy(c.workspaces, s.workspaces)
	maps.Copy(c.alerts, s.alerts)
	for k, v := range s.dialogs {
		c.dialogs[k] = bytes.Clone(v)
	}
	for k, v := range s.wizards {
		c.wizards[k] = memWizard{rev: v.rev, state: bytes.Clone(v.state)}
	}
	for k, v := range s.groups {
		c.groups[k] = slices.Clone(v)
	}
	for k, v := range s.entries {
		c.entries[k] = slices.Clone(v)
	}
	b, err := json.Marshal(s.plans)
	if err == nil {
		err = json.Unmarshal(b, &c.plans)
	}
	return c, err
}

// checkButtons fails t unless every button is one the bot can decode:
// data of at most 64 bytes, "1:<known verb>...", and a label.
func checkButtons(t *testing.T, what string, rows [][]Button) {
	t.Helper()
	for _, row := range rows {
		for _, b := range row {
			parts := strings.Split(b.Data, ":")
			if len(b.Data) > maxData || !utf8.ValidString(b.Data) || len(parts) < 2 || parts[0] != dataVersion {
				t.Fatalf("%s: button %q has data %q", what, b.Text, b.Data)
			}
			if _, ok := presses[parts[1]]; !ok {
				t.Fatalf("%s: button %q has data %q of an unknown verb", what, b.Text, b.Data)
			}
			if strings.TrimSpace(b.Text) == "" {
				t.Fatalf("%s: a button with data %q has no label", what, b.Data)
			}
		}
	}
}

// FuzzCallbackData presses a button with any data, in a private chat or a
// group, as the owner, a member or an anonymous admin, with or without an
// open wizard (any of the states met while exploring). It checks that
// data that does not decode ("1:<known verb>[:arg...]", at most 64 bytes)
// gets the stale-button notice and changes nothing; that data that decodes
// encodes back to itself; that any press answered with the stale-button
// notice, or a member's press of an admin button, changes nothing; that
// nothing fails with working storage; and that every button in the answer
// decodes.
func FuzzCallbackData(f *testing.F) {
	wld, err := exploreCallbacks()
	if err != nil {
		f.Fatal(err)
	}
	if len(wld.wizards[owner]) == 0 || len(wld.wizards[-100500]) == 0 || len(wld.data) < 20 {
		f.Fatalf("exploring met %d and %d wizard states and %d buttons: too few", len(wld.wizards[owner]), len(wld.wizards[-100500]), len(wld.data))
	}
	for i, d := range wld.data {
		f.Add(d, i%2 == 1, uint8(i%3), uint8(i))
	}
	for i, d := range []string{"", "-", "1", "1:", ":", "1::", "0:lang:en", "2:lang:en", "1:lang:de", "1:lang", "1:nope:x",
		"garbage", "1:lang:en:extra", "1:" + strings.Repeat("я", 40), "1:w", "1:w:x:c:sales", "1:w:-1:b", "1:w:99999999999999999999:b",
		"1:lg:1:-1", "1:lg:1:99", "1:lg:0:0", "1:plan:e:-7", "1:plan:e:4", "1:st:z:z", "1:rv:q", "1:hd::", "1:hd:m0:" + strings.Repeat("x", 50),
		"1:un:", "1:un:%", "1:setup:take", "1:setup:go", "1:lm", "1:w:1:c:\xff", "1:🚀:🚀", "1:lang:\u202een"} {
		f.Add(d, i%2 == 0, uint8(i%3), uint8(i*7))
	}
	f.Fuzz(func(t *testing.T, d string, inGroup bool, who, wiz uint8) {
		s, err := wld.store.clone()
		if err != nil {
			t.Fatal(err)
		}
		e := newEngine(s, admins{owner: true, anonAdmin: true})
		e.Now = func() time.Time { return fuzzNow }
		in := private("")
		if inGroup {
			in = group(owner, "")
			switch who % 3 {
			case 1:
				in.UserID, in.UserName = member, "Олег"
			case 2:
				in.UserID, in.UserName, in.AsChat = anonAdmin, "Пекарня", true
			}
		}
		in.Text, in.Callback = "", d
		if states := wld.wizards[in.ChatID]; int(wiz)%(len(states)+1) > 0 {
			w := states[int(wiz)%(len(states)+1)-1]
			s.wizards[in.ChatID] = memWizard{rev: w.rev, state: bytes.Clone(w.state)}
			var st wizard
			if err := json.Unmarshal(w.state, &st); err != nil {
				t.Fatal(err)
			}
			in.MessageID = st.Message
		}
		if in.Callback == "" {
			in.Callback = "-" // as package bot passes an empty payload
		}

		res, err := e.Handle(context.Background(), in)
		if err != nil {
			t.Fatalf("press %q: %v", d, err)
		}
		stale := res.Notice == ru.StaleButton || res.Notice == en.StaleButton
		adminOnly := res.Notice == ru.AdminOnly || res.Notice == en.AdminOnly
		parts := strings.Split(in.Callback, ":")
		p, known := presses[""], false
		if len(in.Callback) <= maxData && len(parts) >= 2 && parts[0] == dataVersion {
			p, known = presses[parts[1]]
		}
		switch {
		case !known && (!stale || len(res.Replies) != 0 || res.Sent != nil):
			t.Fatalf("forged data %q: %+v; want only the stale-button notice", d, res)
		case known && data(parts[1], parts[2:]...) != in.Callback:
			t.Fatalf("data %q encodes back as %q", d, data(parts[1], parts[2:]...))
		case known && p.admin && inGroup && who%3 == 1 && !adminOnly:
			t.Fatalf("a member pressed %q: %+v; want the admins-only notice", d, res)
		case (stale || adminOnly) && s.writes != 0:
			t.Fatalf("press %q answered %q but wrote %d times", d, res.Notice, s.writes)
		}
		for i, r := range res.Replies {
			checkButtons(t, fmt.Sprintf("press %q, reply %d", d, i), r.Buttons)
		}
		if res.Sent != nil {
			ids := make([]int, len(res.Replies))
			for i := range ids {
				ids[i] = 1000 + i
			}
			if err := res.Sent(context.Background(), ids); err != nil {
				t.Fatalf("press %q: Sent: %v", d, err)
			}
		}
	})
}
