package scenarios

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"

	"github.com/mskbench/mskbench/plan"
)

// position is where a value was written.
type position struct {
	File         string
	Line, Column int
}

// maxDepth bounds the nesting the decoder follows; the schema is far
// shallower, so deeper input (or an alias cycle) is an error, never a crash.
const maxDepth = 32

// plaintextPassword is the message for a password written into a scenario.
const plaintextPassword = "passwords are never accepted in plaintext in a scenario file; use scram_password_env, scram_password_file or scram_secret_arn"

// Parse reads a scenario from data, named file in error messages, on top of
// the defaults. Parsing is strict: unknown fields, values of the wrong type,
// duplicate fields and unreadable values are errors. Every problem is
// reported at once, as a *Errors error. When the file has such problems,
// Parse also reports what Validate finds in the rest of it; otherwise it does
// not call Validate. It never panics.
func Parse(file string, data []byte) (s *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, Errors{{File: file, Message: fmt.Sprintf("cannot read the scenario: internal error: %v", r)}}.err()
		}
	}()
	if len(data) > MaxSourceBytes {
		return nil, Errors{{File: file, Message: fmt.Sprintf("%d bytes; a scenario is at most %d bytes (%d MiB)", len(data), MaxSourceBytes, MaxSourceBytes>>20)}}.err()
	}
	if p, bad := binaryAt(file, data); bad {
		return nil, Errors{p}.err()
	}
	s = Default()
	s.File = file
	s.Source = append([]byte(nil), data...)
	s.pos = map[string]position{}

	root, probs := parseYAML(file, data)
	if len(probs) > 0 {
		return nil, probs.err()
	}
	d := &decoder{file: file, pos: s.pos}
	d.decode(root, reflect.ValueOf(s).Elem(), "", 0)
	s.finish()
	if len(d.problems) > 0 {
		// Report the problems of the other fields too, all at once.
		probs := d.problems
		if d.more > 0 {
			probs = append(probs, moreProblems(file, d.more))
		}
		var vp Errors
		if err := s.Validate(ValidateOptions{}); err != nil {
			vp = *err.(*Errors)
		}
		for _, p := range vp {
			if !underAny(p.Field, d.problems) {
				probs = append(probs, p)
			}
		}
		return nil, probs.err()
	}
	return s, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML reads the single YAML document in data and returns its top-level
// mapping.
func parseYAML(file string, data []byte) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: file, Line: 1, Column: 1, Message: "the scenario is empty; want a YAML mapping such as \"name: my-test\" (see docs/scenarios.md)"}}
		}
		return nil, Errors{yamlProblem(file, data, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errors{{File: file, Line: extra.Line, Column: extra.Column, Message: "more than one YAML document; a scenario file holds exactly one"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Errors{yamlProblem(file, data, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, Errors{{File: file, Line: 1, Column: 1, Message: "the scenario is empty; want a YAML mapping such as \"name: my-test\" (see docs/scenarios.md)"}}
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, Errors{{File: file, Line: 1, Column: 1, Message: "the scenario is empty; want a YAML mapping such as \"name: my-test\" (see docs/scenarios.md)"}}
	}
	if root.Kind != yaml.MappingNode {
		return nil, Errors{{File: file, Line: root.Line, Column: root.Column, Message: "want a mapping of scenario fields (name, cluster, topics, producers, ...) at the top level, got " + describe(root)}}
	}
	return root, nil
}

// yamlProblem turns a YAML syntax error of data into a Problem. yaml.v3
// names only a line, for parser errors the 0-based line where the
// construct around the problem began (one too early), and never a column;
// goccy/go-yaml's parser points at the token where the problem is, line and
// column, so its position and message are used when it finds the problem
// too.
func yamlProblem(file string, data []byte, err error) Problem {
	if _, gerr := goccyparser.ParseBytes(data, 0); gerr != nil {
		var se *goccy.SyntaxError
		if errors.As(gerr, &se) && se.Token != nil && se.Token.Position != nil && se.Token.Position.Line > 0 {
			return Problem{File: file, Line: se.Token.Position.Line, Column: se.Token.Position.Column, Message: "invalid YAML: " + se.Message}
		}
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: line, Message: "invalid YAML: " + m[2]}
	}
	return Problem{File: file, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// binaryAt finds a NUL byte or invalid UTF-8 in data: a binary file, not a
// scenario. It returns the problem at its line and column.
func binaryAt(file string, data []byte) (Problem, bool) {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == 0 || r == utf8.RuneError && n == 1 {
			return Problem{File: file, Line: line, Column: col, Message: fmt.Sprintf("not a text file (byte 0x%02x at offset %d): a scenario is YAML text in UTF-8", data[i], i)}, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return Problem{}, false
}

// maxProblems is how many problems a scenario reports; past it the decoder
// stops looking closer (no suggestions) and only counts.
const maxProblems = 50

// moreProblems is the last line of a capped problem list.
func moreProblems(file string, n int) Problem {
	return Problem{File: file, Line: -1, Message: fmt.Sprintf("... and %d more problems (only the first %d are listed)", n, maxProblems)}
}

// decoder decodes YAML nodes into Go values by their json tags, collecting
// problems and the position of every value it sets.
type decoder struct {
	file     string
	problems Errors
	more     int // problems past maxProblems, counted only
	pos      map[string]position
	noPos    bool // --set: values have no line in a file
}

// full reports whether maxProblems were found (and counts one more).
func (d *decoder) full() bool {
	if len(d.problems) < maxProblems {
		return false
	}
	d.more++
	return true
}

func (d *decoder) at(n *yaml.Node) position {
	if d.noPos || n == nil {
		return position{File: d.file}
	}
	return position{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *decoder) problem(n *yaml.Node, field, format string, args ...any) {
	if d.full() {
		return
	}
	p := d.at(n)
	d.problems = append(d.problems, Problem{File: p.File, Line: p.Line, Column: p.Column, Field: field, Message: fmt.Sprintf(format, args...)})
}

var (
	sizeDistType      = reflect.TypeFor[plan.SizeDist]()
	keysType          = reflect.TypeFor[plan.Keys]()
	preconditionType  = reflect.TypeFor[Precondition]()
	textUnmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	default:
		return "something else"
	}
}

// want names the YAML a Go type reads, for "want X, got Y" messages.
func want(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[plan.Duration]():
		return "a duration such as \"30s\" or \"250ms\""
	case reflect.TypeFor[plan.Size]():
		return "a size such as \"100B\", \"1KiB\" or \"1MB\""
	case reflect.TypeFor[plan.Rate]():
		return "a rate such as \"5000/s\", \"50MB/s\" or \"max\""
	case reflect.TypeFor[plan.Acks]():
		return "acks 0, 1 or all"
	case reflect.TypeFor[plan.Compression]():
		return "a compression codec (none, gzip, snappy, lz4, zstd)"
	case reflect.TypeFor[plan.KeyMode]():
		return "a key mode (" + strings.Join(plan.KeyModes(), ", ") + ")"
	case reflect.TypeFor[plan.Percent]():
		return "a percentage such as \"60%\""
	case reflect.TypeFor[plan.Client]():
		return "a client (franz-go, kafka-go)"
	case reflect.TypeFor[plan.Partitioner]():
		return "a partitioner (sticky, round-robin, hash)"
	case reflect.TypeFor[plan.Isolation]():
		return "an isolation level (read_committed, read_uncommitted)"
	case sizeDistType:
		return "a size, {min: SIZE, max: SIZE} or a list of {size: SIZE, weight: N}"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Pointer:
		return want(t.Elem())
	}
	return t.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode sets v from n; path is the YAML path of v.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, depth int) {
	if depth > maxDepth {
		d.problem(n, path, "nested too deeply")
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.problem(n, path, "unresolved alias")
			return
		}
		n = n.Alias
	}
	d.pos[path] = d.at(n)
	t := v.Type()
	null := n.Kind == yaml.ScalarNode && n.Tag == "!!null"

	switch {
	case t == sizeDistType:
		d.decodeSizeDist(n, v, path, depth)
		return
	case t == keysType && n.Kind == yaml.ScalarNode && !null:
		// "keys: random" is short for "keys: {mode: random}".
		d.decode(n, v.FieldByName("Mode"), join(path, "mode"), depth+1)
		return
	case t == preconditionType && n.Kind == yaml.ScalarNode && !null:
		// "precondition: deplete-credits" is short for "precondition: {mode: deplete-credits}".
		d.decode(n, v.FieldByName("Mode"), join(path, "mode"), depth+1)
		return
	case reflect.PointerTo(t).Implements(textUnmarshalType):
		if n.Kind != yaml.ScalarNode || null {
			d.problem(n, path, "want %s, got %s", want(t), describe(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.problem(n, path, "%v", err)
		}
		return
	}

	switch t.Kind() {
	case reflect.Struct:
		if null {
			return
		}
		d.decodeStruct(n, v, path, depth)
	case reflect.Pointer:
		if null {
			v.SetZero()
			return
		}
		e := reflect.New(t.Elem())
		d.decode(n, e.Elem(), path, depth+1)
		v.Set(e)
	case reflect.Slice:
		d.decodeSlice(n, v, path, depth, null)
	case reflect.Map:
		d.decodeMap(n, v, path, null)
	default:
		d.decodeScalar(n, v, path, null)
	}
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string, null bool) {
	t := v.Type()
	if n.Kind != yaml.ScalarNode || (null && t.Kind() != reflect.String) {
		d.problem(n, path, "want %s, got %s", want(t), describe(n))
		return
	}
	s := strings.TrimSpace(n.Value)
	switch t.Kind() {
	case reflect.String:
		if null {
			v.SetString("")
		} else {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true", "yes", "on":
			v.SetBool(true)
		case "false", "no", "off":
			v.SetBool(false)
		default:
			d.problem(n, path, "want true or false, got %s", describe(n))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				i, err = int64(f), nil
			}
		}
		if err != nil || v.OverflowInt(i) {
			d.problem(n, path, "want an integer, got %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.problem(n, path, "want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	default:
		d.problem(n, path, "cannot decode into %s", t)
	}
}

// decodeStruct reads a mapping into the struct v by json tag names.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "want a mapping, got %s", describe(n))
		return
	}
	fields := map[string]int{}
	var names []string
	for _, f := range schemaFields(v.Type()) {
		fields[f.name] = f.index
		names = append(names, f.name)
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key := kn.Value
		if kn.Kind != yaml.ScalarNode {
			d.problem(kn, path, "want a field name, got %s", describe(kn))
			continue
		}
		field := join(path, key)
		if first, dup := seen[key]; dup {
			d.problem(kn, field, "duplicate field (first set on line %d)", first.Line)
			continue
		}
		seen[key] = kn
		idx, ok := fields[key]
		if !ok {
			d.unknown(kn, path, key, names)
			continue
		}
		d.decode(vn, v.Field(idx), field, depth+1)
	}
}

// unknown reports the unknown field key of the mapping at path.
func (d *decoder) unknown(kn *yaml.Node, path, key string, names []string) {
	if d.full() {
		return // no suggestions past the limit: they cost a walk of the schema each
	}
	field := join(path, key)
	lk := strings.ToLower(key)
	if strings.Contains(lk, "password") || strings.Contains(lk, "passwd") {
		d.problem(kn, field, plaintextPassword)
		return
	}
	if s := suggest(key, names); s != "" {
		d.problem(kn, field, "unknown field; did you mean %q?", s)
		return
	}
	if elsewhere := fieldsNamed(key); len(elsewhere) > 0 {
		d.problem(kn, field, "unknown field here; did you mean %s?", strings.Join(elsewhere, " or "))
		return
	}
	where := "here"
	if path != "" {
		where = "in " + path
	}
	d.problem(kn, field, "unknown field; valid fields %s: %s", where, strings.Join(names, ", "))
}

// fieldsNamed returns the YAML paths of the scenario fields named key, for
// a field written at the wrong level ("partitions" at the top level).
func fieldsNamed(key string) []string {
	var out []string
	var walk func(t reflect.Type, path string, depth int)
	walk = func(t reflect.Type, path string, depth int) {
		if depth > 4 || t == sizeDistType || reflect.PointerTo(t).Implements(textUnmarshalType) {
			return
		}
		for _, f := range schemaFields(t) {
			p := join(path, f.name)
			if f.name == key {
				out = append(out, p)
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, p, depth+1)
			}
		}
	}
	walk(reflect.TypeFor[Scenario](), "", 0)
	return out
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string, depth int, null bool) {
	t := v.Type()
	if null {
		v.Set(reflect.MakeSlice(t, 0, 0))
		return
	}
	items := n.Content
	if n.Kind == yaml.ScalarNode {
		if t.Elem().Kind() != reflect.String {
			d.problem(n, path, "want a list, got %s", describe(n))
			return
		}
		// "a:9092,b:9092" is short for [a:9092, b:9092].
		items = nil
		for part := range strings.SplitSeq(n.Value, ",") {
			items = append(items, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSpace(part), Line: n.Line, Column: n.Column})
		}
	} else if n.Kind != yaml.SequenceNode {
		d.problem(n, path, "want a list, got %s", describe(n))
		return
	}
	out := reflect.MakeSlice(t, len(items), len(items))
	for i, item := range items {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, null bool) {
	t := v.Type()
	if null {
		v.Set(reflect.MakeMap(t))
		return
	}
	if n.Kind != yaml.MappingNode || t.Key().Kind() != reflect.String || t.Elem().Kind() != reflect.String {
		d.problem(n, path, "want a mapping of names to values, got %s", describe(n))
		return
	}
	out := reflect.MakeMap(t)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind != yaml.ScalarNode || kn.Value == "" {
			d.problem(kn, path, "want a name, got %s", describe(kn))
			continue
		}
		field := join(path, kn.Value)
		if first, dup := seen[kn.Value]; dup {
			d.problem(kn, field, "duplicate key (first set on line %d)", first.Line)
			continue
		}
		seen[kn.Value] = kn
		if vn.Kind == yaml.AliasNode && vn.Alias != nil {
			vn = vn.Alias
		}
		if vn.Kind != yaml.ScalarNode || vn.Tag == "!!null" {
			d.problem(vn, field, "want a value, got %s", describe(vn))
			continue
		}
		d.pos[field] = d.at(vn)
		out.SetMapIndex(reflect.ValueOf(kn.Value), reflect.ValueOf(vn.Value))
	}
	v.Set(out)
}

// decodeSizeDist reads the three forms of a message size: a size, a
// {min, max} mapping, or a list of {size, weight} mappings.
func (d *decoder) decodeSizeDist(n *yaml.Node, v reflect.Value, path string, depth int) {
	var dist plan.SizeDist
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			d.problem(n, path, "want %s, got %s", want(sizeDistType), describe(n))
			return
		}
		// "1KiB", or the one-line forms "100B..2KiB" and "100B:3,10KiB:1".
		var err error
		if dist, err = plan.ParseSizeDist(n.Value); err != nil {
			d.problem(n, path, "%v", err)
			return
		}
		if dist.MaxSize() == 0 {
			d.problem(n, path, "must be greater than 0")
			return
		}
	case yaml.MappingNode:
		var r struct {
			Min plan.Size `json:"min"`
			Max plan.Size `json:"max"`
		}
		before := len(d.problems)
		d.decodeStruct(n, reflect.ValueOf(&r).Elem(), path, depth)
		if len(d.problems) > before {
			return
		}
		for _, k := range []string{"min", "max"} {
			if _, ok := d.pos[join(path, k)]; !ok {
				d.problem(n, join(path, k), "missing; a size range needs both min and max")
			}
		}
		dist.Min, dist.Max = r.Min, r.Max
	case yaml.SequenceNode:
		var ws []plan.WeightedSize
		d.decode(n, reflect.ValueOf(&ws).Elem(), path, depth+1)
		if len(ws) == 0 {
			d.problem(n, path, "empty list; want at least one {size: SIZE, weight: N}")
			return
		}
		dist.Weighted = ws
	default:
		d.problem(n, path, "want %s, got %s", want(sizeDistType), describe(n))
		return
	}
	v.Set(reflect.ValueOf(dist))
}

// underAny reports whether field is, contains or lies under the field of one
// of probs.
func underAny(field string, probs Errors) bool {
	for _, p := range probs {
		if p.Field == "" || field == "" {
			continue
		}
		for _, pair := range [][2]string{{field, p.Field}, {p.Field, field}} {
			if rest, ok := strings.CutPrefix(pair[0], pair[1]); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
				return true
			}
		}
	}
	return false
}
