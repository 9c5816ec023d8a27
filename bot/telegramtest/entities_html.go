package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// decodeHTMLEntity decodes the entity at text[i] == '&' as TDLib does
// (&lt; &gt; &amp; &quot; and numeric ones); ok=false leaves the '&' as is.
func decodeHTMLEntity(text string, i int) (string, int, bool) {
	j := i + 1
	var s string
	if j < len(text) && text[j] == '#' {
		j++
		base := 10
		if j < len(text) && (text[j] == 'x' || text[j] == 'X') {
			base = 16
			j++
		}
		start := j
		for j < len(text) && isDigitIn(text[j], base) {
			j++
		}
		if j == start || j-start > 7 {
			return "", i, false
		}
		code, err := strconv.ParseInt(text[start:j], base, 32)
		if err != nil || code == 0 || code > unicode.MaxRune || (code >= 0xD800 && code <= 0xDFFF) {
			return "", i, false
		}
		s = string(rune(code))
	} else {
		start := j
		for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z') {
			j++
		}
		switch text[start:j] {
		case "lt":
			s = "<"
		case "gt":
			s = ">"
		case "amp":
			s = "&"
		case "quot":
			s = `"`
		default:
			return "", i, false
		}
	}
	if j < len(text) && text[j] == ';' {
		j++
	}
	return s, j, true
}

func isDigitIn(c byte, base int) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return base == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}

var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true, "del": true,
	"u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "span": true, "pre": true,
	"code": true, "blockquote": true,
}

// parseHTML ports TDLib's parse_html: the supported tags, attribute syntax
// and error texts are Telegram's.
func parseHTML(text string) (formatted, error) {
	type open struct {
		tag, arg string
		offset   int
	}
	text = strings.TrimSpace(text)
	n := len(text)
	var (
		w      writer
		stack  []open
		ents   []models.MessageEntity
		tagged bool
	)
	for i := 0; i < n; {
		c := text[i]
		if c == '&' {
			if s, next, ok := decodeHTMLEntity(text, i); ok {
				w.str(s)
				i = next
				continue
			}
		}
		if c != '<' {
			_, size := utf8.DecodeRuneInString(text[i:])
			w.str(text[i : i+size])
			i += size
			continue
		}
		begin := i
		i++
		if i >= n || text[i] != '/' {
			for i < n && !isSpaceByte(text[i]) && text[i] != '>' {
				i++
			}
			if i >= n {
				return formatted{}, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[begin+1 : i])
			if !htmlTags[tag] {
				return formatted{}, fmt.Errorf("Unsupported start tag %q at byte offset %d", tag, begin)
			}
			arg := ""
			for text[i] != '>' {
				for i < n && isSpaceByte(text[i]) {
					i++
				}
				if i >= n {
					return formatted{}, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				if text[i] == '>' {
					break
				}
				attrBegin := i
				for i < n && !isSpaceByte(text[i]) && !strings.ContainsRune("=>/\"'", rune(text[i])) {
					i++
				}
				attr := strings.ToLower(text[attrBegin:i])
				if attr == "" {
					return formatted{}, fmt.Errorf("Empty attribute name in the tag %q at byte offset %d", tag, begin)
				}
				for i < n && isSpaceByte(text[i]) {
					i++
				}
				if i >= n {
					return formatted{}, fmt.Errorf("Unclosed start tag %q at byte offset %d", tag, begin)
				}
				if text[i] != '=' {
					if tag == "blockquote" && attr == "expandable" {
						arg = "1"
					}
					continue
				}
				i++
				for i < n && isSpaceByte(text[i]) {
					i++
				}
				if i >= n {
					return formatted{}, fmt.Errorf("Unclosed start tag %q at byte offset %d", tag, begin)
				}
				var val string
				if text[i] != '"' && text[i] != '\'' {
					tokBegin := i
					for i < n && (isAlnum(text[i]) || text[i] == '.' || text[i] == '-') {
						i++
					}
					val = strings.ToLower(text[tokBegin:i])
					if i >= n {
						return formatted{}, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
					}
					if !isSpaceByte(text[i]) && text[i] != '>' {
						return formatted{}, fmt.Errorf("Unexpected end of name token at byte offset %d", tokBegin)
					}
				} else {
					q := text[i]
					i++
					var vb strings.Builder
					for i < n && text[i] != q {
						if text[i] == '&' {
							if s, next, ok := decodeHTMLEntity(text, i); ok {
								vb.WriteString(s)
								i = next
								continue
							}
						}
						vb.WriteByte(text[i])
						i++
					}
					if i < n {
						i++
					}
					if i >= n {
						return formatted{}, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
					}
					val = vb.String()
				}
				switch {
				case tag == "a" && attr == "href":
					arg = val
				case tag == "code" && attr == "class" && strings.HasPrefix(val, "language-"):
					arg = strings.TrimPrefix(val, "language-")
				case tag == "span" && attr == "class" && strings.HasPrefix(val, "tg-"):
					arg = strings.TrimPrefix(val, "tg-")
				case tag == "tg-emoji" && attr == "emoji-id":
					arg = val
				case tag == "blockquote" && attr == "expandable":
					arg = "1"
				}
			}
			if tag == "span" && arg != "spoiler" {
				return formatted{}, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, open{tag: tag, arg: arg, offset: w.u16})
			tagged = true
		} else {
			if len(stack) == 0 {
				return formatted{}, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
			}
			for i < n && !isSpaceByte(text[i]) && text[i] != '>' {
				i++
			}
			endTag := text[begin+2 : i]
			for i < n && isSpaceByte(text[i]) {
				i++
			}
			if i >= n || text[i] != '>' {
				return formatted{}, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
			}
			top := stack[len(stack)-1]
			if endTag != "" && endTag != top.tag {
				return formatted{}, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, endTag)
			}
			stack = stack[:len(stack)-1]
			if w.u16 > top.offset {
				e := models.MessageEntity{Offset: top.offset, Length: w.u16 - top.offset}
				last := func() *models.MessageEntity {
					if len(ents) == 0 {
						return nil
					}
					l := &ents[len(ents)-1]
					if l.Offset == e.Offset && l.Length == e.Length {
						return l
					}
					return nil
				}
				switch top.tag {
				case "i", "em":
					e.Type = models.MessageEntityTypeItalic
				case "b", "strong":
					e.Type = models.MessageEntityTypeBold
				case "s", "strike", "del":
					e.Type = models.MessageEntityTypeStrikethrough
				case "u", "ins":
					e.Type = models.MessageEntityTypeUnderline
				case "tg-spoiler", "span":
					e.Type = models.MessageEntityTypeSpoiler
				case "tg-emoji":
					if _, err := strconv.ParseInt(top.arg, 10, 64); err != nil {
						return formatted{}, fmt.Errorf("Invalid custom emoji identifier specified")
					}
					e.Type, e.CustomEmojiID = models.MessageEntityTypeCustomEmoji, top.arg
				case "a":
					if top.arg != "" { // TDLib drops a link it can't use
						e.Type, e.URL = models.MessageEntityTypeTextLink, top.arg
					}
				case "pre":
					if l := last(); l != nil && l.Type == models.MessageEntityTypeCode {
						l.Type = models.MessageEntityTypePre // <pre><code class="language-x">
					} else {
						e.Type = models.MessageEntityTypePre
					}
				case "code":
					if l := last(); l != nil && l.Type == models.MessageEntityTypePre {
						l.Language = top.arg
					} else {
						e.Type, e.Language = models.MessageEntityTypeCode, top.arg
					}
				case "blockquote":
					e.Type = models.MessageEntityTypeBlockquote
					if top.arg != "" {
						e.Type = models.MessageEntityTypeExpandableBlockquote
					}
				}
				if e.Type != "" {
					ents = append(ents, e)
				}
			}
		}
		i++ // the '>'
	}
	if len(stack) > 0 {
		return formatted{}, fmt.Errorf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].tag)
	}
	// A code entity keeps its language only inside pre.
	for k := range ents {
		if ents[k].Type == models.MessageEntityTypeCode {
			ents[k].Language = ""
		}
	}
	return finish(w.b.String(), ents, tagged), nil
}
