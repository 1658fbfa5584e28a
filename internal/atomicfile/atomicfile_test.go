package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new content"), 0o644); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new content" {
		t.Fatalf("file holds %q, %v; want the new content", got, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", st.Mode().Perm(), err)
	}
	// A failed write leaves the old file and no temporary file: renaming
	// over a directory fails after the data was written.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("data"), 0o644); err == nil {
		t.Error("Write over a non-empty directory succeeded, want an error")
	}
	if err := Write(filepath.Join(dir, "missing", "f"), []byte("data"), 0o644); err == nil {
		t.Error("Write into a missing directory succeeded, want an error")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "result.json" && e.Name() != "sub" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	// A bare file name writes into the working directory.
	t.Chdir(dir)
	if err := Write("bare.txt", []byte("x"), 0o644); err != nil {
		t.Fatalf("Write(bare.txt): %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "bare.txt")); string(got) != "x" {
		t.Errorf("bare.txt holds %q", got)
	}
}

// Check finds what would make Write fail, before any work: a missing
// directory, a path that is a directory, a directory that is not writable;
// and accepts a writable directory and an existing device, leaving nothing
// behind.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		path string
		want string // "" = no error
	}{
		{filepath.Join(dir, "r.json"), ""},
		{filepath.Join(dir, "missing", "r.json"), "no such file or directory"},
		{dir, "is a directory"},
		{"/dev/null", ""},
	} {
		err := Check(tt.path)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%s) = %v, want nil", tt.path, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Check(%s) = %v, want an error containing %q", tt.path, err, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Check left %d files behind", len(entries))
	}
	// A read-only directory (only when permissions apply: not as root).
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if err := Check(filepath.Join(ro, "r.json")); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("Check in a read-only directory = %v, want permission denied", err)
		}
	}
}

// A device is written in place, never replaced: writing to /dev/full fails
// with the file system's reason, and /dev/full is still a device after.
func TestWriteDevice(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	err := Write("/dev/full", []byte("data"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Write(/dev/full) = %v, want no space left on device", err)
	}
	if st, err := os.Stat("/dev/full"); err != nil || st.Mode().IsRegular() {
		t.Fatalf("/dev/full is no longer a device: %v %v", st.Mode(), err)
	}
	if err := Write("/dev/null", []byte("data"), 0o644); err != nil {
		t.Errorf("Write(/dev/null) = %v", err)
	}
}
