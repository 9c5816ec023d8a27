package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

// fuzzSecret is the webhook secret of FuzzWebhook.
const fuzzSecret = "s3cret-Token_1"

// recorder is a Handler that remembers its inputs and answers nothing.
type recorder struct {
	mu  sync.Mutex
	ins []dialogs.Input
}

func (h *recorder) Handle(_ context.Context, in dialogs.Input) (dialogs.Result, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ins = append(h.ins, in)
	return dialogs.Result{}, nil
}

func (h *recorder) Failure(dialogs.Input, kpi.Lang, error) dialogs.Result { return dialogs.Result{} }

// newFuzzBot returns a Bot on a Bot API that answers every call with
// success, and the recorder it hands updates to.
func newFuzzBot(f *testing.F) (*Bot, *recorder) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"KPI","username":"`+fuzzBotName+`"}}`)
			return
		}
		io.WriteString(w, `{"ok":true,"result":true}`)
	}))
	f.Cleanup(api.Close)
	h := &recorder{}
	b, err := New(context.Background(), Config{Token: "1:fuzz", APIURL: api.URL, WebhookSecret: fuzzSecret,
		Log: slog.New(slog.DiscardHandler), NoReplyLimit: true}, h)
	if err != nil {
		f.Fatal(err)
	}
	return b, h
}

// FuzzWebhook posts any body with any secret to the webhook handler and
// checks that it answers 401 to a wrong secret, 400 to a body that is not
// an update with an id, and 200 otherwise, never panicking; that the
// conversation gets nothing for a wrong secret or a bad body, and for an
// update exactly what toInput makes of it (see checkInput), once.
func FuzzWebhook(f *testing.F) {
	for i, b := range fuzzUpdates() {
		f.Add(b, fuzzSecret, i%7 == 6)
		if i%5 == 0 {
			f.Add(b, fuzzSecret+" ", false)
		}
	}
	f.Add(fuzzUpdates()[0], "", false)
	f.Add(fuzzUpdates()[0], strings.ToUpper(fuzzSecret), false)
	f.Add(fuzzUpdates()[0], "s3cret-Token_\xff", false)
	b, h := newFuzzBot(f)
	webhook := b.WebhookHandler()
	f.Fuzz(func(t *testing.T, body []byte, secret string, get bool) {
		b.chats = newSerializer(maxPending)
		h.ins = nil
		method := http.MethodPost
		if get {
			method = http.MethodGet
		}
		req := httptest.NewRequest(method, "/webhook", bytes.NewReader(body))
		req.Header["X-Telegram-Bot-Api-Secret-Token"] = []string{secret}
		rec := httptest.NewRecorder()
		webhook.ServeHTTP(rec, req)
		b.chats.Close() // waits for the update's handling
		code := rec.Code

		var upd models.Update
		jerr := json.Unmarshal(body, &upd)
		var want []dialogs.Input
		wantCode := http.StatusOK
		switch {
		case get:
			wantCode = http.StatusMethodNotAllowed
		case secret != fuzzSecret:
			wantCode = http.StatusUnauthorized
		case jerr != nil || upd.ID == 0:
			wantCode = http.StatusBadRequest
		default:
			if in, callbackID, ok := toInput(&upd, fuzzBotName); ok {
				checkInput(t, &upd, in, callbackID)
				in.UpdateID = upd.ID
				want = []dialogs.Input{in}
			}
		}
		if code != wantCode {
			t.Fatalf("%s with secret %q, body %q: %d; want %d", method, secret, body, code, wantCode)
		}
		if !reflect.DeepEqual(h.ins, want) {
			t.Fatalf("%s with secret %q, body %q: the conversation got %+v; want %+v", method, secret, body, h.ins, want)
		}
	})
}
