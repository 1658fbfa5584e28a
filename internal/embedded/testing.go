package embedded

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// ForTest starts a cluster of n brokers on free loopback ports for a test and
// closes it when the test ends.
func ForTest(t testing.TB, n int, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c, err := Start(Config{Brokers: n, Opts: opts})
	if err != nil {
		t.Fatalf("start embedded cluster: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}
