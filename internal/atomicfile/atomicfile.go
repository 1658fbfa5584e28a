// Package atomicfile writes files so that a reader sees either the old
// content or the new, never a half-written file: the one atomic writer of
// mskbench (result files, sizing plans, Terraform variables). It imports
// the standard library only.
package atomicfile

import (
	"errors"
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
//
// A path that exists and is not a regular file (a device such as
// /dev/stdout, a FIFO) cannot be replaced by a rename: it is written in
// place, and a short or failed write is an error.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		return writeInPlace(path, data)
	}
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

// writeInPlace writes data to the existing non-regular file path.
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkSize is how many bytes Check writes and syncs: enough to find a file
// system that is full, not enough to matter.
const checkSize = 4096

// Check reports, before anything is computed, whether Write could write
// path: the directory exists and is a directory, a file can be created in
// it, and checkSize bytes can be written and synced there (a full file
// system fails here, not at the end of a long run). The probe file is
// removed. An existing directory at path is an error; an existing
// non-regular file (a device, a FIFO) is accepted as it is, since Write
// writes it in place. It changes nothing at path itself.
func Check(path string) error {
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		if !st.Mode().IsRegular() {
			return nil
		}
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, unwrapPath(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, "."+base+".check-*")
	if err != nil {
		return fmt.Errorf("cannot create a file in %s: %w", dir, unwrapPath(err))
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(make([]byte, checkSize)); err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, unwrapPath(err))
	}
	return nil
}

// unwrapPath returns the reason of a *PathError (its path is already named).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
