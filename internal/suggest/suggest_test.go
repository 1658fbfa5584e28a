package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"partitions", "partitions", 0},
		{"partitionz", "partitions", 1}, // one substitution
		{"parttions", "partitions", 1},  // one insertion
		{"kitten", "sitting", 3},        // the textbook example
		{"eror_rate", "error_rate", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"partitions", "message_size", "rate", "acks"}
	for _, tc := range []struct {
		word, want string
	}{
		{"partitons", "partitions"},      // one deletion
		{"message-size", "message_size"}, // one substitution
		{"rat", "rate"},                  // short words allow two edits
		{"xyz", ""},                      // nothing close
		{"compression", ""},              // far from every name
		{"acks", "acks"},                 // exact
	} {
		if got := Nearest(tc.word, names); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	// Ties go to the earlier candidate.
	if got := Nearest("ab", []string{"ax", "ay"}); got != "ax" {
		t.Errorf("Nearest tie = %q, want the first candidate", got)
	}
}
