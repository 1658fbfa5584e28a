package scenarios

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/mskbench/mskbench/plan"
)

// This file holds the workloads: list of a scenario: decoding its entries
// on top of the defaults, the inheritance of the topics, producers and
// consumers blocks, and the checks of the list itself.

var workloadType = reflect.TypeFor[plan.Workload]()

// workloadBlocks are the blocks a workload inherits field by field.
var workloadBlocks = []string{"topics", "producers", "consumers"}

// maxWorkloads bounds the workloads of a scenario.
const maxWorkloads = 100

// maxWorkloadName bounds the length of a workload's name (it is part of
// topic names, which Kafka limits to 249 characters).
const maxWorkloadName = 64

// defaultWorkload is what a workload entry holds before its fields are
// decoded: the defaults of every block (what it writes replaces them; what
// it does not write is inherited from the scenario's blocks, see
// workloads).
func defaultWorkload() plan.Workload {
	d := plan.Defaults()
	return plan.Workload{Topics: d.Topics, Producers: d.Producers, Consumers: d.Consumers}
}

// workloadPrefix is the YAML path prefix of workload i: "workloads[1].".
func workloadPrefix(i int) string { return "workloads[" + strconv.Itoa(i) + "]." }

// inheritKey returns the unit of inheritance of a plan field path: its
// block and the block's field ("producers.keys" for
// "producers.keys.mode", "producers.message_size" for
// "producers.message_size[1].size"), or "" for a path outside the blocks.
func inheritKey(field string) string {
	block, rest, ok := strings.Cut(field, ".")
	if !ok || !slices.Contains(workloadBlocks, block) {
		return ""
	}
	name, _, _ := strings.Cut(rest, ".")
	name, _, _ = strings.Cut(name, "[")
	return block + "." + name
}

// writes reports whether workload i writes the block field of the plan
// field path field itself (in the file or by --set), rather than inheriting
// it.
func (s *Scenario) writes(i int, field string) bool {
	key := inheritKey(field)
	if key == "" {
		return false
	}
	p := workloadPrefix(i) + key
	for k := range s.pos {
		if k == p || strings.HasPrefix(k, p+".") || strings.HasPrefix(k, p+"[") {
			return true
		}
	}
	return false
}

// workloads returns the scenario's workloads with their inherited fields
// resolved: each block field a workload does not write comes from the
// scenario's block of that name. The result shares no maps or slices with
// s; nil without workloads.
func (s *Scenario) workloads() []plan.Workload {
	if len(s.Workloads) == 0 {
		return nil
	}
	out := make([]plan.Workload, len(s.Workloads))
	base := reflect.ValueOf(plan.Workload{Topics: s.Topics, Producers: s.Producers, Consumers: s.Consumers})
	for i, w := range s.Workloads {
		eff := reflect.New(workloadType).Elem()
		eff.Set(base)
		own := reflect.ValueOf(w)
		for _, block := range workloadBlocks {
			bv := fieldAt(eff, block)
			for _, f := range schemaFields(bv.Type()) {
				if s.writes(i, block+"."+f.name) {
					bv.Field(f.index).Set(fieldAt(own, block).Field(f.index))
				}
			}
		}
		r := eff.Interface().(plan.Workload)
		r.Name = w.Name
		out[i] = cloneWorkload(r)
	}
	return out
}

// cloneWorkload returns a copy of w that shares no maps, slices or
// pointers with it.
func cloneWorkload(w plan.Workload) plan.Workload {
	w.Topics.Configs = maps.Clone(w.Topics.Configs)
	w.Producers = cloneProducers(w.Producers)
	return w
}

// cloneProducers returns a copy of p that shares no slices or pointers
// with it.
func cloneProducers(p plan.Producers) plan.Producers {
	p.MessageSize = cloneDist(p.MessageSize)
	if p.Idempotent != nil {
		v := *p.Idempotent
		p.Idempotent = &v
	}
	if p.Transactions != nil {
		t := *p.Transactions
		p.Transactions = &t
	}
	return p
}

// workloadChecks checks the workloads list itself: names, and what the
// workloads of one step must not share.
func (v *validator) workloadChecks() {
	s := v.s
	if _, written := s.pos["workloads"]; written && len(s.Workloads) == 0 {
		v.report("workloads", "empty list; give at least one {name: ..., producers: ...} or leave workloads out")
	}
	if len(s.Workloads) > maxWorkloads {
		v.report("workloads", "%d workloads; at most %d", len(s.Workloads), maxWorkloads)
	}
	seen := map[string]int{}
	for i, w := range s.Workloads {
		field := workloadPrefix(i) + "name"
		switch {
		case w.Name == "":
			v.report(field, "missing; every workload needs a name (letters, digits, '.', '_', '-'), e.g. orders")
		case !topicNameRE.MatchString(w.Name):
			v.report(field, "%q: a workload name is part of topic names: letters, digits, '.', '_' and '-' only", w.Name)
		case len(w.Name) > maxWorkloadName:
			v.report(field, "%d characters; at most %d", len(w.Name), maxWorkloadName)
		}
		if j, dup := seen[w.Name]; dup && w.Name != "" {
			v.report(field, "%q is the name of workloads[%d] too; names must be unique", w.Name, j)
		}
		seen[w.Name] = i
	}
	if len(s.Workloads) > 0 && s.Ramp != nil {
		v.report("ramp", "a ramp searches one rate, not the rates of several workloads; remove the ramp or the workloads")
	}
	existing, groups := map[string]int{}, map[string]int{}
	for i, w := range s.workloads() {
		if t := w.Topics.Existing; t != "" {
			if j, dup := existing[t]; dup {
				v.reportWorkload(i, "topics.existing", "workloads[%d] uses the existing topic %q too; each workload needs its own topics (consumers of one would read the other's messages as foreign)", j, t)
			}
			existing[t] = i
			if len(s.Sweep.Partitions) > 0 {
				v.report("sweep.partitions", "cannot sweep partitions of the existing topic %q of workload %s", t, w.Name)
			}
		}
		if g := w.Consumers.GroupID; g != "" && w.Consumers.Groups > 0 {
			if j, dup := groups[g]; dup {
				v.reportWorkload(i, "consumers.group_id", "workloads[%d] names the group %q too; each workload needs its own groups (a group reads the topics of both)", j, g)
			}
			groups[g] = i
		}
	}
}

// reportWorkload reports a problem with the plan field field of workload i,
// located where its value was written: in the workload, or in the block it
// inherited the field from (see report).
func (v *validator) reportWorkload(i int, field, format string, args ...any) {
	prev := v.wl
	v.wl = i
	v.report(field, format, args...)
	v.wl = prev
}
