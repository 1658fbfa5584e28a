package report

import (
	"cmp"
	"slices"
)

// PartitionSpread is how the acknowledged messages of a step (measure and
// drain phases) spread over the partitions its producers wrote, so that hot
// partitions are visible: keyed messages go where their key hashes, and a
// skewed key distribution (zipf, hot) loads some partitions far more than
// others.
type PartitionSpread struct {
	// Partitions holds the acknowledged messages of every partition
	// written, by topic and partition (0 for a partition that got none).
	Partitions []PartitionMessages `json:"partitions"`
	// Min and Max are the fewest and most messages of a partition.
	Min int64 `json:"min"`
	Max int64 `json:"max"`
	// Mean is the mean number of messages per partition.
	Mean float64 `json:"mean"`
	// Skew is Max ÷ Mean: 1 for an even spread, the number of partitions
	// when one partition got every message; 0 without messages.
	Skew float64 `json:"skew"`
}

// PartitionMessages is the acknowledged messages of one partition.
type PartitionMessages struct {
	// Topic is the topic's name.
	Topic string `json:"topic"`
	// Partition is the partition's index in the topic.
	Partition int32 `json:"partition"`
	// Messages is the number of messages acknowledged by the partition.
	Messages int64 `json:"messages"`
}

// NewPartitionSpread returns the spread of the counts of ps (several
// entries of one partition are added), sorted by topic and partition; nil
// for no partitions.
func NewPartitionSpread(ps []PartitionMessages) *PartitionSpread {
	if len(ps) == 0 {
		return nil
	}
	type key struct {
		topic string
		part  int32
	}
	sum := map[key]int64{}
	for _, p := range ps {
		sum[key{p.Topic, p.Partition}] += p.Messages
	}
	out := &PartitionSpread{Partitions: make([]PartitionMessages, 0, len(sum))}
	for k, n := range sum {
		out.Partitions = append(out.Partitions, PartitionMessages{Topic: k.topic, Partition: k.part, Messages: n})
	}
	slices.SortFunc(out.Partitions, func(a, b PartitionMessages) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	var total int64
	out.Min = out.Partitions[0].Messages
	for _, p := range out.Partitions {
		total += p.Messages
		out.Min, out.Max = min(out.Min, p.Messages), max(out.Max, p.Messages)
	}
	out.Mean = float64(total) / float64(len(out.Partitions))
	if out.Mean > 0 {
		out.Skew = float64(out.Max) / out.Mean
	}
	return out
}

// mergeSpread adds the counts of b to a (shards wrote the same partitions).
func mergeSpread(a, b *PartitionSpread) *PartitionSpread {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return NewPartitionSpread(b.Partitions)
	case b == nil:
		return NewPartitionSpread(a.Partitions)
	}
	return NewPartitionSpread(append(slices.Clone(a.Partitions), b.Partitions...))
}

// Compression is the measured compression of a step's produced batches
// (measure and drain phases), as the client reports it: franz-go's
// HookProduceBatchWritten gives each batch's records' bytes before and
// after compression (without the batch header). kafka-go reports neither,
// so its steps have none.
type Compression struct {
	// UncompressedBytes is the bytes of the batches' records before
	// compression.
	UncompressedBytes int64 `json:"uncompressed_bytes"`
	// CompressedBytes is the bytes of the batches' records as written.
	CompressedBytes int64 `json:"compressed_bytes"`
	// Ratio is CompressedBytes ÷ UncompressedBytes: 1 without compression,
	// 0.25 when batches shrank to a quarter.
	Ratio float64 `json:"ratio"`
}

// NewCompression returns the compression of batches of uncompressed and
// compressed bytes; nil without uncompressed bytes.
func NewCompression(uncompressed, compressed int64) *Compression {
	if uncompressed <= 0 {
		return nil
	}
	return &Compression{UncompressedBytes: uncompressed, CompressedBytes: compressed, Ratio: float64(compressed) / float64(uncompressed)}
}

// merge adds the batches of o to c.
func (c *Compression) merge(o *Compression) *Compression {
	switch {
	case c == nil && o == nil:
		return nil
	case c == nil:
		return NewCompression(o.UncompressedBytes, o.CompressedBytes)
	case o == nil:
		return NewCompression(c.UncompressedBytes, c.CompressedBytes)
	}
	return NewCompression(c.UncompressedBytes+o.UncompressedBytes, c.CompressedBytes+o.CompressedBytes)
}
