package scenarios

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mskbench/mskbench/plan"
)

func reflectPlan() reflect.Value { return reflect.ValueOf(&plan.Plan{}).Elem() }

// The sweep axes are the fields of Sweep, and docs/scenarios.md lists each
// with the plan field it overrides, in the same order.
func TestSweepAxesDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `(\\w+)` \\| `([\\w.]+)` \\| [^|]+\\|$").FindAllStringSubmatch(
		string(data[strings.Index(string(data), "| sweep key |"):]), -1)
	var docs, axes []string
	for _, r := range rows {
		docs = append(docs, r[1]+" → "+r[2])
	}
	s := Default()
	for _, a := range s.sweepAxes() {
		axes = append(axes, a.key+" → "+a.field)
		if !fieldAt(reflectPlan(), a.field).IsValid() {
			t.Errorf("sweep.%s overrides %s, which is no plan field", a.key, a.field)
		}
	}
	if len(docs) < len(axes) || strings.Join(docs[:len(axes)], "\n") != strings.Join(axes, "\n") {
		t.Errorf("docs/scenarios.md sweep table:\n%s\nwant\n%s", strings.Join(docs, "\n"), strings.Join(axes, "\n"))
	}
}
