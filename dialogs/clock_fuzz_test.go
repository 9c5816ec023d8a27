package dialogs

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// clockModel is what parseClock reads: the forms its doc names ("9",
// "9:30", "09.30", "18:00"), digits only ("+9" and "9:+5" are refused).
var clockModel = regexp.MustCompile(`^[0-9]{1,2}(?:[:.][0-9]{2})?$`)

// FuzzParseClock checks that a report time typed in the wizard is a time of
// day (0:00 to 23:59) in one of the forms above, and that it reads back
// as the bot writes it ("09:05").
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"9", "9:30", "09.30", "18:00", "24:00", "23:59", "7:5", " 10:00 ", "10:00:00",
		"+9", "-0", "9:+5", "１０:００", "10 00", "10,30", "10-30", "", "🚀", "9ч", "девять"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, ok := parseClock(s)
		if !ok {
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("parseClock(%q) = %d:%d", s, h, m)
		}
		if !clockModel.MatchString(strings.TrimSpace(s)) {
			t.Fatalf("parseClock(%q) = %d:%02d: not a form it should read", s, h, m)
		}
		if h2, m2, ok := parseClock(fmt.Sprintf("%02d:%02d", h, m)); !ok || h2 != h || m2 != m {
			t.Fatalf("parseClock(%q) = %d:%02d, which does not read back", s, h, m)
		}
	})
}
