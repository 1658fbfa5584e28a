package plan

import (
	"reflect"
	"testing"
	"time"
)

func TestWithDefaults(t *testing.T) {
	d := Defaults()
	// A complete plan is left as it is.
	if got := d.WithDefaults(); !reflect.DeepEqual(got, d) {
		t.Errorf("Defaults().WithDefaults() changed the plan:\n%+v\nwant\n%+v", got, d)
	}
	var zero Plan
	zero.Consumers.Groups = 1
	got := zero.WithDefaults()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"max_in_flight", got.Producers.MaxInFlight, 2000},
		{"batch_size", got.Producers.BatchSize, 0}, // derived
		{"client", got.Client, ClientFranzGo},
		{"partitioner", got.Producers.Partitioner, PartitionSticky},
		{"request_timeout", got.Producers.RequestTimeout, Duration(DefaultRequestTimeout)},
		{"producer client_id", got.Producers.ClientID, DefaultProducerClientID},
		{"consumer client_id", got.Consumers.ClientID, DefaultConsumerClientID},
		{"batch_bytes", got.Producers.BatchBytes, Size(1 << 20)},
		{"keys", got.Producers.Keys.Mode, KeysNone},
		{"compression", got.Producers.Compression, CompressionNone},
		{"per_group", got.Consumers.PerGroup, 2},
		{"fetch_min_bytes", got.Consumers.FetchMinBytes, Size(1)},
		{"fetch_max_bytes", got.Consumers.FetchMaxBytes, Size(10 << 20)},
		{"max_wait", got.Consumers.MaxWait, Duration(250 * time.Millisecond)},
		{"commit_interval", got.Consumers.CommitInterval, Duration(time.Second)},
		{"drain_timeout", got.Phases.DrainTimeout, Duration(10 * time.Second)},
		{"report_interval", got.Phases.ReportInterval, Duration(time.Second)},
		// Zero means something here: kept.
		{"workers", got.Producers.Workers, 0},
		{"warmup", got.Phases.Warmup, Duration(0)},
		{"linger", got.Producers.Linger, Duration(0)},
		{"acks", got.Producers.Acks, AcksNone},
		{"retries", got.Producers.Retries, 0},
		{"max_in_flight_requests", got.Producers.MaxInFlightRequests, 0},
		{"compressibility", got.Producers.Compressibility, 0.0},
		{"duration", got.Phases.Duration, Duration(0)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Without groups the per-group count stays unset.
	if p := (Plan{}).WithDefaults(); p.Consumers.PerGroup != 0 {
		t.Errorf("per_group without groups = %d, want 0", p.Consumers.PerGroup)
	}
	if zero.Producers.MaxInFlight != 0 {
		t.Error("WithDefaults modified its receiver")
	}
}
