package plan

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    Size
		wantErr string // substring; "" = no error
	}{
		{"100", 100, ""},
		{"100B", 100, ""},
		{"1KB", 1000, ""},
		{"1kb", 1000, ""},
		{"1KiB", 1024, ""},
		{"1.5MiB", 1572864, ""},
		{"1GiB", 1 << 30, ""},
		{"1 MB", 1_000_000, ""},
		{"0", 0, ""},
		{"-1KiB", 0, "must not be negative"},
		{"abc", 0, "want a number of bytes"},
		{"1XB", 0, "want a number of bytes"},
		{"", 0, "want a number of bytes"},
		{"1..2", 0, "want a number of bytes"},
		{"99999999999TiB", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSize(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestSizeString(t *testing.T) {
	tests := []struct {
		in   Size
		want string
	}{
		{0, "0B"},
		{100, "100B"},
		{1000, "1KB"},
		{1024, "1KiB"},
		{1536, "1.5KiB"},
		{1572864, "1.5MiB"},
		{10 << 20, "10MiB"},
		{50_000_000, "50MB"},
		{1001, "1001B"},
		{1 << 30, "1GiB"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		back, err := ParseSize(tt.in.String())
		if err != nil || back != tt.in {
			t.Errorf("round trip of %d: got %d, %v", int64(tt.in), back, err)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		text    string // MarshalText of the result
		wantErr bool
	}{
		{"max", Rate{Unit: RateMax}, "max", false},
		{"MAX", Rate{Unit: RateMax}, "max", false},
		{"5000/s", Rate{Unit: RateMsgs, PerSec: 5000}, "5000/s", false},
		{"5000", Rate{Unit: RateMsgs, PerSec: 5000}, "5000/s", false},
		{"5k/s", Rate{Unit: RateMsgs, PerSec: 5000}, "5000/s", false},
		{"2.5k/s", Rate{Unit: RateMsgs, PerSec: 2500}, "2500/s", false},
		{"1M/s", Rate{Unit: RateMsgs, PerSec: 1e6}, "1000000/s", false},
		{"0.5/s", Rate{Unit: RateMsgs, PerSec: 0.5}, "0.5/s", false},
		{"50MB/s", Rate{Unit: RateBytes, PerSec: 50e6}, "50MB/s", false},
		{"50MiB/s", Rate{Unit: RateBytes, PerSec: 50 << 20}, "50MiB/s", false},
		{"100KB/s", Rate{Unit: RateBytes, PerSec: 100e3}, "100KB/s", false},
		{"1 GB/s", Rate{Unit: RateBytes, PerSec: 1e9}, "1GB/s", false},
		{"10B/s", Rate{Unit: RateBytes, PerSec: 10}, "10B/s", false},
		{"fast", Rate{}, "", true},
		{"-5/s", Rate{}, "", true},
		{"5x/s", Rate{}, "", true},
		{"/s", Rate{}, "", true},
		{"", Rate{}, "", true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseRate(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		text, _ := got.MarshalText()
		if string(text) != tt.text {
			t.Errorf("ParseRate(%q).MarshalText() = %q, want %q", tt.in, text, tt.text)
		}
		var back Rate
		if err := back.UnmarshalText(text); err != nil || back != got {
			t.Errorf("round trip of %q: got %+v, %v", tt.in, back, err)
		}
	}
}

func TestRateMsgsPerSec(t *testing.T) {
	tests := []struct {
		rate Rate
		mean float64
		want float64
	}{
		{Rate{Unit: RateMsgs, PerSec: 5000}, 1024, 5000},
		{Rate{Unit: RateBytes, PerSec: 1 << 20}, 1024, 1024},
		{Rate{Unit: RateBytes, PerSec: 1 << 20}, 0, 0},
		{Rate{Unit: RateMax}, 1024, 0},
	}
	for _, tt := range tests {
		if got := tt.rate.MsgsPerSec(tt.mean); got != tt.want {
			t.Errorf("%v.MsgsPerSec(%v) = %v, want %v", tt.rate, tt.mean, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30s": 30 * time.Second, "1m30s": 90 * time.Second, "250ms": 250 * time.Millisecond, "0": 0,
	} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err != nil || d.D() != want {
			t.Errorf("Duration(%q) = %v, %v; want %v", in, d, err, want)
		}
		text, _ := d.MarshalText()
		var back Duration
		if err := back.UnmarshalText(text); err != nil || back != d {
			t.Errorf("round trip of %q via %q: %v, %v", in, text, back, err)
		}
	}
	for _, in := range []string{"30", "-1s", "soon", ""} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("Duration(%q) = %v, want an error", in, d)
		}
	}
}

func TestAcks(t *testing.T) {
	for in, want := range map[string]Acks{"0": 0, "1": 1, "all": -1, "ALL": -1, "-1": -1} {
		a, err := ParseAcks(in)
		if err != nil || a != want {
			t.Errorf("ParseAcks(%q) = %v, %v; want %v", in, a, err, want)
		}
	}
	if _, err := ParseAcks("2"); err == nil || err.Error() != `invalid acks "2": want 0, 1 or all` {
		t.Errorf("ParseAcks(2) error = %v", err)
	}
	if got := AcksAll.String(); got != "all" {
		t.Errorf("AcksAll.String() = %q", got)
	}
}

func TestCompressionAndKeyMode(t *testing.T) {
	for _, in := range []string{"none", "gzip", "snappy", "lz4", "ZSTD"} {
		if _, err := ParseCompression(in); err != nil {
			t.Errorf("ParseCompression(%q): %v", in, err)
		}
	}
	if _, err := ParseCompression("brotli"); err == nil {
		t.Error("ParseCompression(brotli) succeeded, want an error")
	}
	for in, want := range map[string]KeyMode{"none": KeysNone, "random": KeysRandom, "round-robin": KeysRoundRobin, "round_robin": KeysRoundRobin, "hot": KeysHot} {
		if got, err := ParseKeyMode(in); err != nil || got != want {
			t.Errorf("ParseKeyMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseKeyMode("sticky"); err == nil {
		t.Error("ParseKeyMode(sticky) succeeded, want an error")
	}
}

func TestSizeDist(t *testing.T) {
	tests := []struct {
		in       string
		str      string
		mean     float64
		min, max Size
	}{
		{"1KiB", "1KiB", 1024, 1024, 1024},
		{"100B..2KiB", "100B..2KiB", (100 + 2048) / 2.0, 100, 2048},
		{"100B:3,10KiB:1", "100B:3,10KiB:1", (300 + 10240) / 4.0, 100, 10240},
	}
	for _, tt := range tests {
		d, err := ParseSizeDist(tt.in)
		if err != nil {
			t.Errorf("ParseSizeDist(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.str {
			t.Errorf("ParseSizeDist(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		if got := d.Mean(); got != tt.mean {
			t.Errorf("%q Mean = %v, want %v", tt.in, got, tt.mean)
		}
		if d.MinSize() != tt.min || d.MaxSize() != tt.max {
			t.Errorf("%q MinSize, MaxSize = %v, %v; want %v, %v", tt.in, d.MinSize(), d.MaxSize(), tt.min, tt.max)
		}
	}
	if _, err := ParseSizeDist("1KiB:x"); err == nil {
		t.Error("ParseSizeDist(1KiB:x) succeeded, want an error")
	}
}

func TestPlanJSON(t *testing.T) {
	p := Plan{
		Producers: Producers{
			Rate:        Rate{Unit: RateBytes, PerSec: 50 << 20},
			MessageSize: SizeDist{Fixed: 1024},
			Acks:        AcksAll,
			Compression: CompressionLz4,
			BatchBytes:  1 << 20,
			Linger:      Duration(5 * time.Millisecond),
			Keys:        Keys{Mode: KeysNone},
		},
		Phases: Phases{Duration: Duration(30 * time.Second)},
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"rate":"50MiB/s"`, `"message_size":{"fixed":"1KiB"}`, `"acks":"all"`, `"batch_bytes":"1MiB"`, `"linger":"5ms"`, `"duration":"30s"`, `"compression":"lz4"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON of Plan lacks %s:\n%s", want, data)
		}
	}
	var back Plan
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("decode JSON of Plan: %v", err)
	}
	if back.Producers.Rate != p.Producers.Rate || back.Producers.MessageSize.Fixed != 1024 || back.Producers.Acks != AcksAll || back.Phases.Duration != p.Phases.Duration {
		t.Errorf("JSON round trip changed the plan: got %+v", back.Producers)
	}
	var z Size
	if err := json.Unmarshal([]byte("2048"), &z); err != nil || z != 2048 {
		t.Errorf("Size from JSON number = %v, %v", z, err)
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Percent
		err  string
	}{
		{"60%", 0.6, ""}, {"12.5 %", 0.125, ""}, {"0.6", 0.6, ""}, {"1", 1, ""}, {"0", 0, ""}, {"150%", 1.5, ""},
		{"60", 0, "write 60%"}, {"-5%", 0, "must not be negative"}, {"lots", 0, "invalid percentage"}, {"%", 0, "invalid percentage"},
	} {
		got, err := ParsePercent(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || math.Abs(float64(got-tt.want)) > 1e-12 {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if s := Percent(0.6).String(); s != "60%" {
		t.Errorf("String = %q", s)
	}
	b, _ := json.Marshal(struct{ P Percent }{0.125})
	var back struct{ P Percent }
	if string(b) != `{"P":"12.5%"}` || json.Unmarshal(b, &back) != nil || back.P != 0.125 {
		t.Errorf("JSON %s → %v", b, back.P)
	}
}
