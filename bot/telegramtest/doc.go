// Package telegramtest is a fake Telegram Bot API server for tests.
//
// It runs on net/http/httptest and answers the methods a bot built on
// github.com/go-telegram/bot uses with the JSON shapes, HTTP statuses and
// error descriptions of the real Bot API, so an end-to-end test can run the
// real bot against it:
//
//	srv := telegramtest.New(t)
//	b, _ := bot.New(srv.Token(), bot.WithServerURL(srv.URL))
//	alice := telegramtest.User{ID: 42, FirstName: "Alice"}
//	chat := srv.PrivateChat(alice)
//	srv.SendText(chat, alice, "/start")
//	msgs := srv.WaitMessages(t, chat.ID, 1, 5*time.Second)
//
// The test side (users typing, pressing buttons, adding the bot to groups,
// injected failures) is driven through the Server's methods, and everything
// the bot did can be inspected through snapshots (Messages, Calls, Commands,
// CallbackAnswers, WebhookDeliveries). Waiting never sleeps: every change to
// the state wakes the waiters.
//
// Files go both ways: a user sends a document with SendUserDocument, and
// the bot gets its File with getFile and downloads the bytes from
// bot.FileDownloadLink (/file/bot<token>/<file_path>), as it may for the
// photos and documents it sent itself; files over 20 MB answer "file is too
// big", as Telegram's do.
//
// The fake never logs the bot token or any message text.
package telegramtest
