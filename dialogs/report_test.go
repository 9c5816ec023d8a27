package dialogs

import (
	"strings"
	"testing"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/kpi/chart"
)

func TestCaptionLenCountsUTF16AfterHTML(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"<b>Неделя</b>", 6},
		{"a &amp; b", 5},
		{"🏆 ok", 5}, // the emoji is two UTF-16 units
	} {
		if got := captionLen(tc.s); got != tc.want {
			t.Errorf("captionLen(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

// The advice joins the caption when the whole fits in 1024 UTF-16 units,
// and follows as a message of its own when it does not.
func TestAdviceMovesOutOfALongCaption(t *testing.T) {
	x := t_(kpi.Russian)
	render := func(chart.Report) ([]byte, error) { return []byte("png"), nil }
	panels := [][]chart.Panel{{{Title: "a"}}}
	advice := []string{"• " + strings.Repeat("совет ", 30)}

	short := "<b>Неделя 48</b>\n🔴 Охват: 11 750"
	res, err := (&Engine{}).withImages(x, "t", "", short, advice, panels, render)
	if err != nil || len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "Что сделать:") {
		t.Errorf("short caption: %+v, %v", res.Replies, err)
	}

	long := "<b>Неделя 48</b>\n" + strings.Repeat("🔴 Охват: 11 750 — 59 % от цели, под угрозой\n", 20)
	res, err = (&Engine{}).withImages(x, "t", "", long, advice, panels, render)
	if err != nil || len(res.Replies) != 2 || strings.Contains(res.Replies[0].Text, "Что сделать:") ||
		!strings.HasPrefix(res.Replies[1].Text, "<b>Что сделать:</b>") {
		t.Fatalf("long caption: %+v, %v", res.Replies, err)
	}
	if n := captionLen(res.Replies[0].Text); n > maxCaption {
		t.Errorf("caption of %d UTF-16 units", n)
	}
}
