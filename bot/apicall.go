package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// maxAnswerBytes bounds a Bot API answer read by apiCaller; a reply's
// answer is a message of a few kilobytes.
const maxAnswerBytes = 1 << 20

// apiCaller makes the Bot API calls every reply needs (sendMessage, the
// two edits, answerCallbackQuery) with a JSON body and decodes the answer
// once, into only the fields we use. go-telegram/bot builds a multipart
// form through a pipe and decodes every answer twice, which under load
// cost a tenth of the bot's CPU. Its errors are the library's, so the
// errors.Is and errors.As checks on them hold for both.
type apiCaller struct {
	client *http.Client
	base   string // <APIURL>/bot<token>/, as the library builds it
	token  string
}

// newAPICaller returns a caller that reaches apiURL ("https://api.telegram.org"
// when empty) with client, which should be the one the library has.
func newAPICaller(client *http.Client, apiURL, token string) *apiCaller {
	if apiURL == "" {
		apiURL = "https://api.telegram.org"
	}
	return &apiCaller{client: client, base: apiURL + "/bot" + token + "/", token: token}
}

// replyParameters is the reply_parameters object we send.
type replyParameters struct {
	MessageID                int  `json:"message_id"`
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply,omitempty"`
}

// sendMessageRequest, editTextRequest, editMarkupRequest and
// answerCallbackRequest carry only the parameters kpibot sends, with the
// library's names and omissions; the markup goes as a JSON object.
type sendMessageRequest struct {
	ChatID          int64              `json:"chat_id"`
	MessageThreadID int                `json:"message_thread_id,omitempty"`
	Text            string             `json:"text"`
	ParseMode       models.ParseMode   `json:"parse_mode,omitempty"`
	ReplyParameters *replyParameters   `json:"reply_parameters,omitempty"`
	ReplyMarkup     models.ReplyMarkup `json:"reply_markup,omitempty"`
}

type editTextRequest struct {
	ChatID      int64              `json:"chat_id"`
	MessageID   int                `json:"message_id"`
	Text        string             `json:"text"`
	ParseMode   models.ParseMode   `json:"parse_mode,omitempty"`
	ReplyMarkup models.ReplyMarkup `json:"reply_markup,omitempty"`
}

type editMarkupRequest struct {
	ChatID      int64              `json:"chat_id"`
	MessageID   int                `json:"message_id"`
	ReplyMarkup models.ReplyMarkup `json:"reply_markup,omitempty"`
}

type answerCallbackRequest struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
}

// sentMessage is the part of a sent message we use.
type sentMessage struct {
	MessageID int `json:"message_id"`
}

// ignored takes a result we do not use (an edited message, true) without
// decoding it.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

// apiAnswer is a Bot API answer with its result as R.
type apiAnswer[R any] struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
	Result R `json:"result"`
}

// SendMessage sends a text message and returns its id.
func (c *apiCaller) SendMessage(ctx context.Context, req *sendMessageRequest) (int, error) {
	a, err := callAPI[sentMessage](ctx, c, "sendMessage", req)
	return a.MessageID, err
}

// EditMessageText replaces a message's text and keyboard.
func (c *apiCaller) EditMessageText(ctx context.Context, req *editTextRequest) error {
	_, err := callAPI[ignored](ctx, c, "editMessageText", req)
	return err
}

// EditMessageReplyMarkup replaces a message's keyboard.
func (c *apiCaller) EditMessageReplyMarkup(ctx context.Context, req *editMarkupRequest) error {
	_, err := callAPI[ignored](ctx, c, "editMessageReplyMarkup", req)
	return err
}

// AnswerCallbackQuery answers a button press, with text as a toast when
// it is not empty.
func (c *apiCaller) AnswerCallbackQuery(ctx context.Context, req *answerCallbackRequest) error {
	_, err := callAPI[ignored](ctx, c, "answerCallbackQuery", req)
	return err
}

// callAPI POSTs req as JSON to method and returns the answer's result. It
// fails with the errors go-telegram/bot's rawRequest returns, worded the
// same, and never with the token in the text.
func callAPI[R any](ctx context.Context, c *apiCaller, method string, req any) (R, error) {
	var a apiAnswer[R]
	body, err := json.Marshal(req)
	if err != nil {
		return a.Result, fmt.Errorf("error build request form for method %s, %w", method, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return a.Result, fmt.Errorf("error create request for method %s, %s", method, c.redact(err.Error()))
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(hr)
	if err != nil {
		var netErr *url.Error
		if errors.As(err, &netErr) {
			netErr.URL = c.redact(netErr.URL)
		}
		return a.Result, fmt.Errorf("error do request for method %s, %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := readAnswer(resp)
	if err != nil {
		return a.Result, fmt.Errorf("error read response body for method %s, %w", method, err)
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a.Result, fmt.Errorf("error decode response body for method %s, %s, %w", method, excerpt(raw), err)
	}
	if !a.OK {
		return a.Result, a.err(method)
	}
	return a.Result, nil
}

// err maps an unsuccessful answer to the library's error, as its
// rawRequest does.
func (a *apiAnswer[R]) err(method string) error {
	switch a.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tg.ErrorForbidden, a.Description)
	case http.StatusBadRequest:
		if a.Parameters.MigrateToChatID != 0 {
			return &tg.MigrateError{
				Message:         fmt.Sprintf("%s: %s", tg.ErrorBadRequest, a.Description),
				MigrateToChatID: a.Parameters.MigrateToChatID,
			}
		}
		return fmt.Errorf("%w, %s", tg.ErrorBadRequest, a.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tg.ErrorUnauthorized, a.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tg.ErrorNotFound, a.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tg.ErrorConflict, a.Description)
	case http.StatusTooManyRequests:
		return &tg.TooManyRequestsError{
			Message:    fmt.Sprintf("%s, %s", tg.ErrorTooManyRequests, a.Description),
			RetryAfter: a.Parameters.RetryAfter,
		}
	default:
		return fmt.Errorf("error response from telegram for method %s, %d %s", method, a.ErrorCode, a.Description)
	}
}

// readAnswer reads a response body of at most maxAnswerBytes.
func readAnswer(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > maxAnswerBytes {
		return nil, fmt.Errorf("answer of %d bytes is over the %d-byte limit", n, maxAnswerBytes)
	} else if n > 0 {
		buf := make([]byte, n)
		_, err := io.ReadFull(resp.Body, buf)
		return buf, err
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err == nil && len(buf) > maxAnswerBytes {
		err = fmt.Errorf("answer is over the %d-byte limit", maxAnswerBytes)
	}
	return buf, err
}

// excerpt returns the start of an answer that is not JSON (a proxy's error
// page, say), for an error text.
func excerpt(raw []byte) []byte {
	const limit = 256
	if len(raw) > limit {
		return raw[:limit]
	}
	return raw
}

// redact hides the token in s.
func (c *apiCaller) redact(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "***")
}
