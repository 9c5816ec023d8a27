package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// maxCallbackDataBytes is Telegram's limit on callback_data, in bytes.
const maxCallbackDataBytes = 64

// parsedMarkup is a decoded reply_markup parameter.
type parsedMarkup struct {
	markup *Markup
	inline bool   // an inline keyboard (possibly empty)
	wire   any    // the inline keyboard as messages echo it; nil when empty
	key    string // canonical inline keyboard JSON; "" when none
}

// inlineActions are the button fields of which exactly one makes a button
// do something; a button with none of them is a "text button".
var inlineActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// parseReplyMarkup decodes and validates reply_markup as the Bot API does;
// raw "" gives nil.
func parseReplyMarkup(raw string) (*parsedMarkup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	switch {
	case obj["inline_keyboard"] != nil:
		return parseInlineKeyboard(obj["inline_keyboard"])
	case obj["keyboard"] != nil:
		return parseReplyKeyboard(obj)
	case obj["remove_keyboard"] != nil:
		m := &Markup{RemoveKeyboard: true}
		_ = json.Unmarshal(obj["selective"], &m.Selective)
		return &parsedMarkup{markup: m}, nil
	case obj["force_reply"] != nil:
		m := &Markup{ForceReply: true}
		_ = json.Unmarshal(obj["selective"], &m.Selective)
		_ = json.Unmarshal(obj["input_field_placeholder"], &m.InputFieldPlaceholder)
		return &parsedMarkup{markup: m}, nil
	}
	return nil, badRequest("can't parse reply keyboard markup JSON object")
}

func parseInlineKeyboard(raw json.RawMessage) (*parsedMarkup, *apiError) {
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, badRequest(`Field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays`)
	}
	m := &Markup{}
	var wireRows [][]map[string]json.RawMessage
	for _, row := range rows {
		var buttons []Button
		var wireRow []map[string]json.RawMessage
		for _, btn := range row {
			b, wireBtn, err := parseInlineButton(btn)
			if err != nil {
				return nil, err
			}
			buttons = append(buttons, b)
			wireRow = append(wireRow, wireBtn)
		}
		if len(buttons) == 0 {
			continue
		}
		m.InlineKeyboard = append(m.InlineKeyboard, buttons)
		wireRows = append(wireRows, wireRow)
	}
	pm := &parsedMarkup{inline: true}
	if len(wireRows) == 0 {
		return pm, nil // an empty keyboard: the message has none
	}
	wire := map[string]any{"inline_keyboard": wireRows}
	key, _ := json.Marshal(wire)
	pm.markup, pm.wire, pm.key = m, wire, string(key)
	return pm, nil
}

func parseInlineButton(btn map[string]json.RawMessage) (Button, map[string]json.RawMessage, *apiError) {
	var b Button
	rawText, ok := btn["text"]
	if !ok {
		return b, nil, badRequest(`can't parse inline keyboard button: Can't find field "text"`)
	}
	if err := json.Unmarshal(rawText, &b.Text); err != nil {
		return b, nil, badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
	}
	wire := map[string]json.RawMessage{}
	for k, v := range btn {
		wire[k] = v
	}
	// go-telegram/bot's InlineKeyboardButton always carries
	// "copy_text":{"text":""}; Telegram ignores an empty one.
	if raw, ok := btn["copy_text"]; ok {
		var ct struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &ct) != nil || ct.Text == "" {
			delete(wire, "copy_text")
		} else {
			b.CopyText = ct.Text
		}
	}
	if raw, ok := wire["pay"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("true")) {
		delete(wire, "pay")
	}
	actions := 0
	for _, a := range inlineActions {
		if _, ok := wire[a]; ok {
			actions++
		}
	}
	if actions == 0 {
		return b, nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if raw, ok := wire["callback_data"]; ok {
		if err := json.Unmarshal(raw, &b.CallbackData); err != nil {
			return b, nil, badRequest(`can't parse inline keyboard button: Field "callback_data" must be of type String`)
		}
		if len(b.CallbackData) == 0 || len(b.CallbackData) > maxCallbackDataBytes {
			return b, nil, badRequest("BUTTON_DATA_INVALID")
		}
	}
	if raw, ok := wire["url"]; ok {
		if err := json.Unmarshal(raw, &b.URL); err != nil {
			return b, nil, badRequest(`can't parse inline keyboard button: Field "url" must be of type String`)
		}
		if problem := checkButtonURL(b.URL); problem != "" {
			return b, nil, badRequest(fmt.Sprintf("inline keyboard button URL '%s' is invalid: %s", b.URL, problem))
		}
	}
	if raw, ok := wire["web_app"]; ok {
		var wa struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(raw, &wa)
		b.WebAppURL = wa.URL
	}
	return b, wire, nil
}

// checkButtonURL returns why Telegram would refuse u as a button URL, or "".
// Telegram wants a public http(s) or tg:// URL: "localhost" and other
// dotless hosts are refused.
func checkButtonURL(u string) string {
	s := strings.TrimSpace(u)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	p, err := url.Parse(s)
	if err != nil {
		return "Wrong HTTP URL"
	}
	switch strings.ToLower(p.Scheme) {
	case "tg":
		return ""
	case "http", "https", "ton", "tonsite":
	default:
		return "Unsupported URL protocol"
	}
	host := p.Hostname()
	if host == "" || !strings.Contains(host, ".") || strings.HasSuffix(host, ".") {
		return "Wrong HTTP URL"
	}
	return ""
}

func parseReplyKeyboard(obj map[string]json.RawMessage) (*parsedMarkup, *apiError) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(obj["keyboard"], &rows); err != nil {
		return nil, badRequest(`Field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays`)
	}
	m := &Markup{}
	for _, row := range rows {
		var texts []string
		for _, raw := range row {
			var text string
			if json.Unmarshal(raw, &text) != nil {
				var btn struct {
					Text *string `json:"text"`
				}
				if json.Unmarshal(raw, &btn) != nil || btn.Text == nil {
					return nil, badRequest(`can't parse keyboard button: Can't find field "text"`)
				}
				text = *btn.Text
			}
			texts = append(texts, text)
		}
		if len(texts) > 0 {
			m.Keyboard = append(m.Keyboard, texts)
		}
	}
	_ = json.Unmarshal(obj["selective"], &m.Selective)
	_ = json.Unmarshal(obj["input_field_placeholder"], &m.InputFieldPlaceholder)
	_ = json.Unmarshal(obj["resize_keyboard"], &m.ResizeKeyboard)
	_ = json.Unmarshal(obj["one_time_keyboard"], &m.OneTimeKeyboard)
	_ = json.Unmarshal(obj["is_persistent"], &m.IsPersistent)
	return &parsedMarkup{markup: m}, nil
}
