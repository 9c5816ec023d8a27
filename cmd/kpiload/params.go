package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The fake parses every call itself; what follows reads the few fields the
// load matches answers by, again, once per answer, so it is written for
// cost: no MIME reader, no reflection and no map, and the strings it keeps
// are copies (the body's buffer is reused).

// readParams fills c's chat, message, text, markup and callback query id
// from a call's body: a JSON object (how kpibot sends its replies) or a
// multipart/form-data form (how go-telegram/bot sends every call). Fields
// it cannot read stay empty, so the answer goes unmatched or fails its
// check rather than passing.
func readParams(c *call, contentType string, body []byte) {
	set := func(name, value []byte) {
		switch string(name) {
		case "chat_id":
			c.chatID, _ = strconv.ParseInt(string(value), 10, 64)
		case "message_id":
			c.msgID, _ = strconv.Atoi(string(value))
		case "text":
			c.text = string(value)
		case "reply_markup":
			c.markup = string(value)
		case "callback_query_id":
			c.queryID = string(value)
		}
	}
	mt, attrs, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(mt) {
	case "application/json":
		jsonFields(body, set)
	case "multipart/form-data":
		formFields(body, boundary(attrs), set)
	}
}

// jsonFields calls field for each member of the JSON object in body, in
// order, with a string value unquoted and any other value as written. Names
// are taken as written (the Bot API's have nothing to escape). It stops at
// the first malformed member.
func jsonFields(body []byte, field func(name, value []byte)) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return
	}
	for i++; ; i++ { // i is at '{' or ','
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != '"' {
			return // '}' or malformed
		}
		end := skipValue(body, i)
		if end < 0 {
			return
		}
		name := body[i+1 : end-1]
		if i = skipSpace(body, end); i >= len(body) || body[i] != ':' {
			return
		}
		i = skipSpace(body, i+1)
		if end = skipValue(body, i); end <= i {
			return
		}
		value := body[i:end]
		if value[0] == '"' {
			if bytes.IndexByte(value, '\\') < 0 {
				value = value[1 : len(value)-1]
			} else {
				var s string
				if json.Unmarshal(value, &s) != nil {
					return
				}
				value = []byte(s)
			}
		}
		field(name, value)
		if i = skipSpace(body, end); i >= len(body) || body[i] != ',' {
			return
		}
	}
}

// skipValue returns the index just past the JSON value that starts at
// body[i]: a string, an object or array (however nested), or a number or
// literal (up to the next comma, bracket or space); -1 when a string,
// object or array is cut short.
func skipValue(body []byte, i int) int {
	depth := 0
	for ; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					i++
				}
			}
			if i >= len(body) {
				return -1
			}
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return i // the end of a number or literal
			}
			depth--
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return i
		}
		if depth == 0 && (body[i] == '"' || body[i] == '}' || body[i] == ']') {
			return i + 1
		}
	}
	if depth > 0 {
		return -1
	}
	return i
}

func skipSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
		i++
	}
	return i
}

// boundary returns the boundary parameter of a Content-Type's parameters
// ("; boundary=..."), "" when there is none.
func boundary(attrs string) string {
	for attr := range strings.SplitSeq(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(attr), "=")
		if strings.EqualFold(k, "boundary") {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// formFields calls field for each text field of a multipart/form-data
// body, in order; file parts are skipped. value aliases body. It stops at
// the closing delimiter or at the first malformed part.
func formFields(body []byte, boundary string, field func(name, value []byte)) {
	if boundary == "" {
		return
	}
	delim := []byte("\r\n--" + boundary)
	i := bytes.Index(body, delim[2:]) // the first delimiter has no CRLF before it
	if i < 0 {
		return
	}
	rest := body[i+len(delim)-2:]
	for {
		var ok bool
		if rest, ok = bytes.CutPrefix(rest, []byte("\r\n")); !ok {
			return // "--": the closing delimiter
		}
		header, after, ok := bytes.Cut(rest, []byte("\r\n\r\n"))
		if !ok {
			return
		}
		end := bytes.Index(after, delim)
		if end < 0 {
			return
		}
		if name, file := partName(header); name != nil && !file {
			field(name, after[:end])
		}
		rest = after[end+len(delim):]
	}
}

// partName returns the form field name of a part's header (nil when there
// is none) and whether the part is a file, as the Content-Disposition that
// mime/multipart writes says: form-data; name="..."[; filename="..."].
func partName(header []byte) ([]byte, bool) {
	_, after, ok := bytes.Cut(header, []byte(`; name="`))
	if !ok {
		return nil, false
	}
	name, _, ok := bytes.Cut(after, []byte(`"`))
	if !ok {
		return nil, false
	}
	return name, bytes.Contains(header, []byte(`; filename=`))
}

// sentID returns the message_id of a send's successful answer,
// {"ok":true,"result":{...,"message_id":N,...}}, 0 when there is none.
// The first "message_id" key is the sent message's own: the fake encodes
// a message as a map, keys sorted, so the objects before the key ("chat",
// "entities", "from") have none and a replied message comes after it; and
// the key cannot be part of a text, where every quote is escaped.
func sentID(answer []byte) int {
	_, after, ok := bytes.Cut(answer, []byte(`"message_id":`))
	if !ok {
		return 0
	}
	end := 0
	for end < len(after) && after[end] >= '0' && after[end] <= '9' {
		end++
	}
	id, _ := strconv.Atoi(string(after[:end]))
	return id
}
