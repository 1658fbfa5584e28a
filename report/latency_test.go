package report

import (
	"reflect"
	"strings"
	"testing"
)

// Every latency kind of the table is complete, in the order of the result
// schema's fields, and reads its own fields: the JSON name of its Latency
// field is its Name, of its histogram Name + "_us".
func TestLatencyKindsMatchTheSchema(t *testing.T) {
	lt, ht := reflect.TypeFor[Latency](), reflect.TypeFor[EncodedHistograms]()
	if lt.NumField() != len(LatencyKinds) || ht.NumField() != len(LatencyKinds) {
		t.Fatalf("Latency has %d fields, EncodedHistograms %d, LatencyKinds %d entries", lt.NumField(), ht.NumField(), len(LatencyKinds))
	}
	for i, k := range LatencyKinds {
		if k.Name == "" || k.Title == "" || k.Display == "" || k.Definition == "" || len(k.Prefixes) == 0 || k.Summary == nil || k.Encoded == nil {
			t.Fatalf("LatencyKinds[%d] is incomplete: %+v", i, k)
		}
		var l Latency
		k.Summary(&l).Count = 1
		if got := reflect.ValueOf(l).Field(i).Interface().(LatencySummary).Count; got != 1 {
			t.Errorf("%s: Summary does not return field %s", k.Name, lt.Field(i).Name)
		}
		if tag, _, _ := strings.Cut(lt.Field(i).Tag.Get("json"), ","); tag != k.Name {
			t.Errorf("%s: Latency field %d has JSON name %q", k.Name, i, tag)
		}
		var h EncodedHistograms
		*k.Encoded(&h) = "x"
		if reflect.ValueOf(h).Field(i).String() != "x" {
			t.Errorf("%s: Encoded does not return field %s", k.Name, ht.Field(i).Name)
		}
		if tag, _, _ := strings.Cut(ht.Field(i).Tag.Get("json"), ","); tag != k.Name+"_us" {
			t.Errorf("%s: EncodedHistograms field %d has JSON name %q", k.Name, i, tag)
		}
	}
	if got := orList(HistogramNames()); got != "publish, service, send_delay, end_to_end, commit, end_to_end_cross or backlog_end_to_end" {
		t.Errorf("HistogramNames = %s", got)
	}
	if _, err := (&Step{}).Histogram("latency"); err == nil || err.Error() != `unknown histogram "latency" (want publish, service, send_delay, end_to_end, commit, end_to_end_cross or backlog_end_to_end)` {
		t.Errorf("unknown histogram: %v", err)
	}
}
