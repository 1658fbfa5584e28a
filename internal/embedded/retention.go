package embedded

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake keeps every record in memory and does not apply retention.ms, so a
// long run against an embedded cluster grows without bound. With
// Config.Retention set, a trimmer deletes (DeleteRecords) the records older
// than the retention from every partition, every retention/4 (at most 10 s).

// trimInterval is how often the trimmer runs for a retention.
func trimInterval(retention time.Duration) time.Duration {
	return min(max(retention/4, 50*time.Millisecond), 10*time.Second)
}

// trimLoop trims until ctx ends. Errors are ignored: the next round retries.
func (c *Cluster) trimLoop(ctx context.Context, retention time.Duration) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.DialTimeout(5*time.Second))
	if err != nil {
		return
	}
	defer cl.Close()
	t := time.NewTicker(trimInterval(retention))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_ = trimOnce(ctx, cl, time.Now().Add(-retention))
	}
}

// trimOnce deletes, from every partition of every topic, the records written
// before cutoff.
func trimOnce(ctx context.Context, cl *kgo.Client, cutoff time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	md, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	// The end offsets first: when no record is at or after the cutoff, every
	// record below the end offset read before is older than the cutoff.
	ends, err := listOffsets(ctx, cl, md, -1)
	if err != nil {
		return err
	}
	firsts, err := listOffsets(ctx, cl, md, cutoff.UnixMilli())
	if err != nil {
		return err
	}
	dreq := kmsg.NewPtrDeleteRecordsRequest()
	dreq.TimeoutMillis = 5000
	for topic, parts := range firsts {
		dt := kmsg.NewDeleteRecordsRequestTopic()
		dt.Topic = topic
		for p, first := range parts {
			to := first
			if to < 0 {
				to = ends[topic][p]
			}
			if to <= 0 {
				continue // nothing older than the cutoff, or no record at all
			}
			dp := kmsg.NewDeleteRecordsRequestTopicPartition()
			dp.Partition = p
			dp.Offset = to
			dt.Partitions = append(dt.Partitions, dp)
		}
		if len(dt.Partitions) > 0 {
			dreq.Topics = append(dreq.Topics, dt)
		}
	}
	if len(dreq.Topics) == 0 {
		return nil
	}
	_, err = dreq.RequestWith(ctx, cl)
	return err
}

// listOffsets returns, per topic and partition of md, the offset ListOffsets
// answers for ts (-1: the end offset; a time in unix ms: the first record at
// or after it, -1 when there is none). Partitions that answer an error are
// left out.
func listOffsets(ctx context.Context, cl *kgo.Client, md *kmsg.MetadataResponse, ts int64) (map[string]map[int32]int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	for _, t := range md.Topics {
		if t.Topic == nil || t.IsInternal {
			continue
		}
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = *t.Topic
		for _, p := range t.Partitions {
			lp := kmsg.NewListOffsetsRequestTopicPartition()
			lp.Partition = p.Partition
			lp.Timestamp = ts
			lt.Partitions = append(lt.Partitions, lp)
		}
		req.Topics = append(req.Topics, lt)
	}
	out := map[string]map[int32]int64{}
	if len(req.Topics) == 0 {
		return out, nil
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 {
				continue
			}
			if out[t.Topic] == nil {
				out[t.Topic] = map[int32]int64{}
			}
			out[t.Topic][p.Partition] = p.Offset
		}
	}
	return out, nil
}
