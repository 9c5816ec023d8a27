package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// Config is the bot's configuration, read from the environment (SPEC 10).
type Config struct {
	Token         string
	APIURL        string
	RedisURL      string
	DataDir       string
	WebhookURL    string
	WebhookSecret string
	HTTPAddr      string
	DefaultTZ     string
	DefaultLang   kpi.Lang
	LogLevel      slog.Level
	LogJSON       bool
}

// ConfigError names the variable that stops the start, and why.
type ConfigError struct {
	Var    string
	Reason string
}

func (e *ConfigError) Error() string { return e.Var + " " + e.Reason }

var (
	tokenRe  = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)
	secretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// LoadConfig reads the configuration through getenv. It fails with a
// *ConfigError naming the first variable that is missing or malformed; the
// error never quotes the token or a password.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Token:         get("TELEGRAM_BOT_TOKEN", ""),
		APIURL:        get("TELEGRAM_API_URL", "https://api.telegram.org"),
		RedisURL:      get("REDIS_URL", ""),
		DataDir:       get("DATA_DIR", "./data"),
		WebhookURL:    get("WEBHOOK_URL", ""),
		WebhookSecret: get("WEBHOOK_SECRET", ""),
		HTTPAddr:      get("HTTP_ADDR", ":8080"),
		DefaultTZ:     get("DEFAULT_TIMEZONE", "Europe/Moscow"),
		DefaultLang:   kpi.Lang(strings.ToLower(get("DEFAULT_LANGUAGE", "ru"))),
	}
	switch {
	case c.Token == "":
		return c, &ConfigError{"TELEGRAM_BOT_TOKEN", "is not set: get a token from @BotFather"}
	case !tokenRe.MatchString(c.Token):
		return c, &ConfigError{"TELEGRAM_BOT_TOKEN", "is malformed: expected <digits>:<secret> as @BotFather gives it"}
	case !isHTTPURL(c.APIURL):
		return c, &ConfigError{"TELEGRAM_API_URL", "must be an http:// or https:// URL"}
	case c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://"):
		return c, &ConfigError{"REDIS_URL", "must start with redis:// or rediss://"}
	case c.WebhookURL != "" && !isHTTPURL(c.WebhookURL):
		return c, &ConfigError{"WEBHOOK_URL", "must be an https:// URL"}
	case c.WebhookURL != "" && !secretRe.MatchString(c.WebhookSecret):
		return c, &ConfigError{"WEBHOOK_SECRET", "must be set with WEBHOOK_URL: 1-256 characters of A-Z a-z 0-9 _ -"}
	case c.WebhookURL == "" && c.WebhookSecret != "" && !secretRe.MatchString(c.WebhookSecret):
		return c, &ConfigError{"WEBHOOK_SECRET", "must be 1-256 characters of A-Z a-z 0-9 _ -"}
	case !validAddr(c.HTTPAddr):
		return c, &ConfigError{"HTTP_ADDR", "must be host:port or :port"}
	case !c.DefaultLang.Valid():
		return c, &ConfigError{"DEFAULT_LANGUAGE", "must be ru or en"}
	}
	if _, err := time.LoadLocation(c.DefaultTZ); err != nil || strings.EqualFold(c.DefaultTZ, "local") {
		return c, &ConfigError{"DEFAULT_TIMEZONE", "must be an IANA time zone such as Europe/Moscow"}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		return c, &ConfigError{"LOG_LEVEL", "must be debug, info, warn or error"}
	}
	switch strings.ToLower(get("LOG_FORMAT", "text")) {
	case "json":
		c.LogJSON = true
	case "text":
	default:
		return c, &ConfigError{"LOG_FORMAT", "must be json or text"}
	}
	return c, nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validAddr(s string) bool {
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}

// String describes the configuration for the start-up log, without secrets.
func (c Config) String() string {
	store := "embedded in " + c.DataDir
	if c.RedisURL != "" {
		store = "redis"
	}
	mode := "polling"
	if c.WebhookURL != "" {
		mode = "webhook"
	}
	return fmt.Sprintf("store=%s mode=%s http=%s tz=%s lang=%s", store, mode, c.HTTPAddr, c.DefaultTZ, c.DefaultLang)
}
