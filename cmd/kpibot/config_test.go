package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

const testToken = "123456789:AAHfakeTokenForTestsOnly_abcdefghijk"

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "REDIS_URL": "localhost:6379"}, "REDIS_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "https://bot.example.com/tg"}, "WEBHOOK_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "https://x/tg", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "not a url", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "HTTP_ADDR": "8080"}, "HTTP_ADDR"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "DEFAULT_TIMEZONE": "Mars/Base"}, "DEFAULT_TIMEZONE"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "LOG_FORMAT": "xml"}, "LOG_FORMAT"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), env(tc.env), &stderr)
		out := stderr.String()
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.env, code)
		}
		if strings.Count(out, "\n") != 1 || !strings.Contains(out, tc.name) {
			t.Errorf("%v: want one line naming %s, got %q", tc.env, tc.name, out)
		}
		if strings.Contains(out, "AAHfake") {
			t.Errorf("the token leaked: %q", out)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"TELEGRAM_BOT_TOKEN": testToken}))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "https://api.telegram.org" || c.DataDir != "./data" || c.HTTPAddr != ":8080" ||
		c.DefaultTZ != "Europe/Moscow" || c.DefaultLang != "ru" || c.LogJSON || c.RedisURL != "" || c.WebhookURL != "" {
		t.Errorf("defaults: %+v", c)
	}
	if strings.Contains(c.String(), "AAHfake") {
		t.Errorf("String() shows the token: %s", c)
	}
}
