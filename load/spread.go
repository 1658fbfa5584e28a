package load

import "github.com/mskbench/mskbench/report"

// partitionSpread returns how the producers' acknowledged messages of the
// measure and drain phases spread over the partitions of their topics
// (every partition written, 0 for one that got none); nil without
// producers. Call it after the producers ended.
func partitionSpread(ps []*producer) *report.PartitionSpread {
	var out []report.PartitionMessages
	for _, p := range ps {
		for ti, topic := range p.topics {
			for part := range p.partitions {
				out = append(out, report.PartitionMessages{Topic: topic, Partition: int32(part), Messages: p.parts[ti*p.partitions+part].Load()})
			}
		}
	}
	return report.NewPartitionSpread(out)
}

// compression returns the measured compression of the producers' batches
// (franz-go reports their sizes; nil on kafka-go, which does not, and
// without batches).
func compression(ps []*producer) *report.Compression {
	var raw, wire int64
	for _, p := range ps {
		raw += p.batchBytes.Load()
		wire += p.batchWireBytes.Load()
	}
	return report.NewCompression(raw, wire)
}
