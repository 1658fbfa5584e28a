package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mskbench/mskbench/internal/atomicfile"
	"github.com/mskbench/mskbench/report"
)

// checkOutputs checks, before any load, that every file a run writes at its
// end can be written: -o, --cpuprofile and --memprofile. A problem is a
// usage error (exit code 2) naming the flag, the path and the reason.
func checkOutputs(f runFlags) error {
	var errs []error
	for _, o := range []struct{ flag, path string }{{"-o", f.output}, {"--junit", f.junit}, {"--cpuprofile", f.cpuprof}, {"--memprofile", f.memprof}} {
		if o.path == "" {
			continue
		}
		if o.flag == "-o" && isS3(o.path) {
			if _, _, err := parseS3(o.path); err != nil {
				errs = append(errs, fmt.Errorf("-o %w (nothing was run)", err))
			}
			continue
		}
		if err := atomicfile.Check(o.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: cannot be written: %w (nothing was run)", o.flag, o.path, err))
		}
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}

// fallbackPath is where saveResult puts a result whose -o file could not be
// written: $TMPDIR/mskbench-<runid>.json.
func fallbackPath(runID string) string {
	return filepath.Join(os.TempDir(), "mskbench-"+runID+".json")
}

// saveResult writes res to path (nothing when path is ""). When that fails
// it saves res to fallbackPath(runID) instead, so that nothing measured is
// lost, and returns an error naming both; the caller still prints the
// summary.
//
// A path s3://bucket/key uploads the result there (writeS3) with the AWS
// configuration awsCfg loads (the credentials MSK IAM uses).
func saveResult(ctx context.Context, path string, res *report.Result, runID string, awsCfg func(context.Context) (aws.Config, error), logf func(string, ...any)) error {
	if path == "" {
		return nil
	}
	var err error
	if isS3(path) {
		var cfg aws.Config
		if cfg, err = awsCfg(ctx); err == nil {
			err = writeS3(context.WithoutCancel(ctx), cfg, path, res)
		} else {
			err = fmt.Errorf("%w: %w", errNoAWS, err)
		}
	} else {
		err = report.WriteFile(path, res)
	}
	if err == nil {
		logf("result written to %s", path)
		return nil
	}
	fb := fallbackPath(runID)
	if ferr := report.WriteFile(fb, res); ferr != nil {
		return fmt.Errorf("write result file: %w; saving it to %s failed too: %v", err, fb, ferr)
	}
	return fmt.Errorf("write result file: %w; the result was saved to %s instead", err, fb)
}

// profiles is the CPU and heap profiling of one run (--cpuprofile,
// --memprofile). Write errors are kept, not dropped: a profile that could
// not be written completely is an error of the run.
type profiles struct {
	cpu     *os.File
	cpuW    *firstErrWriter
	memFile string
	stopped bool
}

// startProfiles starts CPU profiling into cpuFile and arranges a heap
// profile into memFile at stop; empty names turn them off.
func startProfiles(cpuFile, memFile string) (*profiles, error) {
	p := &profiles{memFile: memFile}
	if cpuFile != "" {
		f, err := os.Create(cpuFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("--cpuprofile: %w", err)}
		}
		p.cpu, p.cpuW = f, &firstErrWriter{w: f}
		if err := pprof.StartCPUProfile(p.cpuW); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	return p, nil
}

// stop ends the CPU profile, writes the heap profile and returns every
// write error; later calls do nothing.
func (p *profiles) stop() error {
	if p == nil || p.stopped {
		return nil
	}
	p.stopped = true
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := errors.Join(p.cpuW.err, p.cpu.Close()); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile %s: %w", p.cpu.Name(), err))
		}
	}
	if p.memFile != "" {
		if err := writeHeapProfile(p.memFile); err != nil {
			errs = append(errs, fmt.Errorf("--memprofile %s: %w", p.memFile, err))
		}
	}
	return errors.Join(errs...)
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := &firstErrWriter{w: f}
	werr := pprof.Lookup("heap").WriteTo(w, 0)
	return errors.Join(werr, w.err, f.Close())
}

// firstErrWriter passes writes to w and keeps the first error, for writers
// whose callers drop errors (runtime/pprof's CPU profile writer does).
type firstErrWriter struct {
	w   io.Writer
	err error
}

func (e *firstErrWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
