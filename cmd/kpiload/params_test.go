package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"mime/multipart"
	"strings"
	"testing"
)

const undoMarkup = `{"inline_keyboard":[[{"text":"↩️ Отменить","callback_data":"1:un:m1abc.0"}]]}`

func TestReadParams(t *testing.T) {
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for _, f := range [][2]string{
		{"chat_id", "-100200300"},
		{"text", "✅ Охват: 12 500\r\n--\r\nне разделитель"},
		{"reply_markup", undoMarkup},
	} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("message_id", "chart.png") // a file is not a field
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("\x89PNG 42"))
	if err := mw.WriteField("callback_query_id", "77"); err != nil {
		t.Fatal(err)
	}
	mw.Close()

	for _, tc := range []struct {
		name, contentType, body string
		want                    call
	}{
		{
			"json, as kpibot sends its replies", "application/json",
			`{"chat_id":42,"message_id":7,"text":"↩️ Отменено: \"охват\"","reply_markup":` + undoMarkup + `}`,
			call{chatID: 42, msgID: 7, text: `↩️ Отменено: "охват"`, markup: undoMarkup},
		},
		{
			"json answerCallbackQuery", "application/json; charset=utf-8",
			`{"callback_query_id":"123","text":"↩️"}`,
			call{queryID: "123", text: "↩️"},
		},
		{
			"json with escapes, spaces and brackets in strings", "application/json",
			` { "parse_mode" : "HTML" , "reply_markup" : {"inline_keyboard":[[{"text":"} ] \" {","callback_data":"1:un:x"}]]},` +
				` "chat_id" : -100200300 , "text" : "\u003cb\u003e✅\u003c/b\u003e \"12\" \\" , "extra":[1,{"a":[]}], "message_id":5 } `,
			call{chatID: -100200300, msgID: 5, text: `<b>✅</b> "12" \`,
				markup: `{"inline_keyboard":[[{"text":"} ] \" {","callback_data":"1:un:x"}]]}`},
		},
		{"json cut short", "application/json", `{"chat_id":42,"text":"✅ Охв`, call{chatID: 42}},
		{"json not an object", "application/json", `[{"chat_id":42}]`, call{}},
		{
			"multipart, as go-telegram/bot sends", mw.FormDataContentType(), form.String(),
			call{chatID: -100200300, text: "✅ Охват: 12 500\r\n--\r\nне разделитель", markup: undoMarkup, queryID: "77"},
		},
		{"multipart without a boundary", "multipart/form-data", form.String(), call{}},
		{"multipart cut short", mw.FormDataContentType(), form.String()[:strings.Index(form.String(), "Охват")], call{chatID: -100200300}},
		{"another encoding", "application/x-www-form-urlencoded", "chat_id=42", call{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got call
			readParams(&got, tc.contentType, []byte(tc.body))
			if got != tc.want {
				t.Errorf("readParams =\n%+v, want\n%+v", got, tc.want)
			}
		})
	}
}

func TestSentID(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   int
	}{
		{`{"ok":true,"result":{"chat":{"first_name":"Load1","id":5,"type":"private"},"date":1,"from":{"id":7,"is_bot":true},` +
			`"message_id":31,"reply_to_message":{"message_id":30},"text":"\"message_id\":99"}}`, 31},
		{`{"ok":true,"result":true}`, 0},
		{`{"ok":true,"result":{"message_id":`, 0},
	} {
		if got := sentID([]byte(tc.answer)); got != tc.want {
			t.Errorf("sentID(%s) = %d, want %d", tc.answer, got, tc.want)
		}
	}
}

// readParams agrees with encoding/json on objects it encoded, compact or
// indented, whatever their strings hold.
func TestReadParamsAgreesWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "✅", "↩️", `"`, `\`, "<b>", "&", "\n", "\t", "}", "]", "{", "[", ",", ":", " ", "\u2028", "1:un:"}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rng.IntN(6); {
		case k == 0 && depth < 3:
			m := map[string]any{}
			for range rng.IntN(3) {
				m[str()] = value(depth + 1)
			}
			return m
		case k == 1 && depth < 3:
			a := []any{}
			for range rng.IntN(3) {
				a = append(a, value(depth+1))
			}
			return a
		case k == 2:
			return rng.Int64N(1<<40) - 1<<39
		case k == 3:
			return rng.IntN(2) == 0
		}
		return str()
	}
	for i := range 3000 {
		obj := map[string]any{"text": str(), "chat_id": rng.Int64N(1<<40) - 1<<39, "message_id": rng.IntN(1 << 20),
			"callback_query_id": str(), "reply_markup": value(0), str(): value(0)}
		body, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			var b bytes.Buffer
			_ = json.Indent(&b, body, " ", "\t")
			body = b.Bytes()
		}
		var want call
		want.text, want.queryID = obj["text"].(string), obj["callback_query_id"].(string)
		want.chatID, want.msgID = obj["chat_id"].(int64), obj["message_id"].(int)
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(body, &raw)
		want.markup = string(raw["reply_markup"])
		if s, ok := obj["reply_markup"].(string); ok {
			want.markup = s // a string is the markup's JSON, as the fake reads it too
		}
		var got call
		readParams(&got, "application/json", body)
		if got != want {
			t.Fatalf("%s:\ngot  %+v\nwant %+v", body, got, want)
		}
	}
}
