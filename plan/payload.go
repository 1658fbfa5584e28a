package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Limits of a payload sample (producers.payload.file), held in memory by
// every step that uses it.
const (
	// MaxPayloadBytes bounds the bytes of a sample: a file, or every file
	// of a directory together.
	MaxPayloadBytes = 256 << 20
	// MaxPayloadRecords bounds the records of a sample.
	MaxPayloadRecords = 1_000_000
)

// LoadPayload reads the records of a payload sample (see [Payload]): the
// lines of a file (without their newline; empty lines skipped), or the
// regular files of a directory, one record each, in name order
// (subdirectories and names starting with "." skipped). It fails for a
// sample without a record, larger than [MaxPayloadBytes] or with more than
// [MaxPayloadRecords] records, and for a record longer than maxRecord
// bytes (0: no limit). The one reader of samples: validation and the
// engine both call it.
func LoadPayload(path string, maxRecord int) ([][]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", path, pathErr(err))
	}
	var recs [][]byte
	switch {
	case st.IsDir():
		recs, err = loadPayloadDir(path)
	case st.Mode().IsRegular():
		recs, err = loadPayloadLines(path, st.Size())
	default:
		return nil, fmt.Errorf("payload %s: not a regular file or a directory", path)
	}
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("payload %s: no records (a file of newline-delimited records, or a directory of files)", path)
	}
	for i, r := range recs {
		if maxRecord > 0 && len(r) > maxRecord {
			return nil, fmt.Errorf("payload %s: record %d is %d bytes; with the stamp a message must fit %d bytes", path, i+1, len(r), maxRecord)
		}
	}
	return recs, nil
}

// loadPayloadLines reads the newline-delimited records of a file of size
// bytes.
func loadPayloadLines(path string, size int64) ([][]byte, error) {
	if size > MaxPayloadBytes {
		return nil, fmt.Errorf("payload %s: %d bytes, more than the %d MiB a sample may hold", path, size, MaxPayloadBytes>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", path, pathErr(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPayloadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", path, err)
	}
	if len(data) > MaxPayloadBytes {
		return nil, fmt.Errorf("payload %s: more than the %d MiB a sample may hold", path, MaxPayloadBytes>>20)
	}
	var recs [][]byte
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		if len(recs) == MaxPayloadRecords {
			return nil, fmt.Errorf("payload %s: more than %d records", path, MaxPayloadRecords)
		}
		recs = append(recs, line[:len(line):len(line)])
	}
	return recs, nil
}

// loadPayloadDir reads the regular files of a directory, one record each.
func loadPayloadDir(dir string) ([][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", dir, pathErr(err))
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) > MaxPayloadRecords {
		return nil, fmt.Errorf("payload %s: %d files, more than %d records", dir, len(names), MaxPayloadRecords)
	}
	var total int64
	recs := make([][]byte, 0, len(names))
	for _, n := range names {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("payload %s: %w", p, pathErr(err))
		}
		if total += st.Size(); total > MaxPayloadBytes {
			return nil, fmt.Errorf("payload %s: its files hold more than the %d MiB a sample may hold", dir, MaxPayloadBytes>>20)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("payload %s: %w", p, pathErr(err))
		}
		recs = append(recs, data)
	}
	return recs, nil
}

// pathErr returns the cause of a file system error (its path is named by
// the caller), or err itself.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// MeanLen returns the mean length of records in bytes (0 without any).
func MeanLen(records [][]byte) float64 {
	if len(records) == 0 {
		return 0
	}
	var n int64
	for _, r := range records {
		n += int64(len(r))
	}
	return float64(n) / float64(len(records))
}

// MaxLen returns the length of the longest record in bytes.
func MaxLen(records [][]byte) int {
	m := 0
	for _, r := range records {
		m = max(m, len(r))
	}
	return m
}
