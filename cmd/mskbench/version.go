package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/pflag"
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

func versionFlagSet(stdout io.Writer) *pflag.FlagSet {
	return newFlagSet("version", stdout, "", "Prints the version of mskbench, its commit and the Go version it was built with.")
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := versionFlagSet(stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
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
