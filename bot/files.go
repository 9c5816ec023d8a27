package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"

	tg "github.com/go-telegram/bot"
)

// maxDownload is the largest file the bot reads; Telegram lets bots
// download up to 20 MB.
const maxDownload = 20 << 20

// Download returns the bytes of a file a user sent (getFile, then the
// file URL). The error never quotes the URL: it holds the token.
func (b *Bot) Download(ctx context.Context, id string) ([]byte, error) {
	f, err := b.api.GetFile(ctx, &tg.GetFileParams{FileID: id})
	if err != nil {
		return nil, fmt.Errorf("bot: getFile: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
	if err != nil {
		return nil, fmt.Errorf("bot: download: bad file path")
	}
	resp, err := b.files.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bot: download failed")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bot: download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("bot: download interrupted")
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("bot: download: over %d bytes", maxDownload)
	}
	return data, nil
}
