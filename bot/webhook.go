package bot

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// maxUpdateBytes bounds a webhook body; real updates are a few kilobytes.
const maxUpdateBytes = 1 << 20

// WebhookHandler returns the HTTP handler for Telegram's webhook calls. A
// request without the right X-Telegram-Bot-Api-Secret-Token gets 401 and is
// dropped; a body that is not an update gets 400; while shutting down it
// answers 503 so that Telegram delivers the update again later. With no
// secret configured every call is refused (config requires one).
func (b *Bot) WebhookHandler() http.Handler {
	secret := []byte(b.cfg.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			b.log.Warn("webhook call with a wrong secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBytes))
		var upd models.Update
		if err == nil {
			err = json.Unmarshal(body, &upd)
		}
		if err != nil || upd.ID == 0 {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if !b.dispatch(&upd) {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
