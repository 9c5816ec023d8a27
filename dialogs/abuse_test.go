package dialogs

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// An owner who stops being an admin while the wizard is open can neither
// press its buttons nor answer its questions: rights are checked at every
// step, and the draft stays as it was.
func TestDemotedOwnerCannotGoOnWithTheWizard(t *testing.T) {
	c := newSim(t)
	c.in = group(owner, "")
	c.say("/setup")
	c.press("Рост продаж")
	c.press("Дальше ▶") // the measurable target: a text question with a prompt
	before := bytes.Clone(c.s.wizards[c.in.ChatID].state)
	delete(c.e.Admins.(admins), owner)

	if res := c.press("Пропустить ▶"); res.Notice != ru.AdminOnly || len(res.Replies) != 0 {
		t.Errorf("press after the demotion: %+v", res)
	}
	in := withText(c.in, "+20 % продаж")
	in.ReplyTo, in.MessageID = c.wizard().Prompt, 999
	if res := c.run(in); text(res) != ru.AdminOnly {
		t.Errorf("answer after the demotion: %q", text(res))
	}
	if after := c.s.wizards[c.in.ChatID].state; !bytes.Equal(after, before) {
		t.Errorf("the wizard changed:\n%s\n%s", before, after)
	}
}

func TestTypedTextChecks(t *testing.T) {
	for _, tc := range []struct {
		s                string
		control, visible bool
	}{
		{"+20 % продаж", false, true},
		{"строка\nвторая\tтаб", false, true},
		{"👨‍👩‍👧 семья", false, true}, // joiners inside an emoji are fine
		{"مرحبا", false, true},
		{"a\x00b", true, true},
		{"\x1b[31mred", true, true},
		{"\u202eжадорп", true, true},
		{"\u2066isolate\u2069", true, true},
		{"\u200b\u200d\u2060\ufeff", false, false},
		{" \u200b ", false, false},
	} {
		if got := hasControl(tc.s); got != tc.control {
			t.Errorf("hasControl(%q) = %v", tc.s, got)
		}
		if got := visible(tc.s) != ""; got != tc.visible {
			t.Errorf("visible(%q) = %q", tc.s, visible(tc.s))
		}
	}
}

// An answer quotes at most maxQuoted characters of what was typed, and no
// control characters, whatever was typed.
func TestQuotedFitsAMessage(t *testing.T) {
	for _, word := range []string{strings.Repeat("😀", 5000), strings.Repeat("щ", 5000), "12\x0050", "\u202e0521", "\x1b[2J"} {
		got := quoted(word)
		if n := utf8.RuneCountInString(got); n > maxQuoted || hasControl(got) {
			t.Errorf("quoted(%.20q) = %q (%d characters)", word, got, n)
		}
	}
	if got := quoted("охват"); got != "охват" {
		t.Errorf("quoted(охват) = %q", got)
	}
}
