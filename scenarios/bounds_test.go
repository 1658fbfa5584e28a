package scenarios

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/plan"
)

// Every numeric field of the schema has a bound: a field added without its
// line in the bounds table fails here.
func TestEveryNumericFieldHasABound(t *testing.T) {
	has := map[string]bool{}
	for _, b := range bounds {
		if has[b.field] {
			t.Errorf("bound of %s listed twice", b.field)
		}
		has[b.field] = true
		if !fieldAt(reflect.ValueOf(Default()).Elem(), b.field).IsValid() && !strings.HasPrefix(b.field, "ramp.") && !strings.HasPrefix(b.field, "precondition.") && !strings.HasPrefix(b.field, "producers.transactions.") {
			t.Errorf("bound of %s: no such field", b.field)
		}
	}
	var walk func(t reflect.Type, path string, depth int)
	var numeric []string
	walk = func(typ reflect.Type, path string, depth int) {
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch {
		case depth > 6:
			return
		case typ == durationType, typ == sizeType, typ == rateType, typ == sizeDistType:
			numeric = append(numeric, path)
			return
		case path == "sweep":
			// Each sweep list holds values of the plan field its tag
			// names: checked on every step with that field's bound.
			for _, f := range schemaFields(typ) {
				if target := f.Tag.Get("sweep"); !has[target] && fieldKind(f.Type.Elem()) {
					t.Errorf("sweep.%s sets %s, which has no bound", f.name, target)
				}
			}
			return
		case reflect.PointerTo(typ).Implements(textUnmarshalType):
			return // acks, codecs, key modes, checks: not numbers
		}
		switch typ.Kind() {
		case reflect.Struct:
			for _, f := range schemaFields(typ) {
				walk(f.Type, join(path, f.name), depth+1)
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
			numeric = append(numeric, path)
		}
	}
	walk(reflect.TypeFor[Scenario](), "", 0)
	if len(numeric) < 30 {
		t.Fatalf("found %d numeric fields, want the whole schema: %q", len(numeric), numeric)
	}
	for _, f := range numeric {
		if !has[f] {
			t.Errorf("numeric field %s has no bound: add its line to bounds (scenarios/bounds.go) and docs/scenarios.md", f)
		}
	}
}

// fieldKind reports whether a sweep list element is numeric.
func fieldKind(t reflect.Type) bool {
	switch t {
	case durationType, sizeType, rateType, sizeDistType:
		return true
	}
	if reflect.PointerTo(t).Implements(textUnmarshalType) {
		return false // acks, codecs
	}
	k := t.Kind()
	return k >= reflect.Int && k <= reflect.Int64 || k == reflect.Float32 || k == reflect.Float64
}

// The values of issue 8 that crashed, wrapped or overflowed are refused with
// file:line:column, and the same through --set.
func TestBoundsRefused(t *testing.T) {
	for _, tt := range []struct {
		yaml, set, want string
	}{
		{"producers: {max_in_flight: 1000000000}", "producers.max_in_flight=1000000000", `:2:28: producers.max_in_flight: 1000000000 is above the limit of 1000000`},
		{"producers: {message_size: 2GiB, batch_bytes: 4GiB}", "producers.batch_bytes=4GiB", `producers.batch_bytes: 4GiB is above the limit of 100MiB`},
		{"producers: {message_size: 2GiB, batch_bytes: 100MiB}", "producers.message_size=2GiB", `producers.message_size: the largest message (2GiB) does not fit producers.batch_bytes (100MiB)`},
		{"phases: {warmup: 2562047h}", "phases.warmup=2562047h", `:2:18: phases.warmup: 2562047h0m0s is above the limit of 24h0m0s`},
		{"topics: {replication_factor: 65537}", "topics.replication_factor=65537", `:2:30: topics.replication_factor: 65537 is above the limit of 32767 (Kafka's replication factor is an int16)`},
		{"topics: {partitions: 4294967297}", "topics.partitions=4294967297", `:2:22: topics.partitions: 4294967297 is above the limit of 2147483647 (Kafka's partition count is an int32)`},
		{"producers: {keys: {mode: random, cardinality: 1000000000}}", "producers.keys.cardinality=1000000000", `producers.keys.cardinality: 1000000000 is above the limit`},
		{"producers: {rate: 1TB/s}", "producers.rate=1TB/s", `producers.rate: 1TB/s is above the limit of 100GB/s`},
		{"phases: {duration: 27h, report_interval: 1ms}", "phases.report_interval=1ms", `phases.report_interval: 1ms over phases.duration 27h0m0s is more than 100000 intervals`},
		{"producers: {message_size: 100MiB, batch_bytes: 100MiB}", "producers.max_in_flight=2000", `producers.max_in_flight: 2000 in-flight messages of up to 100MiB is more than 1GiB per producer worker`},
		{"sweep: {partitions: [1, 4294967297]}", "sweep.partitions=[1, 4294967297]", `sweep.partitions[1]: 4294967297 is above the limit of 2147483647`},
	} {
		src := "name: b\n" + tt.yaml + "\ncluster: {brokers: [\"b-1:9092\"]}\n"
		s, err := Parse("b.yaml", []byte(src))
		if err == nil {
			err = s.Validate(ValidateOptions{})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.yaml, err, tt.want)
		}
		// Through --set on a valid scenario.
		s, err = Parse("ok.yaml", []byte("name: ok\ncluster: {brokers: [\"b-1:9092\"]}\nproducers: {message_size: 100MiB, batch_bytes: 100MiB, max_in_flight: 10}\n"))
		if !strings.HasPrefix(tt.set, "producers.m") {
			s, err = Parse("ok.yaml", []byte("name: ok\ncluster: {brokers: [\"b-1:9092\"]}\nphases: {duration: 27h}\n"))
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set(tt.set); err != nil {
			t.Errorf("--set %s: %v", tt.set, err)
			continue
		}
		err = s.Validate(ValidateOptions{})
		want := tt.want[strings.Index(tt.want, ": ")+2:]
		if strings.HasPrefix(tt.want, "producers") || strings.HasPrefix(tt.want, "sweep") {
			want = tt.want
		}
		if err == nil || !strings.Contains(err.Error(), "--set: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("--set %s: error %v, want --set: ...%q", tt.set, err, want)
		}
	}
}

// The total time a scenario asks for is bounded, so that time arithmetic
// over its phases cannot overflow.
func TestPlannedTimeBounded(t *testing.T) {
	s, err := Parse("long.yaml", []byte("name: long\nphases: {warmup: 24h, duration: 720h, drain_timeout: 1h}\nsweep: {partitions: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err == nil || !strings.Contains(err.Error(), "days of load") {
		t.Errorf("error %v, want the planned time refused", err)
	}
}

// docs/scenarios.md lists every bound with its limit.
func TestBoundsDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Skip(err)
	}
	for _, b := range bounds {
		fv := fieldAt(reflect.ValueOf(docRoot()).Elem(), b.field)
		limit := formatLimit(fv.Type(), b.max, false)
		if b.maxBytes > 0 {
			limit += ", " + formatLimit(fv.Type(), b.maxBytes, true)
		}
		row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(b.field) + "` \\| " + regexp.QuoteMeta(limit) + " \\|")
		if !row.Match(data) {
			t.Errorf("docs/scenarios.md has no row | `%s` | %s | ...", b.field, limit)
		}
	}
}

// docRoot is a scenario with every optional block present, so that each
// bound's field has a type.
func docRoot() *Scenario {
	s := Default()
	s.Ramp = &Ramp{Step: &plan.Rate{}}
	s.Precondition = &Precondition{}
	s.Producers.Transactions = &plan.Transactions{}
	return s
}
