package telegramtest

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// maxDownloadBytes is the largest file a bot may download: getFile answers
// "file is too big" above 20 MB.
const maxDownloadBytes = 20 << 20

// FileDownload is the Method of the recorded downloads from
// /file/bot<token>/<file_path>, with the parameter file_path. FailNext
// arms failures for downloads only under this name (FailNext("", ...) does
// not touch them). Downloads with a wrong token are not recorded, as
// API calls with one are not.
const FileDownload = "fileDownload"

// SendUserDocument has from send a file into chat as a document (file_id,
// file_unique_id, file_name, mime_type, file_size) with an optional caption,
// and queues the "message" update as SendText does. The caption gets the
// entities SendText finds in a text, and privacy mode treats it as a text:
// in a group, a document whose caption neither commands nor mentions the bot
// reaches the bot only as a reply to its message. mimeType "" is guessed
// from name and data as for a bot's upload. The bytes are kept under the
// file_id for getFile and the download link; the bot may also send the
// document again by its file_id. It returns the stored message
// (DocumentFileID is the file_id).
func (s *Server) SendUserDocument(chat Chat, from User, name, mimeType string, data []byte, caption string, opts ...SendOption) Message {
	if len(data) == 0 {
		s.errorf("SendUserDocument: Telegram does not send empty files")
	}
	data = bytes.Clone(data)
	if mimeType == "" {
		mimeType = documentMIME(&filePart{fileName: name, data: data})
	}
	return s.userMessage(chat, from, nil, func(m *message) {
		m.document = s.newFileLocked("document", name, mimeType, data, 0, 0)
		m.caption, m.plainCaption, m.captionEntities = caption, caption, s.userEntities(caption)
	}, 0, opts)
}

// getFile answers a File for a file the bot may download: any file a user
// sent or the bot sent. Its file_path is given on the first getFile of the
// file ("documents/file_0.csv", "photos/file_1.jpg", numbered from 0 per
// bot as Telegram does) and stays the same afterwards.
func (s *Server) getFile(c *callCtx) (any, *apiError) {
	id := strings.TrimSpace(c.p.str("file_id"))
	if id == "" {
		return nil, badRequest("file_id not specified")
	}
	f := s.files[id]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > maxDownloadBytes {
		return nil, badRequest("file is too big")
	}
	if f.path == "" {
		f.path = fmt.Sprintf("%s/file_%d%s", fileDir(f.kind), s.pathSeq, fileExt(f))
		s.pathSeq++
		s.paths[f.path] = f
	}
	w := map[string]any{"file_id": f.id, "file_unique_id": f.uniqueID, "file_path": f.path}
	if len(f.data) > 0 {
		w["file_size"] = len(f.data)
	}
	return w, nil
}

// fileDir is the directory of a file_path, by the kind of file.
func fileDir(kind string) string {
	if kind == "photo" {
		return "photos"
	}
	return kind + "s"
}

// fileExt is a file_path's extension: .jpg for photos (Telegram stores
// them as JPEG), the file name's extension for documents when it is a sane
// one, else none.
func fileExt(f *storedFile) string {
	if f.kind == "photo" {
		return ".jpg"
	}
	ext := path.Ext(f.name)
	if len(ext) < 2 || len(ext) > 12 {
		return ""
	}
	for i := 1; i < len(ext); i++ {
		if !isAlnum(ext[i]) {
			return ""
		}
	}
	return ext
}

// serveFile answers GET /file/bot<token>/<file_path> with the file's bytes.
// Like Telegram, it answers 404 {"ok":false,...,"description":"Not Found"}
// for a wrong token as well as for an unknown path (a path exists once
// getFile gave it) or a method other than GET and HEAD.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	notFound := &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	token, filePath, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		writeError(w, notFound)
		return
	}

	s.mu.Lock()
	call := &Call{Seq: s.nextSeqLocked(), Method: FileDownload, At: time.Now(), Params: map[string]string{"file_path": filePath}}
	s.calls = append(s.calls, call)
	aerr := s.takeFailureLocked(FileDownload, 0)
	var f *storedFile
	if aerr == nil {
		f = s.paths[filePath]
		if f == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			aerr = notFound
		}
	}
	call.Status = http.StatusOK
	if aerr != nil {
		call.Status, call.Description = aerr.Code, aerr.Description
	}
	s.bumpLocked()
	s.mu.Unlock()

	if s.logf != nil {
		if aerr != nil {
			s.logf("telegramtest: #%d %s -> %d %s", call.Seq, FileDownload, call.Status, redactQuoted(aerr.Description))
		} else {
			s.logf("telegramtest: #%d %s -> %d", call.Seq, FileDownload, call.Status)
		}
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ct := f.mime
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	// The stored bytes are never changed, so they are read without the lock.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}
