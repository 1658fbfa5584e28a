package scenarios

import (
	"reflect"
	"strings"
)

// schemaField is a struct field as the scenario schema names it: by the
// name in its json tag (also its YAML key and its --set path element).
type schemaField struct {
	name  string
	index int
	reflect.StructField
}

// schemaFields returns the fields of the struct type t that are part of the
// schema (exported, with a json name other than "-"), in declaration order:
// the one walk over json tags that decoding, --set, the "did you mean"
// lookups and the sweep axes share.
func schemaFields(t reflect.Type) []schemaField {
	var out []schemaField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		out = append(out, schemaField{name: name, index: i, StructField: f})
	}
	return out
}

// fieldAt returns the field of the struct v at the dotted schema path
// ("topics.partitions"), or an invalid Value when there is none (or a
// pointer on the way is nil).
func fieldAt(v reflect.Value, path string) reflect.Value {
	for part := range strings.SplitSeq(path, ".") {
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		next := reflect.Value{}
		for _, f := range schemaFields(v.Type()) {
			if f.name == part {
				next = v.Field(f.index)
				break
			}
		}
		if !next.IsValid() {
			return next
		}
		v = next
	}
	return v
}
