package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mskbench/mskbench/plan"
)

// setFile is the File of problems found in --set expressions.
const setFile = "--set"

// Set applies one override "path=value", where path is a YAML path of the
// scenario ("producers.rate", "topics.partitions", "topics.configs.retention.ms",
// "sweep.partitions") and value is written as in the file: "2000/s", "12",
// "[1, 2, 4]", "{min: 100B, max: 2KiB}". A list of strings may also be given
// comma-separated ("cluster.brokers=a:9092,b:9092"). The value replaces the
// field whole: an omitted field inside a mapping value gets its default; an
// empty value restores the default ("path=") or removes a topic config. An
// invalid expression returns a *Errors error with File "--set" and leaves s
// unchanged. Call Validate after the last Set.
func (s *Scenario) Set(expr string) error { return s.SetFrom(setFile, expr) }

// SetFrom is Set for an override that comes from somewhere other than
// --set, e.g. a flag of its own: problems with it, found now or by
// Validate, are located at source ("--duration") instead of "--set".
func (s *Scenario) SetFrom(source, expr string) error {
	setFile := source
	fail := func(field, format string, args ...any) error {
		return Errors{{File: setFile, Field: field, Message: fmt.Sprintf(format, args...)}}.err()
	}
	path, value, ok := strings.Cut(expr, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return fail("", "want path=value, e.g. producers.rate=2000/s, got %q", expr)
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(value), &node); err != nil || node.Kind != yaml.DocumentNode || len(node.Content) != 1 {
		// Not YAML on its own (e.g. "a: b: c"): take the text as it is.
		node = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}}}
	}
	vn := node.Content[0]
	if strings.TrimSpace(value) == "" {
		vn = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}

	// Decode into a copy so that a failed Set changes nothing.
	next := s.clone()
	target, mapKey, err := next.find(path)
	if err != nil {
		return err
	}
	for p := range next.pos {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(next.pos, p)
		}
	}
	d := &decoder{file: setFile, pos: next.pos, noPos: true}
	if mapKey != "" {
		switch {
		case vn.Kind == yaml.ScalarNode && vn.Tag == "!!null":
			// "topics.configs.retention.ms=" removes the entry.
			if !target.IsNil() {
				target.SetMapIndex(reflect.ValueOf(mapKey), reflect.Value{})
			}
		case vn.Kind == yaml.ScalarNode:
			if target.IsNil() {
				target.Set(reflect.MakeMap(target.Type()))
			}
			target.SetMapIndex(reflect.ValueOf(mapKey), reflect.ValueOf(vn.Value))
			next.pos[path] = position{File: setFile}
		default:
			return fail(path, "want a value, got %s", describe(vn))
		}
	} else {
		if def, _, err := Default().find(path); err == nil {
			target.Set(def)
		}
		if vn.Kind != yaml.ScalarNode || vn.Tag != "!!null" {
			d.decode(vn, target, path, strings.Count(path, "."))
			if len(d.problems) > 0 {
				return d.problems.err()
			}
		}
	}
	next.overrides = append(next.overrides, expr)
	next.finish()
	*s = *next
	return nil
}

// clone returns a copy of s that shares no maps or slices with it.
func (s *Scenario) clone() *Scenario {
	c := *s
	c.pos = make(map[string]position, len(s.pos))
	for k, v := range s.pos {
		c.pos[k] = v
	}
	c.overrides = append([]string(nil), s.overrides...)
	c.Cluster.Brokers = append([]string(nil), s.Cluster.Brokers...)
	if s.Cluster.Auth.TLS != nil {
		tls := *s.Cluster.Auth.TLS
		c.Cluster.Auth.TLS = &tls
	}
	if s.Topics.Configs != nil {
		c.Topics.Configs = make(map[string]string, len(s.Topics.Configs))
		for k, v := range s.Topics.Configs {
			c.Topics.Configs[k] = v
		}
	}
	c.Producers.MessageSize = cloneDist(s.Producers.MessageSize)
	if s.Workloads != nil {
		c.Workloads = make([]plan.Workload, len(s.Workloads))
		for i, w := range s.Workloads {
			c.Workloads[i] = cloneWorkload(w)
		}
	}
	if s.Ramp != nil {
		r := *s.Ramp
		if r.Step != nil {
			step := *r.Step
			r.Step = &step
		}
		c.Ramp = &r
	}
	if s.Precondition != nil {
		p := *s.Precondition
		c.Precondition = &p
	}
	// Sweep lists are replaced whole by Set, never changed in place.
	return &c
}

// find returns the settable field at the YAML path, or for a path into a
// map (topics.configs.retention.ms) the map and the key.
func (s *Scenario) find(path string) (reflect.Value, string, error) {
	v := reflect.ValueOf(s).Elem()
	parts := strings.Split(path, ".")
	for i, part := range parts {
		so := strings.Join(parts[:i+1], ".")
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct &&
			!reflect.PointerTo(v.Type().Elem()).Implements(textUnmarshalType) {
			// "ramp.start" on a scenario without a ramp block starts one.
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Map:
			return v, strings.Join(parts[i:], "."), nil
		case reflect.Struct:
			if v.Type() == sizeDistType || reflect.PointerTo(v.Type()).Implements(textUnmarshalType) {
				return reflect.Value{}, "", Errors{{File: setFile, Field: path, Message: fmt.Sprintf("set %s whole, e.g. producers.message_size={min: 100B, max: 2KiB}", strings.Join(parts[:i], "."))}}.err()
			}
		default:
			return reflect.Value{}, "", Errors{{File: setFile, Field: path, Message: fmt.Sprintf("%s is not a mapping; set it whole", strings.Join(parts[:i], "."))}}.err()
		}
		// "workloads[1]" addresses an entry of a list.
		part, index, indexed := cutIndex(part)
		var names []string
		found := -1
		for _, f := range schemaFields(v.Type()) {
			names = append(names, f.name)
			if f.name == part {
				found = f.index
			}
		}
		if found < 0 {
			msg := "unknown field"
			if sg := suggest(part, names); sg != "" {
				msg += fmt.Sprintf("; did you mean %q?", strings.Join(append(parts[:i:i], sg), "."))
			} else {
				msg += "; valid fields: " + strings.Join(names, ", ")
			}
			if lp := strings.ToLower(part); strings.Contains(lp, "password") {
				msg = plaintextPassword
			}
			return reflect.Value{}, "", Errors{{File: setFile, Field: so, Message: msg}}.err()
		}
		v = v.Field(found)
		if indexed {
			if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
				return reflect.Value{}, "", Errors{{File: setFile, Field: so, Message: fmt.Sprintf("%s is not a list of mappings; set it whole", part)}}.err()
			}
			if index >= v.Len() {
				return reflect.Value{}, "", Errors{{File: setFile, Field: so, Message: fmt.Sprintf("%s has %d entries (counted from 0); set it whole to add one", part, v.Len())}}.err()
			}
			v = v.Index(index)
		}
	}
	return v, "", nil
}

// cutIndex splits a path element "workloads[1]" into its name and index.
func cutIndex(part string) (string, int, bool) {
	name, rest, ok := strings.Cut(part, "[")
	num, ok2 := strings.CutSuffix(rest, "]")
	if !ok || !ok2 {
		return part, 0, false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 {
		return part, 0, false
	}
	return name, i, true
}
