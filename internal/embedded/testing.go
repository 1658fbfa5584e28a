package embedded

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
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

// SkipSleepControlUnderRace skips a test that uses kfake's SleepControl when
// the race detector is on: at the pinned kfake version two requests slept on
// one connection touch the connection's sleep queue without a lock
// (kfake cluster.go, bsleep.waitQueue), which the race detector reports as a
// failure of whichever test is running. `make test` runs these tests in a
// separate pass without -race (target sleep-control-tests), which selects
// them by the name prefix SleepControlPrefix: a test that calls this
// without the prefix fails (under -race too), so none is silently never run.
func SkipSleepControlUnderRace(t testing.TB) {
	t.Helper()
	if !strings.HasPrefix(t.Name(), SleepControlPrefix) {
		t.Fatalf("%s uses kfake SleepControl: name it %s... so that make test runs it without -race", t.Name(), SleepControlPrefix)
	}
	if raceDetector {
		t.Skip("uses kfake SleepControl, which races with itself (kfake bsleep.waitQueue); run without -race")
	}
}

// SleepControlPrefix starts the name of every test that uses kfake's
// SleepControl (see SkipSleepControlUnderRace).
const SleepControlPrefix = "TestSleepControl"

// ProduceResponse is an answer to req, for a kfake control function, that
// stores nothing: every partition of the request answered with the error
// code (0: a success, so the records are acknowledged without being
// stored). It returns the response and the number of partitions answered.
func ProduceResponse(req *kmsg.ProduceRequest, code int16) (*kmsg.ProduceResponse, int) {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	n := 0
	for _, rt := range req.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic, st.TopicID = rt.Topic, rt.TopicID // produce v13+ names topics by id
		for _, rp := range rt.Partitions {
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.ErrorCode = code
			st.Partitions = append(st.Partitions, sp)
			n++
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, n
}
