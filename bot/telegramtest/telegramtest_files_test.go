package telegramtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// download GETs a URL and returns the status, body and Content-Type.
func download(t *testing.T, link string) (int, []byte, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the download: %v", err)
	}
	return resp.StatusCode, body, resp.Header.Get("Content-Type")
}

func TestUserDocumentGetFileAndDownload(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)
	csv := []byte("неделя;звонки\n1;10\n2;12\n")

	sent := srv.SendUserDocument(chat, alice, "plan.csv", "text/csv", csv, "план /import")
	if sent.DocumentFileID == "" || !bytes.Equal(sent.Document, csv) || sent.DocumentName != "plan.csv" ||
		sent.DocumentMIME != "text/csv" || sent.PlainCaption != "план /import" || sent.FromBot {
		t.Fatalf("stored message = %+v", sent)
	}
	ups := poll(t, srv, 0)
	if len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	d := m.Document
	if d == nil || d.FileID != sent.DocumentFileID || d.FileUniqueID == "" || d.FileName != "plan.csv" ||
		d.MimeType != "text/csv" || d.FileSize != int64(len(csv)) {
		t.Fatalf("document = %+v", d)
	}
	if m.Text != "" || m.Caption != "план /import" || m.From.ID != alice.ID || m.ID != sent.ID {
		t.Fatalf("message = text %q caption %q from %d id %d", m.Text, m.Caption, m.From.ID, m.ID)
	}
	// A command inside the caption is not at its start, so no entity.
	if len(m.CaptionEntities) != 0 {
		t.Fatalf("caption entities = %+v", m.CaptionEntities)
	}

	file, err := b.GetFile(ctx, &bot.GetFileParams{FileID: d.FileID})
	if err != nil {
		t.Fatal(err)
	}
	if file.FileID != d.FileID || file.FileUniqueID != d.FileUniqueID || file.FileSize != int64(len(csv)) ||
		file.FilePath != "documents/file_0.csv" {
		t.Fatalf("getFile = %+v", file)
	}
	link := b.FileDownloadLink(file)
	if link != srv.URL+"/file/bot"+srv.Token()+"/documents/file_0.csv" {
		t.Fatalf("download link = %q", link)
	}
	status, body, ct := download(t, link)
	if status != http.StatusOK || !bytes.Equal(body, csv) || ct != "text/csv" {
		t.Fatalf("download = %d %q %q", status, body, ct)
	}

	// The path stays; a second file gets the next number.
	again, err := b.GetFile(ctx, &bot.GetFileParams{FileID: d.FileID})
	if err != nil || again.FilePath != file.FilePath {
		t.Fatalf("second getFile = %+v, %v", again, err)
	}
	other := srv.SendUserDocument(chat, alice, "notes", "", []byte("просто текст"), "")
	if other.DocumentMIME != "text/plain" {
		t.Fatalf("guessed MIME type = %q", other.DocumentMIME)
	}
	if f2, err := b.GetFile(ctx, &bot.GetFileParams{FileID: other.DocumentFileID}); err != nil || f2.FilePath != "documents/file_1" {
		t.Fatalf("getFile of a file without extension = %+v, %v", f2, err)
	}

	// The calls are recorded.
	gets := srv.Calls("getFile")
	if len(gets) != 3 || gets[0].Param("file_id") != d.FileID || !gets[0].OK() {
		t.Fatalf("getFile calls = %+v", gets)
	}
	dls := srv.Calls(telegramtest.FileDownload)
	if len(dls) != 1 || dls[0].Param("file_path") != "documents/file_0.csv" || !dls[0].OK() || dls[0].Seq <= gets[0].Seq {
		t.Fatalf("download calls = %+v", dls)
	}

	// The user replies to their own document: the reply carries it.
	reply := srv.SendReply(chat, alice, "/import", sent.ID)
	ups = poll(t, srv, ups[0].ID+1)
	var r *models.Message
	for _, u := range ups {
		if u.Message != nil && u.Message.ID == reply.ID {
			r = u.Message.ReplyToMessage
		}
	}
	if r == nil || r.ID != sent.ID || r.Document == nil || r.Document.FileID != d.FileID ||
		r.Document.FileName != "plan.csv" || r.Caption != "план /import" || r.From.ID != alice.ID {
		t.Fatalf("reply_to_message = %+v", r)
	}

	// Editing a document edits its caption.
	ed := srv.EditText(chat, alice, sent.ID, "/import now")
	ups = poll(t, srv, ups[len(ups)-1].ID+1)
	if ed.PlainCaption != "/import now" || ed.PlainText != "" || len(ups) != 1 || ups[0].EditedMessage == nil ||
		ups[0].EditedMessage.Caption != "/import now" || ups[0].EditedMessage.Document == nil ||
		len(ups[0].EditedMessage.CaptionEntities) != 1 {
		t.Fatalf("edited document = %+v / %+v", ed, ups)
	}
}

func TestUserDocumentPrivacyInGroups(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	group := srv.Group(-4003, "Отдел")
	data := []byte("a,b\n")

	botMsg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Пришлите файл"})
	if err != nil {
		t.Fatal(err)
	}
	plain := srv.SendUserDocument(group, bob, "1.csv", "text/csv", data, "")                                // not for the bot
	chatty := srv.SendUserDocument(group, bob, "2.csv", "text/csv", data, "вот")                            // not for the bot
	srv.SendUserDocument(group, bob, "3.csv", "text/csv", data, "/import@OtherBot")                         // another bot's
	srv.SendUserDocument(group, bob, "4.csv", "text/csv", data, "/import@KpiTestBot")                       // a command for us
	srv.SendUserDocument(group, bob, "5.csv", "text/csv", data, "для @KpiTestBot")                          // a mention
	srv.SendUserDocument(group, bob, "6.csv", "text/csv", data, "", telegramtest.ReplyTo(botMsg.ID))        // a reply to the bot
	srv.SendReply(group, bob, "/import", plain.ID)                                                          // a command replying to a document
	srv.SendUserDocument(group, bob, "7.csv", "text/csv", data, "/import", telegramtest.ReplyTo(chatty.ID)) // a command with a reply

	var names []string
	for _, u := range poll(t, srv, 0) {
		m := u.Message
		switch {
		case m.Document != nil:
			names = append(names, m.Document.FileName)
		case m.ReplyToMessage != nil && m.ReplyToMessage.Document != nil:
			names = append(names, m.Text+">"+m.ReplyToMessage.Document.FileName)
		default:
			names = append(names, "?"+m.Text)
		}
	}
	if got := strings.Join(names, "|"); got != "4.csv|5.csv|6.csv|/import>1.csv|7.csv" {
		t.Fatalf("privacy mode let through %q", got)
	}

	// Without privacy mode every document arrives.
	open := telegramtest.New(t, telegramtest.WithPrivacyMode(false))
	g := open.Group(-4004, "Все видно")
	open.SendUserDocument(g, bob, "x.csv", "text/csv", data, "")
	if ups := poll(t, open, 0); len(ups) != 1 || ups[0].Message.Document == nil {
		t.Fatalf("without privacy mode: %+v", ups)
	}
}

func TestGetFileErrorsAndDownloadNotFound(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)

	_, err := b.GetFile(ctx, &bot.GetFileParams{FileID: "AgACAgIAAxkBAAIBnope"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "invalid file_id") {
		t.Fatalf("unknown file_id: %v", err)
	}
	status, body := apiCall(t, srv, "/bot"+srv.Token()+"/getFile", "application/json", `{}`)
	if status != 400 || body["description"] != "Bad Request: file_id not specified" {
		t.Fatalf("no file_id: %d %v", status, body)
	}
	if c := srv.Calls("getFile"); len(c) != 2 || c[0].Status != 400 || c[0].Description != "Bad Request: invalid file_id" {
		t.Fatalf("failed getFile calls = %+v", c)
	}

	// Telegram's 20 MB download limit.
	big := srv.SendUserDocument(chat, alice, "big.bin", "application/octet-stream", make([]byte, 20<<20+1), "")
	_, err = b.GetFile(ctx, &bot.GetFileParams{FileID: big.DocumentFileID})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "Bad Request: file is too big") {
		t.Fatalf("21 MB file: %v", err)
	}
	limit := srv.SendUserDocument(chat, alice, "limit.bin", "application/octet-stream", make([]byte, 20<<20), "")
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: limit.DocumentFileID})
	if err != nil || f.FileSize != 20<<20 || f.FilePath != "documents/file_0.bin" {
		t.Fatalf("exactly 20 MB: %+v, %v", f, err)
	}
	if status, body, _ := download(t, b.FileDownloadLink(f)); status != 200 || len(body) != 20<<20 {
		t.Fatalf("20 MB download: %d, %d bytes", status, len(body))
	}

	small := srv.SendUserDocument(chat, alice, "s.txt", "text/plain", []byte("hi"), "")
	sf, err := b.GetFile(ctx, &bot.GetFileParams{FileID: small.DocumentFileID})
	if err != nil {
		t.Fatal(err)
	}
	n := len(srv.Calls(telegramtest.FileDownload))
	for _, c := range []struct{ what, path string }{
		{"wrong token", "/file/bot123:nope/" + sf.FilePath},
		{"no token", "/file/bot"},
		{"unknown path", "/file/bot" + srv.Token() + "/documents/file_99.txt"},
		{"path getFile never gave", "/file/bot" + srv.Token() + "/documents/file_2.txt"},
		{"API path", "/file/bot" + srv.Token() + "/getMe"},
	} {
		status, body := apiCall(t, srv, c.path, "", "")
		if status != 404 || body["ok"] != false || body["error_code"] != 404.0 || body["description"] != "Not Found" {
			t.Errorf("%s: %d %v", c.what, status, body)
		}
	}
	if got := len(srv.Calls(telegramtest.FileDownload)) - n; got != 3 {
		t.Fatalf("recorded %d failed downloads, want 3 (not the ones with a wrong token)", got)
	}
	if status, body := apiCall(t, srv, "/file/bot"+srv.Token()+"/"+sf.FilePath, "text/plain", "x"); status != 404 || body["description"] != "Not Found" {
		t.Fatalf("POST to a file: %d %v", status, body)
	}

	// Failures for downloads are armed by name only.
	srv.FailNext("", 0, telegramtest.InternalServerError())
	if status, body, _ := download(t, b.FileDownloadLink(sf)); status != 200 || string(body) != "hi" {
		t.Fatalf("download with a failure armed for API methods: %d %q", status, body)
	}
	if srv.ArmedFailures() != 1 {
		t.Fatal("the download used up a failure armed for any method")
	}
	srv.FailNext(telegramtest.FileDownload, 0, telegramtest.InternalServerError())
	if _, err := b.GetMe(ctx); err == nil {
		t.Fatal("the failure armed for any method was not used by getMe")
	}
	if status, _, _ := download(t, b.FileDownloadLink(sf)); status != 500 {
		t.Fatalf("download with a failure armed for it: %d", status)
	}
	if status, body, _ := download(t, b.FileDownloadLink(sf)); status != 200 || string(body) != "hi" {
		t.Fatalf("download after the failure: %d %q", status, body)
	}
}

func TestBotSentFilesCanBeFetched(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	chat := srv.PrivateChat(alice)

	report := "week,calls\n1,10\n"
	doc, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID: chat.ID, Document: &models.InputFileUpload{Filename: "report.csv", Data: strings.NewReader(report)},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: doc.Document.FileID})
	if err != nil || f.FileUniqueID != doc.Document.FileUniqueID || f.FileSize != int64(len(report)) || f.FilePath != "documents/file_0.csv" {
		t.Fatalf("getFile of the bot's document = %+v, %v", f, err)
	}
	if status, body, _ := download(t, b.FileDownloadLink(f)); status != 200 || string(body) != report {
		t.Fatalf("download of the bot's document: %d %q", status, body)
	}

	pic := tinyPNG(t)
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: chat.ID, Photo: &models.InputFileUpload{Filename: "chart.png", Data: bytes.NewReader(pic)},
	})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := b.GetFile(ctx, &bot.GetFileParams{FileID: photo.Photo[0].FileID})
	if err != nil || pf.FilePath != "photos/file_1.jpg" {
		t.Fatalf("getFile of the bot's photo = %+v, %v", pf, err)
	}
	if status, body, _ := download(t, b.FileDownloadLink(pf)); status != 200 || !bytes.Equal(body, pic) {
		t.Fatalf("download of the bot's photo: %d, %d bytes", status, len(body))
	}

	// A user's document can be sent on by its file_id, and stays one file.
	userDoc := srv.SendUserDocument(chat, alice, "in.csv", "text/csv", []byte("x\n"), "")
	fwd, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chat.ID, Document: &models.InputFileString{Data: userDoc.DocumentFileID}})
	if err != nil || fwd.Document.FileID != userDoc.DocumentFileID || fwd.Document.FileName != "in.csv" {
		t.Fatalf("resent user document = %+v, %v", fwd, err)
	}
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat.ID, Photo: &models.InputFileString{Data: userDoc.DocumentFileID}}); err == nil ||
		!strings.Contains(err.Error(), "can't use file of type Document as Photo") {
		t.Fatalf("a document as a photo: %v", err)
	}
}

func TestBotImportsUserDocumentEndToEnd(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	srv := telegramtest.New(t, telegramtest.WithLogf(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}))
	b := newBot(t, srv, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		m := u.Message
		if m == nil || m.Text != "/import" || m.ReplyToMessage == nil || m.ReplyToMessage.Document == nil {
			return
		}
		answer := func(text string) {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: m.Chat.ID, Text: text})
		}
		f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: m.ReplyToMessage.Document.FileID})
		if err != nil {
			answer("getFile: " + err.Error())
			return
		}
		resp, err := http.Get(b.FileDownloadLink(f))
		if err != nil {
			answer("download: " + err.Error())
			return
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		answer(fmt.Sprintf("imported %d lines from %s", bytes.Count(data, []byte("\n")), m.ReplyToMessage.Document.FileName))
	}))
	startPolling(t, b)
	chat := srv.PrivateChat(alice)

	doc := srv.SendUserDocument(chat, alice, "week.csv", "text/csv", []byte("секретные,цифры\n1,2\n3,4\n"), "")
	seq := srv.SendReply(chat, alice, "/import", doc.ID).Seq
	msgs := srv.WaitMessages(t, chat.ID, 1, wait)
	if msgs[0].Text != "imported 3 lines from week.csv" {
		t.Fatalf("bot answered %q", msgs[0].Text)
	}
	var methods []string
	for _, c := range srv.CallsAfter(seq) {
		methods = append(methods, c.Method)
	}
	if got := strings.Join(methods, ","); got != "getFile,"+telegramtest.FileDownload+",sendMessage" {
		t.Fatalf("calls after the reply = %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range lines {
		if strings.Contains(l, srv.Token()) || strings.Contains(l, "секрет") || strings.Contains(l, "week.csv") {
			t.Fatalf("log line leaks: %q", l)
		}
	}
}
