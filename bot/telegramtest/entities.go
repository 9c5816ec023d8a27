package telegramtest

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Limits Telegram counts in UTF-16 code units, after entity parsing.
const (
	maxTextUTF16    = 4096
	maxCaptionUTF16 = 1024
)

// utf16Len returns the length of s in UTF-16 code units, the unit Telegram
// counts lengths and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s { // invalid bytes come out as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// formatted is a text after Telegram's entity parsing.
type formatted struct {
	plain    string
	entities []models.MessageEntity
	tagged   bool // some markup was opened (empty text is then "text must be non-empty")
}

// formatText parses text in parseMode the way the Bot API does (its parsers
// are ports of TDLib's) and returns the text users see with its entities, or
// Telegram's "can't parse entities" error.
func formatText(text, parseMode string) (formatted, *apiError) {
	var (
		f   formatted
		err error
	)
	switch strings.ToLower(parseMode) {
	case "":
		f.plain = strings.TrimSpace(text)
	case "html":
		f, err = parseHTML(text)
	case "markdownv2":
		f, err = parseMarkdownV2(text)
	case "markdown":
		f, err = parseMarkdown(text)
	default:
		return f, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return f, badRequest("can't parse entities: " + err.Error())
	}
	return f, nil
}

// finish trims trailing whitespace as Telegram does and fits the entities
// to the trimmed text.
func finish(text string, ents []models.MessageEntity, tagged bool) formatted {
	text = strings.TrimRightFunc(text, unicode.IsSpace)
	n := utf16Len(text)
	out := ents[:0]
	for _, e := range ents {
		if e.Offset+e.Length > n {
			e.Length = n - e.Offset
		}
		if e.Length > 0 {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		text = strings.TrimSpace(text)
		out = nil
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Offset != out[j].Offset {
			return out[i].Offset < out[j].Offset
		}
		return out[i].Length > out[j].Length
	})
	return formatted{plain: text, entities: out, tagged: tagged}
}

// writer accumulates the plain text and its length in UTF-16 units.
type writer struct {
	b   strings.Builder
	u16 int
}

func (w *writer) str(s string) {
	w.b.WriteString(s)
	w.u16 += utf16Len(s)
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// byteIndexOfUTF16 returns the byte index in s of the UTF-16 offset u.
func byteIndexOfUTF16(s string, u int) int {
	n := 0
	for i, r := range s {
		if n >= u {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}
