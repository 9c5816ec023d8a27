package bot

import (
	"bytes"
	"io"
	"net/http"
)

// apiTransport is the HTTP transport to the Bot API. It keeps enough idle
// connections for many chats' replies at once (the default keeps two per
// host, so under load nearly every call opened a new TCP connection), and
// sends each request body in one piece: go-telegram/bot streams its
// multipart body through a pipe, which would go out as many small chunks.
func apiTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	return wholeBody{t}
}

// wholeBody reads a streamed request body before sending it, so that it
// goes with a Content-Length and can be sent again on a retried connection.
type wholeBody struct{ next http.RoundTripper }

func (w wholeBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.ContentLength > 0 {
		return w.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return w.next.RoundTrip(r)
}
