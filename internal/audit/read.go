package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxLine bounds the memory one line may take. A longer line cannot be a
// record Append wrote for any real plan; it is skipped, not read whole.
const maxLine = 16 << 20

// Read returns the last limit records of the audit log at path (all of
// them when limit <= 0), oldest first. A missing file holds no records.
//
// Lines that are not a whole record (a line torn by a crash, corrupt or
// overlong lines) are skipped and counted in skipped, over the whole file;
// they never stop the reading. Blank lines are ignored.
func Read(path string, limit int) (records []Record, skipped int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	defer func() { _ = f.Close() }()

	tail := newRing(limit)
	err = eachLine(f, func(line []byte, whole bool) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 && whole {
			return
		}
		r, ok := parse(line, whole)
		if !ok {
			skipped++
			return
		}
		tail.add(r)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log %s: %w", path, err)
	}
	return tail.records(), skipped, nil
}

// parse decodes one line. Only a JSON object counts: "null" or "3" would
// otherwise decode into an empty Record.
func parse(line []byte, whole bool) (Record, bool) {
	var r Record
	if !whole || len(line) == 0 || line[0] != '{' {
		return r, false
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return r, false
	}
	return r, true
}

// eachLine calls fn for every line of r without its newline. whole is
// false for a line longer than maxLine (fn then gets no bytes). A last line
// without a newline is passed as is: if a crash cut it, it will not parse.
func eachLine(r io.Reader, fn func(line []byte, whole bool)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line spanning more than one buffer
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if !tooLong {
				long = append(long, chunk...)
				if len(long) > maxLine {
					tooLong, long = true, nil
				}
			}
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return err
		}
		line := bytes.TrimSuffix(chunk, []byte("\n"))
		if long != nil {
			line = append(long, line...)
			long = nil
		}
		if tooLong || len(line) > maxLine {
			fn(nil, false)
		} else if len(line) > 0 || err == nil {
			fn(line, true)
		}
		tooLong = false
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// ring keeps the last n records, or all of them when n <= 0.
type ring struct {
	n    int
	buf  []Record
	next int // where the next record goes once buf is full
}

func newRing(n int) *ring { return &ring{n: n} }

func (r *ring) add(rec Record) {
	if r.n <= 0 || len(r.buf) < r.n {
		r.buf = append(r.buf, rec)
		return
	}
	r.buf[r.next] = rec
	r.next = (r.next + 1) % r.n
}

// records returns the kept records oldest first.
func (r *ring) records() []Record {
	if r.next == 0 {
		return r.buf
	}
	return append(r.buf[r.next:len(r.buf):len(r.buf)], r.buf[:r.next]...)
}
