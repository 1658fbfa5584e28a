package load

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
)

// adminTimeout bounds each admin request (metadata, create, delete) on top of
// the connection's dial timeout.
const adminTimeout = 30 * time.Second

// setupTimeout bounds waiting for leaders of new topics and for consumer
// groups to become stable.
const setupTimeout = 60 * time.Second

// pollInterval is how often setup polls the cluster while waiting.
const pollInterval = 100 * time.Millisecond

// TopicNames returns the names of the topics a step creates:
// Prefix + runID + "-" + step index + "-" + topic index, or just the existing
// topic when the plan names one.
func TopicNames(p plan.Plan, runID string) []string {
	if p.Topics.Existing != "" {
		return []string{p.Topics.Existing}
	}
	names := make([]string, max(p.Topics.Count, 1))
	for i := range names {
		names[i] = p.Topics.Prefix + runID + "-" + strconv.Itoa(p.Index) + "-" + strconv.Itoa(i)
	}
	return names
}

// admin sends administrative requests to the cluster. Every call uses a new
// kafka.Transport so that metadata is never served from kafka-go's cache.
type admin struct {
	conn *auth.Conn
}

func (a admin) dialTimeout() time.Duration {
	if a.conn.DialTimeout > 0 {
		return a.conn.DialTimeout
	}
	return plan.DefaultDialTimeout
}

// do runs f with a fresh client and closes its connections afterwards.
func (a admin) do(ctx context.Context, f func(ctx context.Context, c *kafka.Client) error) error {
	if len(a.conn.Brokers) == 0 {
		return errors.New("no bootstrap brokers given")
	}
	t := a.conn.Transport()
	defer t.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, a.dialTimeout()+adminTimeout)
	defer cancel()
	c := &kafka.Client{Addr: kafka.TCP(a.conn.Brokers...), Transport: t, Timeout: adminTimeout}
	return f(ctx, c)
}

// metadata fetches fresh metadata for topics (all topics when nil).
func (a admin) metadata(ctx context.Context, topics []string) (*kafka.MetadataResponse, error) {
	var res *kafka.MetadataResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
		return err
	})
	return res, err
}

// ping checks that the cluster answers, within the dial timeout. Its error
// names the addresses tried.
func (a admin) ping(ctx context.Context) (brokers int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*a.dialTimeout())
	defer cancel()
	res, err := a.metadata(ctx, []string{})
	if err != nil {
		return 0, fmt.Errorf("connect to brokers %s: %w (check the addresses, the port for the auth mechanism and network access)",
			strings.Join(a.conn.Brokers, ","), err)
	}
	return len(res.Brokers), nil
}

// existingPartitions returns the partition count of an existing topic, or an
// error when it does not exist.
func (a admin) existingPartitions(ctx context.Context, topic string) (int, error) {
	res, err := a.metadata(ctx, []string{topic})
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	for _, t := range res.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return 0, fmt.Errorf("existing topic %s: %w", topic, t.Error)
		}
		if len(t.Partitions) == 0 {
			return 0, fmt.Errorf("existing topic %s: no partitions", topic)
		}
		return len(t.Partitions), nil
	}
	return 0, fmt.Errorf("existing topic %s: not found", topic)
}

// createTopics creates the topics with the plan's partitions, replication
// factor and configs. It returns the names it did create, even on error, so
// that the caller can delete them.
func (a admin) createTopics(ctx context.Context, names []string, t plan.Topics) (created []string, err error) {
	keys := make([]string, 0, len(t.Configs))
	for k := range t.Configs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]kafka.ConfigEntry, 0, len(keys))
	for _, k := range keys {
		entries = append(entries, kafka.ConfigEntry{ConfigName: k, ConfigValue: t.Configs[k]})
	}
	req := &kafka.CreateTopicsRequest{}
	for _, n := range names {
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic:             n,
			NumPartitions:     t.Partitions,
			ReplicationFactor: t.ReplicationFactor,
			ConfigEntries:     entries,
		})
	}
	var res *kafka.CreateTopicsResponse
	err = a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.CreateTopics(ctx, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create topics %s: %w", strings.Join(names, ","), err)
	}
	var errs []error
	for _, n := range names {
		if e := res.Errors[n]; e != nil {
			errs = append(errs, fmt.Errorf("create topic %s (%d partitions, replication factor %d): %w",
				n, t.Partitions, t.ReplicationFactor, e))
			continue
		}
		created = append(created, n)
	}
	return created, errors.Join(errs...)
}

// waitLeaders polls metadata until every partition of every topic has a
// leader, bounded by setupTimeout.
func (a admin) waitLeaders(ctx context.Context, names []string, partitions int) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	var last error
	for {
		last = a.leadersReady(ctx, names, partitions)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for partition leaders: %w (last: %v)", ctx.Err(), last)
		case <-time.After(pollInterval):
		}
	}
}

func (a admin) leadersReady(ctx context.Context, names []string, partitions int) error {
	res, err := a.metadata(ctx, names)
	if err != nil {
		return err
	}
	found := map[string]bool{}
	for _, t := range res.Topics {
		if t.Error != nil {
			return fmt.Errorf("topic %s: %w", t.Name, t.Error)
		}
		if len(t.Partitions) < partitions {
			return fmt.Errorf("topic %s: %d of %d partitions visible", t.Name, len(t.Partitions), partitions)
		}
		for _, p := range t.Partitions {
			if p.Error != nil || p.Leader.Host == "" {
				return fmt.Errorf("topic %s partition %d: no leader yet", t.Name, p.ID)
			}
		}
		found[t.Name] = true
	}
	for _, n := range names {
		if !found[n] {
			return fmt.Errorf("topic %s: not in metadata yet", n)
		}
	}
	return nil
}

// deleteTopics deletes the named topics (only ever those this run created).
// A controller that moved (a broker removed, an election) answers
// NOT_CONTROLLER: deleteTopics retries with fresh metadata.
func (a admin) deleteTopics(ctx context.Context, names []string) error {
	var err error
	for attempt := range 5 {
		if err = a.deleteTopicsOnce(ctx, names); err == nil || !errors.Is(err, kafka.NotController) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return err
}

func (a admin) deleteTopicsOnce(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var res *kafka.DeleteTopicsResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete topics %s: %w", strings.Join(names, ","), err)
	}
	var errs []error
	for _, n := range names {
		if e := res.Errors[n]; e != nil && !errors.Is(e, kafka.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", n, e))
		}
	}
	return errors.Join(errs...)
}

// groupReady reports whether a consumer group is Stable with want members,
// of which wantAssigned hold at least one partition.
func (a admin) groupReady(ctx context.Context, group string, want, wantAssigned int) (bool, string, error) {
	var res *kafka.DescribeGroupsResponse
	err := a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		var err error
		res, err = c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		return err
	})
	if err != nil {
		return false, "", err
	}
	for _, g := range res.Groups {
		if g.GroupID != group {
			continue
		}
		if g.Error != nil {
			return false, "", g.Error
		}
		assigned := 0
		for _, m := range g.Members {
			n := 0
			for _, t := range m.MemberAssignments.Topics {
				n += len(t.Partitions)
			}
			if n > 0 {
				assigned++
			}
		}
		state := fmt.Sprintf("state %s, %d of %d members, %d of %d assigned",
			g.GroupState, len(g.Members), want, assigned, wantAssigned)
		return g.GroupState == "Stable" && len(g.Members) == want && assigned >= wantAssigned, state, nil
	}
	return false, "not described", nil
}

// commitEndOffsets commits the current end offset of every partition of an
// existing topic for each (new, empty) group, so that the groups' consumers
// start exactly there: without it a reader resolves "last offset" only after
// it is assigned, and could skip messages produced in between.
func (a admin) commitEndOffsets(ctx context.Context, groups []string, topic string, partitions int) error {
	reqs := make([]kafka.OffsetRequest, partitions)
	for p := range reqs {
		reqs[p] = kafka.LastOffsetOf(p)
	}
	return a.do(ctx, func(ctx context.Context, c *kafka.Client) error {
		res, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
		if err != nil {
			return fmt.Errorf("list end offsets of %s: %w", topic, err)
		}
		commits := make([]kafka.OffsetCommit, 0, partitions)
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return fmt.Errorf("end offset of %s partition %d: %w", topic, po.Partition, po.Error)
			}
			commits = append(commits, kafka.OffsetCommit{Partition: po.Partition, Offset: po.LastOffset})
		}
		for _, g := range groups {
			cres, err := c.OffsetCommit(ctx, &kafka.OffsetCommitRequest{
				GroupID: g, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{topic: commits},
			})
			if err != nil {
				return fmt.Errorf("commit start offsets of group %s: %w", g, err)
			}
			for _, p := range cres.Topics[topic] {
				if p.Error != nil {
					return fmt.Errorf("commit start offset of group %s partition %d: %w", g, p.Partition, p.Error)
				}
			}
		}
		return nil
	})
}
