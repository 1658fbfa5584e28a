// Package atomicfile writes files so that a reader sees either the old
// content or the new, never a half-written file: the one atomic writer of
// mskbench (result files, sizing plans, Terraform variables). It imports
// the standard library only.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path atomically and durably: into a new temporary
// file in path's directory (".<name>.tmp-*"), which gets the permissions
// perm, is synced to disk and renamed over path; then the directory is
// synced so that the rename survives a crash (best effort: some file
// systems cannot sync a directory). An existing file is replaced only on
// success, and on any error the temporary file is removed. Errors name the
// failed step; callers add path.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600.
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
