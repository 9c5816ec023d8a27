package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBodyBytes bounds a request body (Telegram's own upload limit is 50 MB).
const maxBodyBytes = 64 << 20

// params are the parameters of one API call, from the query string and a
// multipart/form-data, application/x-www-form-urlencoded or application/json
// body. Every value is kept as text: plain strings as they are, numbers and
// booleans as written, and objects or arrays (reply_markup, commands, ...) as
// JSON text, which is how a multipart form carries them anyway.
type params struct {
	values map[string]string
	files  map[string]*filePart
}

// filePart is an uploaded file.
type filePart struct {
	field    string
	fileName string
	mimeType string
	data     []byte
}

func parseParams(r *http.Request) (*params, error) {
	p := &params{values: map[string]string{}, files: map[string]*filePart{}}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.values[k] = v[0]
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return p, fmt.Errorf("can't read the request body")
	}
	// go-telegram/bot sends methods without parameters (getMe,
	// getWebhookInfo) as an empty body labelled multipart/form-data.
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		return p, p.readMultipart(body, ctParams["boundary"])
	case ct == "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return p, fmt.Errorf("can't parse the request body")
		}
		for k, v := range q {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
		return p, nil
	case ct == "application/json" || body[0] == '{':
		return p, p.readJSON(body)
	}
	return p, nil
}

func (p *params) readMultipart(body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("can't parse the multipart body")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errors.New("can't parse the multipart body")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return errors.New("can't parse the multipart body")
		}
		name := part.FormName()
		if part.FileName() != "" {
			p.files[name] = &filePart{
				field:    name,
				fileName: part.FileName(),
				mimeType: part.Header.Get("Content-Type"),
				data:     data,
			}
			continue
		}
		p.values[name] = string(data)
	}
}

func (p *params) readJSON(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return errors.New("can't parse JSON encoded request body")
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case bytes.Equal(raw, []byte("null")):
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return errors.New("can't parse JSON encoded request body")
			}
			p.values[k] = s
		default:
			p.values[k] = string(raw)
		}
	}
	return nil
}

// has reports whether the parameter was given at all.
func (p *params) has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// str returns the parameter's text, "" when absent.
func (p *params) str(name string) string { return p.values[name] }

// integer returns the parameter as an integer: 0 and ok=false when absent or
// not a number.
func (p *params) integer(name string) (int64, bool) {
	v := strings.TrimSpace(p.values[name])
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

// boolean reports whether the parameter is true ("true" or "1").
func (p *params) boolean(name string) bool {
	v := strings.ToLower(strings.TrimSpace(p.values[name]))
	return v == "true" || v == "1"
}

// fileInfos describes the uploaded files for a Call.
func (p *params) fileInfos() map[string]FileInfo {
	if len(p.files) == 0 {
		return nil
	}
	out := make(map[string]FileInfo, len(p.files))
	for k, f := range p.files {
		out[k] = FileInfo{FileName: f.fileName, MIMEType: f.mimeType, Size: len(f.data)}
	}
	return out
}
