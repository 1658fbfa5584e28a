package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/plan"
)

// CleanOptions select what Clean finds and whether it deletes it.
type CleanOptions struct {
	// Client is the admin client library; "" means franz-go.
	Client plan.Client
	// Prefix is the topics' prefix the runs used (plan.Topics.Prefix); ""
	// means plan.Defaults' ("mskbench-").
	Prefix string
	// RunID, when set, selects that run only (any id, e.g. one given with
	// --run-id); "" selects every run id mskbench generates (ParseName).
	RunID string
	// OlderThan, when > 0, selects only runs that started at least that
	// long before Now: run ids that carry their start time (NewRunID).
	// Names whose age is unknown are then left alone.
	OlderThan time.Duration
	// Now is the time ages are measured from; zero means time.Now().
	Now time.Time
	// Delete deletes what was found; false only lists it (a dry run).
	Delete bool
}

// Leftover is a topic or consumer group Clean found.
type Leftover struct {
	Kind  string // "topic" or "group"
	Name  string
	RunID string
	// Started is the start time its run id carries; zero when unknown.
	Started time.Time
	// InUse says the run still has a consumer group with members: a run
	// in progress (or one whose members have not timed out yet). Clean
	// lists it and deletes none of that run's names.
	InUse bool
	// Deleted is true once Delete removed it; Err is why it was not.
	Deleted bool
	Err     error
}

// Clean finds the topics and consumer groups that runs left behind on the
// cluster conn reaches — only names ParseName recognises under the prefix
// (and run id) of o, never anything else — and, with o.Delete, deletes
// them: groups first, then topics; a run with a group that still has
// members is in use and left alone. It returns what it found, sorted by
// run id, kind and name; the error is that of listing, or of the deletions
// that failed (each also in its Leftover).
func Clean(ctx context.Context, conn *auth.Conn, o CleanOptions) ([]Leftover, error) {
	if o.Client == "" {
		o.Client = plan.ClientFranzGo
	}
	if o.Prefix == "" {
		o.Prefix = plan.Defaults().Topics.Prefix
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	drv, err := driverFor(o.Client)
	if err != nil {
		return nil, err
	}
	a, err := drv.newAdmin(conn.Admin())
	if err != nil {
		return nil, err
	}
	defer a.close()
	dial := conn.DialTimeout
	if dial <= 0 {
		dial = plan.DefaultDialTimeout
	}
	adm := adminOps{a: a, brokers: conn.Brokers, dial: dial}
	if _, err := adm.ping(ctx); err != nil {
		return nil, err
	}
	topics, err := adm.listTopics(ctx, o.Prefix)
	if err != nil {
		return nil, err
	}
	groups, err := adm.listGroups(ctx, o.Prefix)
	if err != nil {
		return nil, err
	}
	var found []Leftover
	for kind, names := range map[string][]string{"topic": topics, "group": groups} {
		for _, n := range names {
			id, ok := ParseName(o.Prefix, o.RunID, n)
			if !ok {
				continue
			}
			started, known := RunIDTime(id)
			if o.OlderThan > 0 && (!known || o.Now.Sub(started) < o.OlderThan) {
				continue
			}
			found = append(found, Leftover{Kind: kind, Name: n, RunID: id, Started: started})
		}
	}
	slices.SortFunc(found, func(x, y Leftover) int {
		return cmp.Or(cmp.Compare(x.RunID, y.RunID), cmp.Compare(y.Kind, x.Kind), cmp.Compare(x.Name, y.Name))
	})
	// A run whose group has members is running: its names are left alone.
	inUse := map[string]bool{}
	for _, l := range found {
		if l.Kind != "group" {
			continue
		}
		g, err := describeBounded(ctx, adm, l.Name)
		if err != nil || g.members > 0 {
			inUse[l.RunID] = true
		}
	}
	for i := range found {
		found[i].InUse = inUse[found[i].RunID]
	}
	if !o.Delete {
		return found, nil
	}
	var errs []error
	for _, kind := range []string{"group", "topic"} { // groups first: they may hold offsets of the topics
		for i := range found {
			l := &found[i]
			if l.Kind != kind || l.InUse {
				continue
			}
			if kind == "group" {
				l.Err = adm.deleteGroupsOnce(ctx, []string{l.Name})
			} else {
				l.Err = adm.deleteTopics(ctx, []string{l.Name})
			}
			l.Deleted = l.Err == nil
			if l.Err != nil {
				errs = append(errs, l.Err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return found, fmt.Errorf("clean: %w", err)
	}
	return found, nil
}

// describeBounded describes one group within the admin bounds.
func describeBounded(ctx context.Context, adm adminOps, group string) (groupInfo, error) {
	ctx, cancel := adm.bounded(ctx)
	defer cancel()
	return adm.a.describeGroup(ctx, group)
}
