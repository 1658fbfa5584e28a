package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/internal/suggest"
)

// newFlagSet returns the FlagSet of subcommand name, which reports its
// errors as usage errors instead of exiting and prints its help on stdout
// for --help (and `mskbench help NAME`): the usage line, generated from the
// flags so that it lists every one (args are the positional arguments,
// e.g. "SCENARIO"), then about, then each flag with its help text.
func newFlagSet(name string, stdout io.Writer, args, about string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, help goes to stdout
	fs.SortFlags = false
	fs.Usage = func() {
		flags := "Flags:\n" + fs.FlagUsages()
		if !fs.HasFlags() {
			flags = "It takes no flags.\n"
		}
		fmt.Fprintf(stdout, "Usage: %s\n\n%s\n\n%s", usageLine(fs, args), about, flags)
	}
	return fs
}

// usageLine returns "mskbench NAME [--flag TYPE] ... ARGS", every flag of fs
// in order (a repeatable one with "..."), wrapped at 100 columns.
func usageLine(fs *pflag.FlagSet, args string) string {
	words := []string{"mskbench", fs.Name()}
	fs.VisitAll(func(f *pflag.Flag) {
		w := "--" + f.Name
		if f.Shorthand != "" {
			w = "-" + f.Shorthand + "|" + w
		}
		if t := flagType(f); t != "" {
			w += " " + t
		}
		if strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice") {
			w += " ..."
		}
		words = append(words, "["+w+"]")
	})
	if args != "" {
		words = append(words, args)
	}
	var b strings.Builder
	col := 0
	for i, w := range words {
		if i > 0 && col+1+len(w) > 100 {
			b.WriteString("\n       ")
			col = 7
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

// flagType names the value a flag takes in a usage line ("" for a boolean).
func flagType(f *pflag.Flag) string {
	if f.NoOptDefVal != "" {
		return ""
	}
	name, _ := pflag.UnquoteUsage(f)
	name = strings.TrimSuffix(strings.TrimSuffix(name, "Array"), "Slice") // repeatable: "..." follows
	if name == "strings" {
		name = "string"
	}
	return strings.ToUpper(name)
}

// errHelp is returned by parseFlags for --help: the usage was printed and the
// command ends with exit code 0.
var errHelp = pflag.ErrHelp

// unknownFlagRE matches pflag's messages for an unknown flag.
var unknownFlagRE = regexp.MustCompile(`^unknown (?:shorthand )?flag: (?:--([^\s=]+)|'(.)' in)`)

// parseFlags parses args and wraps flag errors as usage errors; an unknown
// flag gets the nearest known one as a suggestion ("did you mean
// --brokers?").
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		if m := unknownFlagRE.FindStringSubmatch(err.Error()); m != nil && m[1] != "" {
			var names []string
			fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
			if s := suggest.Nearest(strings.ToLower(m[1]), names); s != "" {
				err = fmt.Errorf("%w (did you mean --%s?)", err, s)
			}
		}
		return usageError{fmt.Errorf("%s: %w (see: mskbench help %s)", fs.Name(), err, fs.Name())}
	}
	return nil
}

// noArgs returns a usage error when fs has positional arguments: a command
// that takes none refuses stray ones.
func noArgs(fs *pflag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (it takes none; see: mskbench help %s)", fs.Name(), fs.Args(), fs.Name())}
	}
	return nil
}
