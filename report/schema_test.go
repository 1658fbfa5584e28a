package report

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is the JSON Schema of the result file, generated from the Go
// types and their doc comments by TestResultSchemaUpToDate (-update).
var schemaPath = filepath.Join("..", "docs", "result.schema.json")

// goDocs maps "Type" and "Type.Field" of the report package to their doc
// comments. A field without a comment of its own shares the comment of the
// field declared before it ("Started and Ended bound ...").
func goDocs(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	docs := map[string]string{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, sp := range g.Specs {
				ts := sp.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil {
					doc = g.Doc
				}
				docs[ts.Name.Name] = cleanDoc(doc.Text())
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				prev := ""
				for _, fld := range st.Fields.List {
					text := cleanDoc(fld.Doc.Text())
					if text == "" {
						text = prev
					}
					prev = text
					for _, n := range fld.Names {
						docs[ts.Name.Name+"."+n.Name] = text
					}
				}
			}
		}
	}
	return docs
}

// cleanDoc turns a doc comment into one line of plain text: doc links
// [Name] lose their brackets.
func cleanDoc(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("[", "", "]", "").Replace(s)
}

// unitHint names the unit a JSON field name carries in its suffix.
func unitHint(name string) string {
	for _, u := range []struct{ suffix, unit string }{
		{"_ms", "milliseconds"}, {"_us", "microseconds (HdrHistogram V2 compressed, base64)"}, {"_seconds", "seconds"},
		{"_bytes", "bytes"}, {"mib_per_sec", "MiB (2^20 bytes) per second"}, {"bytes_per_sec", "bytes per second"},
		{"msgs_per_sec", "messages per second"},
	} {
		if strings.HasSuffix(name, u.suffix) {
			return u.unit
		}
	}
	return ""
}

// undocumented describes the fields whose doc comment is on their type.
var undocumented = map[string]string{
	"LatencySummary.Count":          "Number of samples in the histogram; every other field is 0 when it is 0.",
	"LatencySummary.P50Ms":          "50th percentile (median), reference HdrHistogram semantics.",
	"LatencySummary.P90Ms":          "90th percentile.",
	"LatencySummary.P95Ms":          "95th percentile.",
	"LatencySummary.P99Ms":          "99th percentile.",
	"LatencySummary.P999Ms":         "99.9th percentile.",
	"LatencySummary.P9999Ms":        "99.99th percentile.",
	"LatencySummary.MaxMs":          "Largest recorded value (highest equivalent value).",
	"LatencySummary.MeanMs":         "Mean of the recorded values.",
	"EncodedHistograms.PublishUs":   "Publish latency histogram (ack − intended send time).",
	"EncodedHistograms.ServiceUs":   "Service time histogram (ack − actual send time).",
	"EncodedHistograms.SendDelayUs": "Send delay histogram (actual − intended send time).",
	"EncodedHistograms.EndToEndUs":  "End-to-end latency histogram (consume − intended send time).",
	"EncodedHistograms.CommitUs":    "Transaction commit latency histogram (EndTxn commit response − request), transactional producers only.",
	"Tool.Name":                     `The tool's name, "mskbench".`,
	"Tool.Version":                  "The mskbench version: git describe at build time, the module version, or devel-<revision>.",
	"Tool.Commit":                   "The VCS commit the binary was built from, when known.",
}

// schemaGen builds a JSON Schema (draft 2020-12) from Go types.
type schemaGen struct {
	docs map[string]string
	defs map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if _, ok := g.defs[t.Name()]; !ok {
			g.defs[t.Name()] = nil // break cycles
			props := map[string]any{}
			g.fields(t, props)
			g.defs[t.Name()] = map[string]any{"type": "object", "description": g.docs[t.Name()], "properties": props}
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	}
	panic("schema: unsupported type " + t.String())
}

// fields adds the properties of struct t to props; an embedded struct
// without a JSON name adds its own fields, as encoding/json flattens them.
func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		s := g.schema(f.Type)
		desc := g.docs[t.Name()+"."+f.Name]
		if desc == "" {
			desc = undocumented[t.Name()+"."+f.Name]
		}
		if desc == "" {
			panic("schema: no description for " + t.Name() + "." + f.Name + ": give it a doc comment")
		}
		if u := unitHint(name); u != "" && !strings.Contains(desc, "Unit:") {
			desc = strings.TrimSpace(desc + " Unit: " + u + ".")
		}
		if f.Type == timeType {
			desc = strings.TrimSpace(desc + " RFC 3339 time.")
		}
		if _, isRef := s["$ref"]; isRef {
			s = map[string]any{"allOf": []any{s}}
		}
		s["description"] = desc
		props[name] = s
	}
}

// generateSchema returns the schema of [Result] as indented JSON.
func generateSchema(t *testing.T) []byte {
	g := &schemaGen{docs: goDocs(t), defs: map[string]any{}}
	g.schema(reflect.TypeOf(Result{}))
	root := g.defs["Result"].(map[string]any)
	delete(g.defs, "Result")
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/mskbench/mskbench/docs/result.schema.json",
		"title":       "mskbench result file (schema_version 1)",
		"description": "The result file written by `mskbench run -o`. Generated from the Go types of package report (go test ./report -run TestResultSchemaUpToDate -update); docs/results.md explains each field. Fields may be added within a schema version, so readers must ignore unknown fields; only schema_version is required.",
		"type":        "object",
		"required":    []string{"schema_version"},
		"properties":  root["properties"],
		"$defs":       g.defs,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The checked-in schema is the one the Go types describe: a field added to
// report.Result (or any type in it) without regenerating the schema fails
// here.
func TestResultSchemaUpToDate(t *testing.T) {
	got := generateSchema(t)
	if *update {
		if err := os.WriteFile(schemaPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestResultSchemaUpToDate -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the Go types: run go test ./report -run TestResultSchemaUpToDate -update and check the diff", schemaPath)
	}
}

// compileSchema compiles docs/result.schema.json with a validator the
// project did not write.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, name string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate against the result schema: %v", name, err)
	}
}

// fill sets every field reachable from v to a non-zero value: one element
// per slice and map, allocated pointers.
func fill(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(t0))
		return
	case v.Type() == rawType:
		v.SetBytes([]byte(`{"k":1}`))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint64:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e)
		m.SetMapIndex(reflect.ValueOf("k"), e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// keyPaths lists every object key path of a decoded JSON value, e.g.
// "steps[].timeline[].histograms.publish_us"; map keys read as "*".
func keyPaths(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := prefix + "." + k
			out[p] = true
			keyPaths(p, e, out)
		}
	case []any:
		for _, e := range x {
			keyPaths(prefix+"[]", e, out)
		}
	}
}

// schemaPaths lists the key paths the schema describes; objects with
// additionalProperties (maps) contribute their keys as "k", the key fill uses.
func schemaPaths(prefix string, s map[string]any, defs map[string]any, out map[string]bool) {
	if ref, ok := s["$ref"].(string); ok {
		schemaPaths(prefix, defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), defs, out)
		return
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, a := range all {
			schemaPaths(prefix, a.(map[string]any), defs, out)
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, p := range props {
			out[prefix+"."+k] = true
			schemaPaths(prefix+"."+k, p.(map[string]any), defs, out)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		schemaPaths(prefix+"[]", items, defs, out)
	}
	if add, ok := s["additionalProperties"].(map[string]any); ok {
		out[prefix+".k"] = true
		schemaPaths(prefix+".k", add, defs, out)
	}
}

// Every key of a fully populated result is described by the schema (and
// has a description), and the populated result validates.
func TestResultSchemaCoversEveryField(t *testing.T) {
	var r Result
	fill(reflect.ValueOf(&r).Elem())
	var b bytes.Buffer
	if err := Encode(&b, &r); err != nil {
		t.Fatal(err)
	}
	var decoded any
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	keyPaths("", decoded, got)
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	schemaPaths("", schema, schema["$defs"].(map[string]any), described)
	var missing []string
	for p := range got {
		free := strings.HasPrefix(p, ".scenario.spec.") || strings.Contains(p, ".plan.") // free-form objects
		if !described[p] && !free {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the result schema does not describe %d field(s): %s", len(missing), strings.Join(missing, ", "))
	}
	if len(got) < 150 {
		t.Errorf("a fully populated result has only %d key paths: fill misses fields", len(got))
	}
	validateJSON(t, compileSchema(t, schemaPath), "fully populated result", b.Bytes())
}

// Result files the renderers' tests build, and the result files kept in
// testdata (hand-written and older), validate against the schema.
func TestResultSchemaValidatesResults(t *testing.T) {
	s := compileSchema(t, schemaPath)
	for name, r := range map[string]*Result{"sample": sampleResult(t, true), "html sample": htmlSampleResult(t)} {
		var b bytes.Buffer
		if err := Encode(&b, r); err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, name, b.Bytes())
	}
	// The validator does reject what the schema forbids.
	for _, bad := range []string{`{"steps": []}`, `{"schema_version": "1"}`, `{"schema_version": 1, "started": "yesterday"}`,
		`{"schema_version": 1, "steps": [{"timeline": [{"histograms": {"publish_us": 7}}]}]}`} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s validates, want an error", bad)
		}
	}
	n := 0
	files, _ := filepath.Glob(filepath.Join("..", "cmd", "mskbench", "testdata", "*", "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		chunks := map[string][]byte{f: data}
		if strings.HasSuffix(f, ".txtar") {
			chunks = map[string][]byte{}
			for _, af := range txtar.Parse(data).Files {
				chunks[f+":"+af.Name] = af.Data
			}
		}
		for name, c := range chunks {
			if !strings.HasSuffix(name, ".json") || !bytes.Contains(c, []byte(`"schema_version"`)) || bytes.Contains(c, []byte(`"schema_version": 99`)) {
				continue
			}
			if _, err := Decode(bytes.NewReader(c)); err != nil {
				continue // deliberately broken input of a test
			}
			validateJSON(t, s, name, c)
			n++
		}
	}
	if n < 5 {
		t.Errorf("validated only %d result files from testdata", n)
	}
	t.Logf("validated %d result files from testdata", n)
}
