package load

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

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

// Kafka error codes the engine's admin logic acts on.
const (
	codeUnknownTopicOrPartition = 3
	codeRequestTimedOut         = 7
	codeNotController           = 41
	codeNonEmptyGroup           = 68
	codeGroupIDNotFound         = 69
)

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

// adminOps are the engine's administrative steps over an admin client of
// either driver: the waits, retries and error messages written once.
type adminOps struct {
	a       admin
	brokers []string      // bootstrap addresses, for error messages
	dial    time.Duration // the connection's dial timeout
}

// bounded returns ctx bounded by the dial timeout plus adminTimeout.
func (o adminOps) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.dial+adminTimeout)
}

// ping checks that the cluster answers, within twice the dial timeout. Its
// error names the addresses tried.
func (o adminOps) ping(ctx context.Context) (brokers map[int32]string, err error) {
	if len(o.brokers) == 0 {
		return nil, errors.New("no bootstrap brokers given")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*o.dial)
	defer cancel()
	n, err := o.a.brokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to brokers %s: %w (check the addresses, the port for the auth mechanism and network access)",
			strings.Join(o.brokers, ","), err)
	}
	return n, nil
}

// existingPartitions returns the partition count of an existing topic, or an
// error when it does not exist.
func (o adminOps) existingPartitions(ctx context.Context, topic string) (int, error) {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	ts, err := o.a.topics(ctx, []string{topic})
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	t, ok := ts[topic]
	switch {
	case !ok:
		return 0, fmt.Errorf("existing topic %s: not found", topic)
	case t.err != nil:
		return 0, fmt.Errorf("existing topic %s: %w", topic, t.err)
	case t.partitions == 0:
		return 0, fmt.Errorf("existing topic %s: no partitions", topic)
	}
	return t.partitions, nil
}

// createTopics creates the topics with the plan's partitions, replication
// factor and configs. It returns the names it may have created, even on
// error, so that the caller can delete them: those the answer says were
// created, those it times out on (REQUEST_TIMED_OUT: the controller may
// still create them), and every name when there is no answer (refused is
// only what the answer refuses). The request is not cut short by ctx: an
// interrupt while the cluster creates the topics waits for its answer
// (bounded by the dial and admin timeouts), so that what was created is
// known and deleted.
func (o adminOps) createTopics(ctx context.Context, names []string, t plan.Topics) (created []string, err error) {
	ctx, cancel := o.bounded(context.WithoutCancel(ctx))
	defer cancel()
	res, err := o.a.createTopics(ctx, names, t)
	if err != nil {
		return names, fmt.Errorf("create topics %s: %w (they may exist: the cluster did not answer)", strings.Join(names, ","), err)
	}
	var errs []error
	for _, n := range names {
		e, ok := res[n]
		if !ok {
			e = errors.New("not in the response")
		}
		if e != nil {
			errs = append(errs, fmt.Errorf("create topic %s (%d partitions, replication factor %d): %w",
				n, t.Partitions, t.ReplicationFactor, e))
			if ok && !hasCode(e, codeRequestTimedOut) {
				continue
			}
		}
		created = append(created, n)
	}
	return created, errors.Join(errs...)
}

// waitLeaders polls metadata until every partition of every topic has a
// leader, bounded by setupTimeout.
func (o adminOps) waitLeaders(ctx context.Context, names []string, partitions int) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	var last error
	for {
		last = o.leadersReady(ctx, names, partitions)
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

func (o adminOps) leadersReady(ctx context.Context, names []string, partitions int) error {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	ts, err := o.a.topics(ctx, names)
	if err != nil {
		return err
	}
	for _, n := range names {
		t, ok := ts[n]
		switch {
		case !ok:
			return fmt.Errorf("topic %s: not in metadata yet", n)
		case t.err != nil:
			return fmt.Errorf("topic %s: %w", n, t.err)
		case t.partitions < partitions:
			return fmt.Errorf("topic %s: %d of %d partitions visible", n, t.partitions, partitions)
		case t.leaderless >= 0:
			return fmt.Errorf("topic %s partition %d: no leader yet", n, t.leaderless)
		}
	}
	return nil
}

// deleteTopics deletes the named topics (only ever those this run created).
// A controller that moved (a broker removed, an election) answers
// NOT_CONTROLLER: deleteTopics retries. Topics already gone are not an
// error.
func (o adminOps) deleteTopics(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var err error
	for attempt := range 5 {
		if err = o.deleteTopicsOnce(ctx, names); err == nil || !hasCode(err, codeNotController) {
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

func (o adminOps) deleteTopicsOnce(ctx context.Context, names []string) error {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	res, err := o.a.deleteTopics(ctx, names)
	if err != nil {
		return fmt.Errorf("delete topics %s: %w", strings.Join(names, ","), err)
	}
	var errs []error
	for _, n := range names {
		if e := res[n]; e != nil && !hasCode(e, codeUnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", n, e))
		}
	}
	return errors.Join(errs...)
}

// groupReady reports whether a consumer group is Stable with want members,
// of which wantAssigned hold at least one partition.
func (o adminOps) groupReady(ctx context.Context, group string, want, wantAssigned int) (bool, string, error) {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	g, err := o.a.describeGroup(ctx, group)
	if err != nil {
		return false, "", err
	}
	state := fmt.Sprintf("state %s, %d of %d members, %d of %d assigned",
		g.state, g.members, want, g.assigned, wantAssigned)
	return g.state == "Stable" && g.members == want && g.assigned >= wantAssigned, state, nil
}

// waitGroups polls every group until it is Stable with want members of which
// wantAssigned hold partitions, bounded by setupTimeout.
func (o adminOps) waitGroups(ctx context.Context, groups []string, want, wantAssigned int) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	for _, g := range groups {
		for {
			ok, state, err := o.groupReady(ctx, g, want, wantAssigned)
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				if err != nil {
					state = err.Error()
				}
				return fmt.Errorf("consumer group %s not ready (%s): %w", g, state, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
	}
	return nil
}

// offsets returns an offset of every one of the partitions of topic (see
// admin.listOffsets for at), an error when some partition did not answer.
func (o adminOps) offsets(ctx context.Context, topic string, partitions int, at int64) (map[int32]int64, error) {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	offs, err := o.a.listOffsets(ctx, topic, at)
	if err == nil && len(offs) < partitions {
		err = fmt.Errorf("%d of %d partitions answered", len(offs), partitions)
	}
	if err != nil {
		what := map[int64]string{offsetEnd: "end", offsetStart: "start"}[at]
		if what == "" {
			what = "timestamp " + time.UnixMilli(at).UTC().Format(time.RFC3339Nano)
		}
		return nil, fmt.Errorf("list %s offsets of %s: %w", what, topic, err)
	}
	return offs, nil
}

// startOffsets returns where a group starting at start reads the
// partitions of topic, for a step that begins at begin: the end offsets
// (latest), the log start (earliest), the first offsets at or after the
// timestamp, or the group's committed offsets (the log start where it has
// none).
func (o adminOps) startOffsets(ctx context.Context, group, topic string, partitions int, start plan.StartOffset, begin time.Time) (map[int32]int64, error) {
	switch start.ModeOrDefault() {
	case plan.StartEarliest:
		return o.offsets(ctx, topic, partitions, offsetStart)
	case plan.StartTimestamp:
		return o.offsets(ctx, topic, partitions, max(start.TimeFor(begin).UnixMilli(), 0))
	case plan.StartCommitted:
		first, err := o.offsets(ctx, topic, partitions, offsetStart)
		if err != nil {
			return nil, err
		}
		cctx, cancel := o.bounded(ctx)
		defer cancel()
		committed, err := o.a.committedOffsets(cctx, group, topic)
		if err != nil {
			return nil, fmt.Errorf("fetch the offsets committed for group %s: %w", group, err)
		}
		for p, c := range committed {
			first[p] = max(c, first[p])
		}
		return first, nil
	}
	return o.offsets(ctx, topic, partitions, offsetEnd)
}

// commitStart commits offsets of topic for a (new or empty) group before
// any member joins, so that its consumers start exactly there.
func (o adminOps) commitStart(ctx context.Context, group, topic string, offsets map[int32]int64) error {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	if err := o.a.commitOffsets(ctx, group, topic, offsets); err != nil {
		return fmt.Errorf("commit start offsets of group %s: %w", group, err)
	}
	return nil
}

// withPrefix returns the names that start with prefix, sorted.
func withPrefix(names iter.Seq[string], prefix string) []string {
	var out []string
	for n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// listTopics returns the topics whose name starts with prefix, sorted.
func (o adminOps) listTopics(ctx context.Context, prefix string) ([]string, error) {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	ts, err := o.a.topics(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return withPrefix(maps.Keys(ts), prefix), nil
}

// listGroups returns the consumer groups whose id starts with prefix,
// sorted.
func (o adminOps) listGroups(ctx context.Context, prefix string) ([]string, error) {
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	gs, err := o.a.listGroups(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

// deleteGroups deletes the named groups (only ever those this run
// created); groups already gone are not an error. A group whose members
// have not left yet (NON_EMPTY_GROUP: a consumer's leave still on its way,
// or its session not yet expired) is asked again every pollInterval until
// ctx ends.
func (o adminOps) deleteGroups(ctx context.Context, groups []string) error {
	for {
		err := o.deleteGroupsOnce(ctx, groups)
		if err == nil || !hasCode(err, codeNonEmptyGroup) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pollInterval):
		}
	}
}

func (o adminOps) deleteGroupsOnce(ctx context.Context, groups []string) error {
	if len(groups) == 0 {
		return nil
	}
	ctx, cancel := o.bounded(ctx)
	defer cancel()
	res, err := o.a.deleteGroups(ctx, groups)
	if err != nil {
		return fmt.Errorf("delete groups %s: %w", strings.Join(groups, ","), err)
	}
	var errs []error
	for _, g := range slices.Sorted(maps.Keys(res)) {
		if e := res[g]; e != nil && !hasCode(e, codeGroupIDNotFound) {
			errs = append(errs, fmt.Errorf("delete group %s: %w", g, e))
		}
	}
	return errors.Join(errs...)
}
