package telegramtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// webhookState is what setWebhook registered.
type webhookState struct {
	url, secret    string
	allowed        []string
	maxConnections int
	stop           chan struct{} // closed to stop the delivery loop
	lastErrorDate  int64
	lastErrorMsg   string
}

// Webhook is the webhook registered with setWebhook.
type Webhook struct {
	URL                string // "" when no webhook is set
	SecretToken        string
	AllowedUpdates     []string
	MaxConnections     int
	DropPendingUpdates bool // the last setWebhook or deleteWebhook dropped the queue
}

// WebhookDelivery is one attempt to POST an update to the webhook.
type WebhookDelivery struct {
	UpdateID   int64
	Attempt    int    // 1 for the first try of this update
	StatusCode int    // the webhook's HTTP status; 0 when the request failed
	Err        string // transport error, when the request failed
	Secret     string // the X-Telegram-Bot-Api-Secret-Token header sent
	At         time.Time
}

// OK reports whether the webhook accepted the update (a 2xx status).
func (d WebhookDelivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(c *callCtx) (any, *apiError) {
	url := c.p.str("url")
	if url == "" {
		return s.deleteWebhook(c)
	}
	secret := c.p.str("secret_token")
	if secret != "" && !secretTokenRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	allowed, err := s.setAllowedLocked(c.p.str("allowed_updates"))
	if err != nil {
		return nil, err
	}
	if !c.p.has("allowed_updates") {
		allowed = s.hook.allowed
	}
	maxConn, ok := c.p.integer("max_connections")
	if !ok || maxConn <= 0 {
		maxConn = 40
	}
	s.dropped = c.p.boolean("drop_pending_updates")
	if s.dropped {
		s.queue = nil
	}
	c.okDescription = "Webhook was set"
	if s.hook.url == url && s.hook.secret == secret {
		c.okDescription = "Webhook is already set"
	}
	s.stopWebhookLocked()
	stop := make(chan struct{})
	s.hook = webhookState{url: url, secret: secret, allowed: allowed, maxConnections: int(maxConn), stop: stop}
	s.wg.Add(1)
	go s.deliverLoop(stop, url, secret)
	return true, nil
}

func (s *Server) deleteWebhook(c *callCtx) (any, *apiError) {
	s.dropped = c.p.boolean("drop_pending_updates")
	if s.dropped {
		s.queue = nil
	}
	if s.hook.url == "" {
		c.okDescription = "Webhook is already deleted"
		return true, nil
	}
	s.stopWebhookLocked()
	c.okDescription = "Webhook was deleted"
	return true, nil
}

// stopWebhookLocked forgets the webhook and stops its delivery loop; the
// updates it did not deliver stay queued.
func (s *Server) stopWebhookLocked() {
	if s.hook.stop != nil {
		close(s.hook.stop)
	}
	s.hook = webhookState{allowed: s.hook.allowed}
}

func (s *Server) getWebhookInfo(*callCtx) (any, *apiError) {
	w := map[string]any{
		"url":                    s.hook.url,
		"has_custom_certificate": false,
		"pending_update_count":   len(s.queue),
	}
	if s.hook.url != "" {
		w["max_connections"] = s.hook.maxConnections
		w["ip_address"] = "127.0.0.1"
		if len(s.hook.allowed) > 0 {
			w["allowed_updates"] = s.hook.allowed
		}
		if s.hook.lastErrorDate != 0 {
			w["last_error_date"] = s.hook.lastErrorDate
			w["last_error_message"] = s.hook.lastErrorMsg
		}
	}
	return w, nil
}

// deliverLoop POSTs the queued updates to the webhook one at a time, in
// order (so in order per chat, as Telegram guarantees), retrying a failed
// delivery a few times before giving the update up.
func (s *Server) deliverLoop(stop chan struct{}, url, secret string) {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
		case <-ctx.Done():
		}
		cancel()
	}()
	for {
		s.mu.Lock()
		var u *queuedUpdate
		if ctx.Err() == nil && len(s.queue) > 0 {
			u = s.queue[0]
		}
		ch := s.changed
		s.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if u == nil {
			select {
			case <-ch:
			case <-ctx.Done():
				return
			}
			continue
		}
		delivered, lastErr := false, ""
		for attempt := 1; attempt <= s.hookTries && !delivered; attempt++ {
			if attempt > 1 {
				select {
				case <-time.After(s.hookPause * time.Duration(attempt-1)):
				case <-ctx.Done():
					return
				}
			}
			d := s.post(ctx, url, secret, u)
			d.Attempt = attempt
			if ctx.Err() != nil {
				return // stopped mid-request: the update stays queued
			}
			delivered = d.OK()
			if !delivered {
				lastErr = d.Err
				if lastErr == "" {
					lastErr = fmt.Sprintf("Wrong response from the webhook: %d %s", d.StatusCode, http.StatusText(d.StatusCode))
				}
			}
			s.mu.Lock()
			s.deliveries = append(s.deliveries, d)
			s.bumpLocked()
			s.mu.Unlock()
		}
		s.mu.Lock()
		if i := slices.Index(s.queue, u); i >= 0 {
			s.queue = slices.Delete(s.queue, i, i+1)
		}
		if !delivered && s.hook.stop == stop {
			s.hook.lastErrorDate = time.Now().Unix()
			s.hook.lastErrorMsg = lastErr
		}
		s.bumpLocked()
		s.mu.Unlock()
	}
}

func (s *Server) post(ctx context.Context, url, secret string, u *queuedUpdate) WebhookDelivery {
	d := WebhookDelivery{UpdateID: u.id, Secret: secret, At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(u.raw))
	if err != nil {
		d.Err = "Invalid webhook URL"
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		d.Err = "Connection refused"
		return d
	}
	_ = resp.Body.Close()
	d.StatusCode = resp.StatusCode
	return d
}

// Webhook returns the webhook registered with setWebhook.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Webhook{
		URL: s.hook.url, SecretToken: s.hook.secret, AllowedUpdates: slices.Clone(s.hook.allowed),
		MaxConnections: s.hook.maxConnections, DropPendingUpdates: s.dropped,
	}
}

// WebhookDeliveries returns every attempt to deliver an update to the
// webhook, in order.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}
