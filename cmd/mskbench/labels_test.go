package main

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseLabels(t *testing.T) {
	got, err := parseLabels([]string{"job=nightly", "commit=abc=def", " empty ="})
	want := map[string]string{"job": "nightly", "commit": "abc=def", "empty": ""}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("parseLabels: got %v, %v; want %v", got, err, want)
	}
	if got, err := parseLabels(nil); got != nil || err != nil {
		t.Errorf("no labels: got %v, %v", got, err)
	}
	_, err = parseLabels([]string{"novalue", "=x", "a=1", "a=2"})
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("bad labels: err %v, want a usage error", err)
	}
	for _, w := range []string{`"novalue": want key=value`, `"=x": want key=value`, "label a given twice"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}
