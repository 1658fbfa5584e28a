package load

import (
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/plan"
)

func TestParseName(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	id := NewRunID(now)
	if got, ok := RunIDTime(id); !ok || !got.Equal(now) {
		t.Fatalf("RunIDTime(NewRunID(%s) = %q) = %s, %t; want the time back", now, id, got, ok)
	}
	for _, tc := range []struct {
		prefix, runID, name string
		want                string // run id, "" for no match
	}{
		{"mskbench-", "", "mskbench-" + id + "-0-0", id},     // a topic
		{"mskbench-", "", "mskbench-" + id + "-3-g1", id},    // a group
		{"mskbench-", "", "mskbench-" + id + "-control", id}, // a shard control topic
		{"mskbench-", "", "mskbench-precondition-" + id + "-0-0", id},
		{"mskbench-", "", "mskbench-a1b2c3d4-0-0", "a1b2c3d4"}, // a run id of earlier versions
		{"mskbench-", "", "mskbench-orders", ""},               // no run id
		{"mskbench-", "", "mskbench-orders-0-0", ""},           // not a generated run id
		{"mskbench-", "", "mskbench-" + id, ""},                // nothing after the run id
		{"mskbench-", "", "mskbench-" + id + "-", ""},
		{"mskbench-", "", "orders", ""},
		{"mskbench-", "", "other-" + id + "-0-0", ""},    // another prefix
		{"mskbench-", "", "mskbench-A1B2C3D4-0-0", ""},   // generated ids are lower case
		{"mskbench-", "", "mskbench-00000aab12-0-0", ""}, // a time before any run id
		{"bench.", "", "bench." + id + "-0-0", id},       // a scenario's prefix
		{"mskbench-", "nightly-42", "mskbench-nightly-42-0-0", "nightly-42"},
		{"mskbench-", "nightly-42", "mskbench-nightly-42", ""},
		{"mskbench-", "nightly-42", "mskbench-nightly-421-0-0", ""},
		{"mskbench-", "nightly-42", "mskbench-" + id + "-0-0", ""}, // another run
		{"", "", id + "-0-0", ""},                                  // never without a prefix
	} {
		got, ok := ParseName(tc.prefix, tc.runID, tc.name)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("ParseName(%q, %q, %q) = %q, %t; want %q", tc.prefix, tc.runID, tc.name, got, ok, tc.want)
		}
	}
}

// TestClean plants what interrupted runs leave behind beside names that
// only look alike, and checks that Clean lists exactly the leftovers, that
// --older-than selects by the run id's time, that a run whose group has a
// member is left alone, and that deleting removes the leftovers and
// nothing else.
func TestClean(t *testing.T) {
	eachClient(t, func(t *testing.T, cl plan.Client) {
		c := embedded.ForTest(t, 3)
		conn := testConn(c)
		adm := testAdmin(t, cl, conn)
		ctx := t.Context()
		now := time.Now()
		old, recent, running := NewRunID(now.Add(-48*time.Hour)), NewRunID(now.Add(-time.Minute)), NewRunID(now)
		keepTopics := []string{"orders", "mskbench-orders", "mskbench-orders-0-0"}
		leftTopics := []string{"mskbench-" + old + "-0-0", "mskbench-a1b2c3d4-0-0", "mskbench-" + recent + "-control",
			"mskbench-precondition-" + recent + "-0-0"}
		runningTopic := "mskbench-" + running + "-0-0"
		all := slices.Concat(keepTopics, leftTopics, []string{runningTopic})
		if _, err := adm.createTopics(ctx, all, plan.Topics{Partitions: 1, ReplicationFactor: 1}); err != nil {
			t.Fatal(err)
		}
		if err := adm.waitLeaders(ctx, all, 1); err != nil {
			t.Fatal(err)
		}
		keepGroups := []string{"billing-consumers", "mskbench-orders-app"}
		leftGroups := []string{"mskbench-" + old + "-0-g0"}
		commitEnds(t, adm, slices.Concat(keepGroups, leftGroups), "orders", 1)
		// A run in progress: its group has a member.
		member, err := kgo.NewClient(kgo.SeedBrokers(conn.Brokers...), kgo.ConsumerGroup("mskbench-"+running+"-0-g0"),
			kgo.ConsumeTopics(runningTopic))
		if err != nil {
			t.Fatal(err)
		}
		defer member.Close()
		// (franz-go's admin: kafka-go cannot decode a franz-go member's metadata.)
		if err := testAdmin(t, plan.ClientFranzGo, conn).waitGroups(ctx, []string{"mskbench-" + running + "-0-g0"}, 1, 1); err != nil {
			t.Fatal(err)
		}

		names := func(ls []Leftover, f func(Leftover) bool) []string {
			var out []string
			for _, l := range ls {
				if f(l) {
					out = append(out, l.Name)
				}
			}
			slices.Sort(out)
			return out
		}
		any := func(Leftover) bool { return true }
		found, err := Clean(ctx, conn, CleanOptions{Client: cl})
		if err != nil {
			t.Fatalf("Clean (dry run): %v", err)
		}
		want := slices.Sorted(slices.Values(slices.Concat(leftTopics, leftGroups,
			[]string{runningTopic, "mskbench-" + running + "-0-g0"})))
		if got := names(found, any); !slices.Equal(got, want) {
			t.Errorf("dry run found %q, want %q", got, want)
		}
		if got, want := names(found, func(l Leftover) bool { return l.InUse }), []string{runningTopic, "mskbench-" + running + "-0-g0"}; !slices.Equal(got, want) {
			t.Errorf("in use: %q, want %q", got, want)
		}
		for _, l := range found {
			if l.Deleted {
				t.Errorf("dry run deleted %s", l.Name)
			}
			if _, known := RunIDTime(l.RunID); known != !l.Started.IsZero() {
				t.Errorf("%s: start %s, want it from the run id %s", l.Name, l.Started, l.RunID)
			}
		}

		found, err = Clean(ctx, conn, CleanOptions{Client: cl, OlderThan: 24 * time.Hour})
		if err != nil {
			t.Fatalf("Clean --older-than: %v", err)
		}
		if got, want := names(found, any), []string{"mskbench-" + old + "-0-0", "mskbench-" + old + "-0-g0"}; !slices.Equal(got, want) {
			t.Errorf("--older-than 24h found %q, want only the run of two days ago %q", got, want)
		}

		found, err = Clean(ctx, conn, CleanOptions{Client: cl, Delete: true})
		if err != nil {
			t.Fatalf("Clean --yes: %v", err)
		}
		wantDeleted := slices.Sorted(slices.Values(slices.Concat(leftTopics, leftGroups)))
		if got := names(found, func(l Leftover) bool { return l.Deleted }); !slices.Equal(got, wantDeleted) {
			t.Errorf("deleted %q, want %q", got, wantDeleted)
		}
		topics := topicPartitions(t, conn)
		for _, n := range slices.Concat(keepTopics, []string{runningTopic}) {
			if _, ok := topics[n]; !ok {
				t.Errorf("topic %s was deleted", n)
			}
		}
		for _, n := range leftTopics {
			if _, ok := topics[n]; ok {
				t.Errorf("topic %s left", n)
			}
		}
		groups, err := adm.listGroups(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range slices.Concat(keepGroups, []string{"mskbench-" + running + "-0-g0"}) {
			if !slices.Contains(groups, g) {
				t.Errorf("group %s was deleted (groups %q)", g, groups)
			}
		}
		if slices.Contains(groups, leftGroups[0]) {
			t.Errorf("group %s left", leftGroups[0])
		}
	})
}
