package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // decode GIF photos
	_ "image/jpeg" // decode JPEG photos
	_ "image/png"  // decode PNG photos
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Telegram's photo limits.
const (
	maxPhotoSides = 10000 // width + height
	maxPhotoRatio = 20
)

// inputFileLocked reads the file a send method carries in field kind
// ("photo" or "document"): an uploaded file part, "attach://<part>", an
// HTTP URL, or the file_id of a file sent before.
func (s *Server) inputFileLocked(p *params, kind string) (*storedFile, *apiError) {
	if fp := p.files[kind]; fp != nil {
		return s.storeUploadLocked(fp, kind)
	}
	v := strings.TrimSpace(p.str(kind))
	if v == "" {
		return nil, badRequest("there is no " + kind + " in the request")
	}
	if name, ok := strings.CutPrefix(v, "attach://"); ok {
		fp := p.files[name]
		if fp == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		return s.storeUploadLocked(fp, kind)
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		return s.newFileLocked(kind, path.Base(u.Path), "", nil, 0, 0), nil
	}
	f := s.files[v]
	if f == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if f.kind != kind {
		return nil, badRequest(fmt.Sprintf("can't use file of type %s as %s", title(f.kind), title(kind)))
	}
	return f, nil
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// storeUploadLocked checks an uploaded file as Telegram does (a photo must
// be an image of sane dimensions) and stores it under a new file_id.
func (s *Server) storeUploadLocked(fp *filePart, kind string) (*storedFile, *apiError) {
	if len(fp.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	if kind == "photo" {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(fp.data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		w, h := cfg.Width, cfg.Height
		if w <= 0 || h <= 0 || w+h > maxPhotoSides || w > maxPhotoRatio*h || h > maxPhotoRatio*w {
			return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		return s.newFileLocked(kind, fp.fileName, "image/jpeg", fp.data, w, h), nil
	}
	return s.newFileLocked(kind, fp.fileName, documentMIME(fp), fp.data, 0, 0), nil
}

// documentMIME guesses a document's MIME type as Telegram does, from the
// file name first and the content second.
func documentMIME(fp *filePart) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(fp.fileName))); t != "" {
		return strings.SplitN(t, ";", 2)[0]
	}
	if fp.mimeType != "" && fp.mimeType != "application/octet-stream" {
		return fp.mimeType
	}
	return strings.SplitN(http.DetectContentType(fp.data), ";", 2)[0]
}

func (s *Server) newFileLocked(kind, name, mimeType string, data []byte, w, h int) *storedFile {
	s.fileSeq++
	f := &storedFile{
		id:       fmt.Sprintf("fake-%s-%d-%d", kind, s.botID%100000, s.fileSeq),
		uniqueID: fmt.Sprintf("uniq-%s-%d", kind, s.fileSeq),
		kind:     kind, name: name, mime: mimeType, data: data, width: w, height: h,
	}
	s.files[f.id] = f
	return f
}
