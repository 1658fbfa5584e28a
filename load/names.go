package load

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Run ids and the names they give a run's topics and consumer groups:
//
//	topic           <prefix><run id>-<step>-<topic>       (TopicNames)
//	consumer group  <prefix><run id>-<step>-g<group>      (GroupID)
//	precondition    <prefix>precondition-<run id>-...     (its own prefix)
//	anything else   <prefix><run id>-<more>               (e.g. a shard control topic)
//
// ParseName recognises them; `mskbench clean` deletes nothing else.

// runIDTimeDigits is the length of the base-36 start time (unix seconds)
// that begins a run id of NewRunID: 6 digits hold times up to 2038-12-24.
const runIDTimeDigits = 6

// runIDRandomDigits is the number of random hex digits after it.
const runIDRandomDigits = 4

// legacyRunIDDigits is the length of the run ids of earlier versions: 8
// random hex digits, without a time.
const legacyRunIDDigits = 8

// earliestRunID is the earliest start time a run id of NewRunID is taken
// to carry: base-36 words that decode to earlier times are not run ids.
var earliestRunID = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// preconditionInfix follows the topic prefix in the names of a
// precondition step (scenarios/ramp.go names its prefix so).
const preconditionInfix = "precondition-"

// NewRunID returns a new run id that carries the run's start time: now in
// unix seconds as 6 base-36 digits followed by 4 random hex digits, e.g.
// "tkx3b2a3f9" (10 characters of 0-9a-z). RunIDTime reads the time back.
func NewRunID(now time.Time) string {
	b := make([]byte, runIDRandomDigits/2)
	_, _ = rand.Read(b)
	t := strconv.FormatInt(now.Unix(), 36)
	if len(t) < runIDTimeDigits {
		t = strings.Repeat("0", runIDTimeDigits-len(t)) + t
	}
	return t + hex.EncodeToString(b)
}

// RunIDTime returns the start time a run id of NewRunID carries (to the
// second), and false for any other id (a legacy id of 8 hex digits, one
// given by --run-id).
func RunIDTime(id string) (time.Time, bool) {
	if len(id) != runIDTimeDigits+runIDRandomDigits || !isDigits(id[runIDTimeDigits:], 16) || !isDigits(id[:runIDTimeDigits], 36) {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(id[:runIDTimeDigits], 36, 64)
	if err != nil {
		return time.Time{}, false
	}
	t := time.Unix(secs, 0)
	if t.Before(earliestRunID) {
		return time.Time{}, false
	}
	return t, true
}

// isGeneratedRunID reports whether id is one mskbench makes: NewRunID's
// or the 8 hex digits of earlier versions.
func isGeneratedRunID(id string) bool {
	if _, ok := RunIDTime(id); ok {
		return true
	}
	return len(id) == legacyRunIDDigits && isDigits(id, 16)
}

// isDigits reports whether s holds only lower-case digits of base 16 or 36.
func isDigits(s string, base int) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || base == 16 && c >= 'a' && c <= 'f' || base == 36 && c >= 'a' && c <= 'z') {
			return false
		}
	}
	return s != ""
}

// ParseName reports whether name is a name mskbench gives to something a
// run creates under prefix — prefix, optionally preconditionInfix, a run
// id, "-" and at least one more character — and returns the run id. With
// runID "" the run id must be one mskbench generates (NewRunID's, or the 8
// hex digits of earlier versions): "mskbench-orders" or
// "mskbench-orders-0-0" are not such names. With a runID (an id given with
// --run-id or by a job engine), only that run's names match.
func ParseName(prefix, runID, name string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || prefix == "" {
		return "", false
	}
	if runID != "" {
		for _, r := range []string{rest, strings.TrimPrefix(rest, preconditionInfix)} {
			if more, ok := strings.CutPrefix(r, runID+"-"); ok && more != "" {
				return runID, true
			}
		}
		return "", false
	}
	for _, r := range []string{rest, strings.TrimPrefix(rest, preconditionInfix)} {
		if id, more, ok := strings.Cut(r, "-"); ok && more != "" && isGeneratedRunID(id) {
			return id, true
		}
	}
	return "", false
}
