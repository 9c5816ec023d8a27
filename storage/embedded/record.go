package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Record framing (little endian), shared by the journal and the snapshot:
//
//	uint32 payload length
//	uint32 CRC-32C (Castagnoli) of the payload
//	payload:
//	  int64  execution time, unix nanoseconds
//	  uint32 number of commands
//	  per command: uint32 argc, then per argument uint32 length + bytes
//
// The execution time is not in the lead's original sketch: replay sets the
// server clock to it before applying the record, so TTLs run out at the same
// point of the command history as they did live (see replay.go).
const (
	headerSize = 8
	// minPayload is the smallest well-formed payload (time + command count). It
	// also makes an all-zero header (a zero-filled tail left by a crash, whose
	// CRC-32C of the empty payload is 0) read as torn instead of valid.
	minPayload = 12
	// maxPayload bounds the allocation made for a length read from disk.
	maxPayload = 512 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks a record that is incomplete or fails its checksum: the
// expected shape of the last record after a crash mid-append.
var errTorn = errors.New("torn record")

// record is one atomic unit of the journal or snapshot: all its commands are
// replayed, or none.
type record struct {
	ts   int64      // unix nanoseconds at which the commands ran
	cmds [][]string // each command with its arguments, name first
}

// appendRecord appends the framed encoding of r to buf.
func appendRecord(buf []byte, r record) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, headerSize)...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.ts))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r.cmds)))
	for _, c := range r.cmds {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(c)))
		for _, a := range c {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(a)))
			buf = append(buf, a...)
		}
	}
	payload := buf[start+headerSize:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
	return buf
}

// readRecord reads the next record from r. It returns io.EOF at a clean end
// of input, an error wrapping errTorn for an incomplete or corrupt frame, and
// the number of bytes the record occupied.
func readRecord(r *bufio.Reader) (record, int64, error) {
	var hdr [headerSize]byte
	n, err := io.ReadFull(r, hdr[:])
	if err == io.EOF {
		return record{}, 0, io.EOF
	}
	if err != nil {
		return record{}, 0, fmt.Errorf("%w: %d-byte header", errTorn, n)
	}
	size := binary.LittleEndian.Uint32(hdr[0:])
	sum := binary.LittleEndian.Uint32(hdr[4:])
	if size < minPayload || size > maxPayload {
		return record{}, 0, fmt.Errorf("%w: implausible length %d", errTorn, size)
	}
	payload := make([]byte, size)
	if n, err := io.ReadFull(r, payload); err != nil {
		return record{}, 0, fmt.Errorf("%w: payload %d of %d bytes", errTorn, n, size)
	}
	if crc32.Checksum(payload, castagnoli) != sum {
		return record{}, 0, fmt.Errorf("%w: checksum mismatch", errTorn)
	}
	rec, err := decodePayload(payload)
	if err != nil {
		// The checksum matched, so this is not a torn write but a record we
		// wrote wrongly: refuse rather than guess.
		return record{}, 0, err
	}
	return rec, headerSize + int64(size), nil
}

// decodePayload parses a checksummed payload. It fails when the payload is
// internally inconsistent.
func decodePayload(p []byte) (record, error) {
	bad := func(what string) (record, error) {
		return record{}, fmt.Errorf("embedded store: malformed record (%s)", what)
	}
	u32 := func() (uint32, bool) {
		if len(p) < 4 {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(p)
		p = p[4:]
		return v, true
	}
	if len(p) < minPayload {
		return bad("short payload")
	}
	rec := record{ts: int64(binary.LittleEndian.Uint64(p))}
	p = p[8:]
	ncmd, _ := u32()
	if uint64(ncmd)*4 > uint64(len(p)) {
		return bad("command count")
	}
	rec.cmds = make([][]string, 0, ncmd)
	for range ncmd {
		argc, ok := u32()
		if !ok || uint64(argc)*4 > uint64(len(p)) {
			return bad("argument count")
		}
		cmd := make([]string, 0, argc)
		for range argc {
			l, ok := u32()
			if !ok || uint64(l) > uint64(len(p)) {
				return bad("argument length")
			}
			cmd = append(cmd, string(p[:l]))
			p = p[l:]
		}
		rec.cmds = append(rec.cmds, cmd)
	}
	if len(p) != 0 {
		return bad("trailing bytes")
	}
	return rec, nil
}
