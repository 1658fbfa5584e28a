package plan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStartOffset(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		in      string
		want    StartOffset
		text    string
		wantErr string
	}{
		{"latest", StartOffset{Mode: StartLatest}, "latest", ""},
		{"", StartOffset{Mode: StartLatest}, "latest", ""},
		{" Earliest ", StartOffset{Mode: StartEarliest}, "earliest", ""},
		{"committed", StartOffset{Mode: StartCommitted}, "committed", ""},
		{"timestamp(2026-01-02T15:04:05Z)", StartOffset{Mode: StartTimestamp, At: at}, "timestamp(2026-01-02T15:04:05Z)", ""},
		{"timestamp(2026-01-02T16:04:05+01:00)", StartOffset{Mode: StartTimestamp, At: at}, "timestamp(2026-01-02T15:04:05Z)", ""},
		{"timestamp(-10m)", StartOffset{Mode: StartTimestamp, Ago: Duration(10 * time.Minute)}, "timestamp(-10m0s)", ""},
		{"timestamp(-0s)", StartOffset{}, "", "not a positive duration"},
		{"timestamp(yesterday)", StartOffset{}, "", "not an RFC 3339 time"},
		{"timestamp(2026-01-02", StartOffset{}, "", "want latest, earliest"},
		{"oldest", StartOffset{}, "", "want latest, earliest"},
	} {
		got, err := ParseStartOffset(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseStartOffset(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.At.Equal(tt.want.At) || got.Mode != tt.want.Mode || got.Ago != tt.want.Ago {
			t.Errorf("ParseStartOffset(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.text {
			t.Errorf("String() = %q, want %q", s, tt.text)
		}
		back, err := ParseStartOffset(got.String())
		if err != nil || back.String() != got.String() {
			t.Errorf("round trip of %q: %+v, %v", got.String(), back, err)
		}
	}
	begin := at.Add(time.Hour)
	if got := (StartOffset{Mode: StartTimestamp, Ago: Duration(time.Hour)}).TimeFor(begin); !got.Equal(at) {
		t.Errorf("TimeFor = %v, want %v", got, at)
	}
	// In a plan's JSON it is its text.
	b, err := json.Marshal(Consumers{Start: StartOffset{Mode: StartTimestamp, Ago: Duration(time.Minute)}})
	if err != nil || !strings.Contains(string(b), `"start":"timestamp(-1m0s)"`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

func TestBacklogMessages(t *testing.T) {
	for _, tt := range []struct {
		b    Backlog
		mean float64
		want int64
	}{
		{Backlog{Messages: 500}, 100, 500},
		{Backlog{Size: 1000}, 100, 10},
		{Backlog{Size: 1001}, 100, 11},
		{Backlog{Size: 1000}, 0, 0},
		{Backlog{Duration: Duration(time.Second)}, 100, 0},
	} {
		if got := tt.b.MessagesFor(tt.mean); got != tt.want {
			t.Errorf("%+v.MessagesFor(%g) = %d, want %d", tt.b, tt.mean, got, tt.want)
		}
	}
	if (Backlog{Rate: Rate{Unit: RateMsgs, PerSec: 10}}).Active() {
		t.Error("a backlog with only a rate is active")
	}
}

func TestLoadPayload(t *testing.T) {
	dir := t.TempDir()
	lines := filepath.Join(dir, "lines.ndjson")
	if err := os.WriteFile(lines, []byte("{\"a\":1}\n\n{\"b\":22}\r\nlast"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := LoadPayload(lines, 0)
	want := [][]byte{[]byte(`{"a":1}`), []byte("{\"b\":22}\r"), []byte("last")}
	if err != nil || !reflect.DeepEqual(recs, want) {
		t.Errorf("LoadPayload(lines) = %q, %v; want %q", recs, err, want)
	}
	if _, err := LoadPayload(lines, 5); err == nil || !strings.Contains(err.Error(), "record 1 is 7 bytes") {
		t.Errorf("record limit: %v", err)
	}
	sub := filepath.Join(dir, "files")
	for name, body := range map[string]string{"b.bin": "\x00\x01two\n", "a.bin": "one", ".hidden": "x"} {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(sub, "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	recs, err = LoadPayload(sub, 0)
	want = [][]byte{[]byte("one"), []byte("\x00\x01two\n")}
	if err != nil || !reflect.DeepEqual(recs, want) {
		t.Errorf("LoadPayload(dir) = %q, %v; want %q", recs, err, want)
	}
	if MeanLen(recs) != 4.5 || MaxLen(recs) != 6 {
		t.Errorf("MeanLen, MaxLen = %g, %d", MeanLen(recs), MaxLen(recs))
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{empty, filepath.Join(dir, "missing")} {
		if _, err := LoadPayload(p, 0); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadPayload(%s) error = %v, want one naming it", p, err)
		}
	}
}

func TestWorkloadList(t *testing.T) {
	p := Defaults()
	ws := p.WorkloadList()
	if len(ws) != 1 || ws[0].Name != "" || !reflect.DeepEqual(ws[0].Producers, p.Producers) {
		t.Errorf("implicit workload = %+v", ws)
	}
	p.Workloads = []Workload{{Name: "a"}, {Name: "b"}}
	if ws := p.WorkloadList(); len(ws) != 2 || ws[1].Name != "b" {
		t.Errorf("WorkloadList = %+v", ws)
	}
	// WithDefaults fills every workload's blocks.
	if got := p.WithDefaults(); got.Workloads[1].Producers.MaxInFlight != 2000 || got.Workloads[0].Consumers.Start.Mode != StartLatest {
		t.Errorf("WithDefaults workloads = %+v", got.Workloads)
	}
	if p.Workloads[1].Producers.MaxInFlight != 0 {
		t.Error("WithDefaults changed its receiver's workloads")
	}
}

func TestCatchUp(t *testing.T) {
	p := Defaults()
	if p.CatchUp() {
		t.Error("the defaults are a catch-up step")
	}
	p.Consumers.Start = StartOffset{Mode: StartEarliest}
	if p.CatchUp() {
		t.Error("earliest on created topics is a catch-up step")
	}
	p.Topics.Existing = "orders"
	if !p.CatchUp() {
		t.Error("earliest on an existing topic is not a catch-up step")
	}
	q := Defaults()
	q.Phases.Backlog = Backlog{Messages: 10}
	if !q.CatchUp() {
		t.Error("a backlog phase is not a catch-up step")
	}
}

func TestClientProblemsWorkloads(t *testing.T) {
	p := Defaults()
	p.Client = ClientKafkaGo
	w := Workload{Name: "a", Producers: p.Producers, Consumers: p.Consumers}
	w.Consumers.Churn = Churn{Every: Duration(time.Second), Members: 1}
	p.Workloads = []Workload{{Name: "ok", Producers: p.Producers, Consumers: p.Consumers}, w}
	probs := p.ClientProblems()
	if len(probs) != 1 || probs[0].Field != "workloads[1].consumers.churn" || !strings.Contains(probs[0].String(), "kafka-go") {
		t.Errorf("ClientProblems = %+v", probs)
	}
	p.Client = ClientFranzGo
	if probs := p.ClientProblems(); len(probs) != 0 {
		t.Errorf("franz-go churn: %+v", probs)
	}
}
