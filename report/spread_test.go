package report

import (
	"strings"
	"testing"
)

func TestPartitionSpread(t *testing.T) {
	sp := NewPartitionSpread([]PartitionMessages{
		{"b", 0, 10}, {"a", 1, 70}, {"a", 0, 10}, {"b", 1, 10}, {"a", 1, 0},
	})
	if sp.Min != 10 || sp.Max != 70 || sp.Mean != 25 || sp.Skew != 2.8 {
		t.Errorf("spread = %+v, want min 10, max 70, mean 25, skew 2.8", sp)
	}
	if p := sp.Partitions[1]; len(sp.Partitions) != 4 || p.Topic != "a" || p.Partition != 1 || p.Messages != 70 {
		t.Errorf("partitions = %+v, want 4 sorted, a[1] = 70", sp.Partitions)
	}
	if NewPartitionSpread(nil) != nil {
		t.Error("spread of nothing is not nil")
	}
	m := mergeSpread(sp, sp)
	if m.Max != 140 || m.Skew != 2.8 || len(m.Partitions) != 4 {
		t.Errorf("merged = %+v", m)
	}
	var b strings.Builder
	writeSpread(&b, &Step{Label: "x", PartitionSpread: sp})
	if got := b.String(); !strings.Contains(got, "4 written; messages per partition min 10, max 70, mean 25.0, skew 2.80") ||
		!strings.Contains(got, "HOT PARTITIONS: a[1] 70 (70%)") {
		t.Errorf("summary:\n%s", got)
	}
}
