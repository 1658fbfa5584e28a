package main

import (
	"errors"
	"fmt"
	"strings"
)

// labelFlagUsage is the help text of the repeatable --label flag of `run`.
const labelFlagUsage = "record a label in the result file, e.g. --label ci_job=nightly --label commit=$GIT_SHA (repeatable)"

// parseLabels turns --label key=value flags into the result's labels. Keys
// must be non-empty and unique; values may be empty and may contain '='.
// Every problem is reported at once as a usage error. No flags give nil.
func parseLabels(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	labels := make(map[string]string, len(flags))
	var errs []error
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		switch {
		case !ok || k == "":
			errs = append(errs, fmt.Errorf("--label %q: want key=value", f))
		case hasKey(labels, k):
			errs = append(errs, fmt.Errorf("--label %q: label %s given twice", f, k))
		default:
			labels[k] = v
		}
	}
	if len(errs) > 0 {
		return nil, usageError{errors.Join(errs...)}
	}
	return labels, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
