package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// newFlagSet returns a FlagSet for a subcommand that reports its errors as
// usage errors instead of exiting, with a usage text on --help.
func newFlagSet(name string, stderr io.Writer, synopsis, about string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n\nFlags:\n%s", synopsis, about, fs.FlagUsages())
	}
	return fs
}

// errHelp is returned by parseFlags for --help: the usage was printed and the
// command ends with exit code 0.
var errHelp = pflag.ErrHelp

// parseFlags parses args and wraps flag errors as usage errors.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return errHelp
		}
		return usageError{fmt.Errorf("%s: %w", fs.Name(), err)}
	}
	return nil
}
