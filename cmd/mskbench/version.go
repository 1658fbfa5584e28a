package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// buildCommit is set at build time with -ldflags "-X main.buildCommit=..."; without it
// the VCS revision stamped by the go command is used, when there is one.
var buildCommit = ""

// buildInfo returns the tool version and the VCS commit, when known.
func buildInfo() (ver, commit string) {
	ver, commit = version, commitOverride()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && commit == "unknown" {
				commit = s.Value
			}
		}
		if ver == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
	}
	return ver, commit
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	v, c := buildInfo()
	fmt.Fprintf(stdout, "mskbench %s (commit %s, %s)\n", v, c, runtime.Version())
	return nil
}

func commitOverride() string {
	if buildCommit != "" {
		return buildCommit
	}
	return "unknown"
}
