package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// tdlibEntityName is how TDLib names an entity type in error texts.
var tdlibEntityName = map[models.MessageEntityType]string{
	models.MessageEntityTypeBold:          "Bold",
	models.MessageEntityTypeItalic:        "Italic",
	models.MessageEntityTypeUnderline:     "Underline",
	models.MessageEntityTypeStrikethrough: "Strikethrough",
	models.MessageEntityTypeSpoiler:       "Spoiler",
	models.MessageEntityTypeCode:          "Code",
	models.MessageEntityTypePre:           "Pre",
	models.MessageEntityTypeTextLink:      "TextUrl",
	models.MessageEntityTypeCustomEmoji:   "CustomEmoji",
	models.MessageEntityTypeBlockquote:    "BlockQuote",
}

// parseMarkdownV2 ports TDLib's parse_markdown_v2: every character of
// _*[]()~`>#+-=|{}.! outside an entity must be escaped with a backslash.
func parseMarkdownV2(text string) (formatted, error) {
	type open struct {
		typ      models.MessageEntityType
		offset   int // UTF-16, in the result
		byteOff  int // in the source, for errors
		language string
	}
	reservedErr := func(c byte) error {
		return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}
	text = strings.TrimSpace(text)
	n := len(text)
	at := func(i int) byte {
		if i < n {
			return text[i]
		}
		return 0
	}
	var (
		w                  writer
		stack              []open
		ents               []models.MessageEntity
		tagged             bool
		haveBlockquote     bool
		canStartBlockquote = true
	)
	for i := 0; i < n; {
		c := text[i]
		if c == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
			i++
			w.str(text[i : i+1])
			if text[i] != '\r' {
				canStartBlockquote = text[i] == '\n'
			}
			i++
			continue
		}
		reserved := "_*[]()~`>#+-=|{}.!\n"
		if len(stack) > 0 {
			if t := stack[len(stack)-1].typ; t == models.MessageEntityTypeCode || t == models.MessageEntityTypePre {
				reserved = "`"
			}
		}
		if !strings.ContainsRune(reserved, rune(c)) || c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(text[i:])
			w.str(text[i : i+size])
			if c != '\r' {
				canStartBlockquote = false
			}
			i += size
			continue
		}
		isEnd := false
		if len(stack) > 0 {
			if haveBlockquote && c == '\n' && (i+1 == n || at(i+1) != '>') {
				isEnd = true
			} else {
				switch stack[len(stack)-1].typ {
				case models.MessageEntityTypeBold:
					isEnd = c == '*'
				case models.MessageEntityTypeItalic:
					isEnd = c == '_' && at(i+1) != '_'
				case models.MessageEntityTypeCode:
					isEnd = c == '`'
				case models.MessageEntityTypePre:
					isEnd = c == '`' && at(i+1) == '`' && at(i+2) == '`'
				case models.MessageEntityTypeTextLink, models.MessageEntityTypeCustomEmoji:
					isEnd = c == ']'
				case models.MessageEntityTypeUnderline:
					isEnd = c == '_' && at(i+1) == '_'
				case models.MessageEntityTypeStrikethrough:
					isEnd = c == '~'
				case models.MessageEntityTypeSpoiler:
					isEnd = c == '|' && at(i+1) == '|'
				}
			}
		}
		if !isEnd {
			var typ models.MessageEntityType
			begin := i
			lang := ""
			switch c {
			case '_':
				if at(i+1) == '_' {
					typ = models.MessageEntityTypeUnderline
					i++
				} else {
					typ = models.MessageEntityTypeItalic
				}
			case '*':
				typ = models.MessageEntityTypeBold
			case '~':
				typ = models.MessageEntityTypeStrikethrough
			case '|':
				if at(i+1) != '|' {
					return formatted{}, reservedErr(c)
				}
				i++
				typ = models.MessageEntityTypeSpoiler
			case '[':
				typ = models.MessageEntityTypeTextLink
			case '`':
				if at(i+1) == '`' && at(i+2) == '`' {
					i += 3
					typ = models.MessageEntityTypePre
					j := i
					for j < n && !isSpaceByte(text[j]) && text[j] != '`' {
						j++
					}
					if j > i && j < n && isSpaceByte(text[j]) {
						lang = text[i:j]
						i = j
					}
					if c := at(i); c != '\r' && c != '\n' {
						i-- // the loop's i++ below must not eat a character
					}
				} else {
					typ = models.MessageEntityTypeCode
				}
			case '!':
				if at(i+1) != '[' {
					return formatted{}, reservedErr(c)
				}
				i++
				typ = models.MessageEntityTypeCustomEmoji
			case '\n':
				w.str("\n")
				canStartBlockquote = true
			case '>':
				if !canStartBlockquote {
					return formatted{}, reservedErr(c)
				}
				if !haveBlockquote {
					typ = models.MessageEntityTypeBlockquote
					haveBlockquote = true
				}
			default:
				return formatted{}, reservedErr(c)
			}
			if typ != "" {
				stack = append(stack, open{typ: typ, offset: w.u16, byteOff: begin, language: lang})
				tagged = true
			}
			i++
			continue
		}

		top := stack[len(stack)-1]
		typ := top.typ
		if c == '\n' && typ != models.MessageEntityTypeBlockquote {
			// "**>...||" ends an expandable block quote with an empty spoiler.
			if typ != models.MessageEntityTypeSpoiler || top.offset != w.u16 {
				return formatted{}, fmt.Errorf("Can't find end of %s entity at byte offset %d", entityName(top.typ, top.language), top.byteOff)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 || stack[len(stack)-1].typ != models.MessageEntityTypeBlockquote {
				return formatted{}, fmt.Errorf("Can't find end of Spoiler entity at byte offset %d", top.byteOff)
			}
			top = stack[len(stack)-1]
			typ = models.MessageEntityTypeExpandableBlockquote
		}
		skip := w.u16 == top.offset
		e := models.MessageEntity{Type: typ, Offset: top.offset, Language: top.language}
		switch typ {
		case models.MessageEntityTypeUnderline, models.MessageEntityTypeSpoiler:
			i++
		case models.MessageEntityTypePre:
			i += 2
		case models.MessageEntityTypeTextLink:
			url := ""
			if at(i+1) != '(' {
				url = w.b.String()[byteIndexOfUTF16(w.b.String(), top.offset):]
			} else {
				i += 2
				urlBegin := i
				var ub strings.Builder
				for i < n && text[i] != ')' {
					if text[i] == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
						ub.WriteByte(text[i+1])
						i += 2
						continue
					}
					ub.WriteByte(text[i])
					i++
				}
				if at(i) != ')' {
					return formatted{}, fmt.Errorf("Can't find end of a URL at byte offset %d", urlBegin)
				}
				url = ub.String()
			}
			if url == "" {
				skip = true
			}
			e.URL = url
		case models.MessageEntityTypeCustomEmoji:
			if at(i+1) != '(' {
				return formatted{}, fmt.Errorf("Custom emoji entity must contain a tg://emoji URL")
			}
			i += 2
			urlBegin := i
			var ub strings.Builder
			for i < n && text[i] != ')' {
				ub.WriteByte(text[i])
				i++
			}
			if at(i) != ')' {
				return formatted{}, fmt.Errorf("Can't find end of a custom emoji URL at byte offset %d", urlBegin)
			}
			id, ok := strings.CutPrefix(ub.String(), "tg://emoji?id=")
			if _, err := strconv.ParseInt(id, 10, 64); !ok || err != nil {
				return formatted{}, fmt.Errorf("Invalid custom emoji identifier specified")
			}
			e.CustomEmojiID = id
		case models.MessageEntityTypeBlockquote, models.MessageEntityTypeExpandableBlockquote:
			haveBlockquote = false
			w.str("\n")
			canStartBlockquote = true
			e.Length = w.u16 - e.Offset
			ents = append(ents, e)
			stack = stack[:len(stack)-1]
			i++
			continue
		}
		if !skip {
			e.Length = w.u16 - e.Offset
			ents = append(ents, e)
		}
		stack = stack[:len(stack)-1]
		i++
	}
	if haveBlockquote && len(stack) > 0 {
		typ := models.MessageEntityTypeBlockquote
		if top := stack[len(stack)-1]; top.typ == models.MessageEntityTypeSpoiler && top.offset == w.u16 {
			stack = stack[:len(stack)-1]
			typ = models.MessageEntityTypeExpandableBlockquote
		}
		if len(stack) > 0 && stack[len(stack)-1].typ == models.MessageEntityTypeBlockquote {
			top := stack[len(stack)-1]
			if w.u16 > top.offset {
				ents = append(ents, models.MessageEntity{Type: typ, Offset: top.offset, Length: w.u16 - top.offset})
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return formatted{}, fmt.Errorf("Can't find end of %s entity at byte offset %d", entityName(top.typ, top.language), top.byteOff)
	}
	return finish(w.b.String(), ents, tagged), nil
}

// entityName names an open entity for an error text; a pre with a language
// is TDLib's PreCode.
func entityName(typ models.MessageEntityType, language string) string {
	if typ == models.MessageEntityTypePre && language != "" {
		return "PreCode"
	}
	if name, ok := tdlibEntityName[typ]; ok {
		return name
	}
	return string(typ)
}

// parseMarkdown ports TDLib's parser of the legacy Markdown mode: *bold*,
// _italic_, `code`, ```pre``` and [text](url), no nesting.
func parseMarkdown(text string) (formatted, error) {
	text = strings.TrimSpace(text)
	n := len(text)
	var (
		w      writer
		ents   []models.MessageEntity
		tagged bool
	)
	for i := 0; i < n; {
		c := text[i]
		if c == '\\' && i+1 < n && strings.IndexByte("_*`[", text[i+1]) >= 0 {
			w.str(text[i+1 : i+2])
			i += 2
			continue
		}
		if strings.IndexByte("_*`[", c) < 0 {
			_, size := utf8.DecodeRuneInString(text[i:])
			w.str(text[i : i+size])
			i += size
			continue
		}
		begin := i
		end := c
		if c == '[' {
			end = ']'
		}
		i++
		isPre := false
		lang := ""
		if c == '`' && strings.HasPrefix(text[i:], "``") {
			i += 2
			isPre = true
			j := i
			for j < n && (isAlnum(text[j]) || text[j] == '-') {
				j++
			}
			if j > i && j < n && isSpaceByte(text[j]) {
				lang = text[i:j]
				i = j
			}
			if i < n && (text[i] == '\n' || text[i] == '\r') {
				i++
			}
		}
		tagged = true
		start := w.u16
		for i < n && !(text[i] == end && (!isPre || strings.HasPrefix(text[i:], "```"))) {
			_, size := utf8.DecodeRuneInString(text[i:])
			w.str(text[i : i+size])
			i += size
		}
		if i >= n {
			return formatted{}, fmt.Errorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		if w.u16 != start {
			e := models.MessageEntity{Offset: start, Length: w.u16 - start}
			switch c {
			case '_':
				e.Type = models.MessageEntityTypeItalic
			case '*':
				e.Type = models.MessageEntityTypeBold
			case '[':
				url := ""
				if i+1 < n && text[i+1] == '(' {
					i += 2
					urlBegin := i
					for i < n && text[i] != ')' {
						i++
					}
					url = text[urlBegin:i]
				}
				if url == "" {
					break
				}
				e.Type, e.URL = models.MessageEntityTypeTextLink, url
			case '`':
				e.Type = models.MessageEntityTypeCode
				if isPre {
					e.Type, e.Language = models.MessageEntityTypePre, lang
				}
			}
			if e.Type != "" {
				ents = append(ents, e)
			}
		}
		if isPre {
			i += 2
		}
		i++
	}
	return finish(w.b.String(), ents, tagged), nil
}
