package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Markdown writes r as a GitHub-flavoured markdown summary for a CI page
// (for example $GITHUB_STEP_SUMMARY): a header with the scenario, tool,
// host, time and labels; the embedded and partial notes; the per-step
// table of [Summary] with a status column; the checks with their verdicts;
// an overall verdict line; and the warnings (run, steps, generator bound,
// delivery problems). The output depends only on r.
func Markdown(w io.Writer, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## mskbench: %s\n\n", mdText(orDash(r.Scenario.Name)))
	meta := []string{mdText(describeTool(r)), "host " + mdText(orDash(r.Host)), "started " + fmtTime(r.Started)}
	if !r.Started.IsZero() && r.Ended.After(r.Started) {
		meta = append(meta, "took "+r.Ended.Sub(r.Started).Round(time.Second).String())
	}
	b.WriteString(strings.Join(meta, " · ") + "\n")
	if len(r.Labels) > 0 {
		var ls []string
		for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
			ls = append(ls, "`"+mdCode(k+"="+r.Labels[k])+"`")
		}
		b.WriteString("\nLabels: " + strings.Join(ls, " ") + "\n")
	}
	if r.Embedded {
		b.WriteString("\n> **Note:** " + mdText(EmbeddedNote) + "\n")
	}
	if r.Partial {
		b.WriteString("\n> **PARTIAL:** the run was interrupted; results cover what was measured until then.\n")
	}
	b.WriteString("\n")
	if len(r.Steps) == 0 {
		b.WriteString("No steps were measured.\n")
	} else {
		header := append(summaryHeader(), "STATUS")
		rows := make([][]string, 0, len(r.Steps))
		for i := range r.Steps {
			rows = append(rows, append(summaryRow(&r.Steps[i]), stepStatus(&r.Steps[i])))
			for _, w := range workloadRows(&r.Steps[i]) {
				rows = append(rows, append(summaryRow(&w), ""))
			}
		}
		mdTable(&b, header, rows)
		b.WriteString("\nLatencies in ms. PUB = ack − intended send (the number to quote), SVC = ack − actual send, " +
			"E2E = consume − intended send. Rates over the measured phase; MiB = 2^20 bytes.\n")
	}
	if len(r.Checks) > 0 {
		b.WriteString("\n### Checks\n\n")
		var rows [][]string
		for _, c := range r.Checks {
			verdict := "✅ pass"
			if !c.Passed {
				verdict = "❌ FAIL"
			}
			step := "-"
			if c.Step >= 0 && c.Step < len(r.Steps) {
				step = stepLabel(&r.Steps[c.Step])
			}
			rows = append(rows, []string{verdict, "`" + mdCode(c.Expr) + "`", step, fmtObserved(c.Observed), c.Detail})
		}
		mdTable(&b, []string{"verdict", "check", "step", "observed", "detail"}, rows)
	}
	failedChecks := Failed(r.Checks)
	var failedSteps []string
	for i := range r.Steps {
		if StepFailure(&r.Steps[i]) != "" {
			failedSteps = append(failedSteps, stepLabel(&r.Steps[i]))
		}
	}
	b.WriteString("\n")
	switch {
	case failedChecks > 0 || len(failedSteps) > 0 || len(r.Steps) == 0:
		var why []string
		if failedChecks > 0 {
			why = append(why, fmt.Sprintf("%d of %d checks failed", failedChecks, len(r.Checks)))
		}
		if len(failedSteps) > 0 {
			why = append(why, "failed steps: "+strings.Join(failedSteps, ", "))
		}
		if len(r.Steps) == 0 {
			why = append(why, "no steps were measured")
		}
		b.WriteString("**Verdict: FAIL** — " + mdText(strings.Join(why, "; ")) + "\n")
	case len(r.Checks) > 0:
		fmt.Fprintf(&b, "**Verdict: PASS** — all %d checks passed in %d step(s)\n", len(r.Checks), len(r.Steps))
	default:
		fmt.Fprintf(&b, "**Verdict: PASS** — %d step(s) completed (no checks given)\n", len(r.Steps))
	}
	var warnings []string
	for _, w := range r.Warnings {
		warnings = append(warnings, w)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		if s.Generator != nil && s.Generator.Bottleneck {
			warnings = append(warnings, "step "+stepLabel(s)+": GENERATOR BOUND — the load generator, not the cluster, limited this step")
		}
		if s.Verification.Problems() > 0 {
			v := s.Verification
			warnings = append(warnings, fmt.Sprintf("step %s: delivery verification FAILED — lost %d, duplicated %d, out of order %d, corrupted %d",
				stepLabel(s), v.Lost, v.Duplicated, v.OutOfOrder, v.Corrupted))
		}
		for _, w := range s.Warnings {
			warnings = append(warnings, "step "+stepLabel(s)+": "+w)
		}
	}
	if len(warnings) > 0 {
		b.WriteString("\n### Warnings\n\n")
		for _, w := range warnings {
			b.WriteString("- " + mdText(w) + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// stepStatus is the STATUS cell of step s in the markdown table.
func stepStatus(s *Step) string {
	var st []string
	switch {
	case s.Partial:
		st = append(st, "❌ partial")
	case StepFailure(s) != "":
		st = append(st, "❌ nothing acked")
	default:
		st = append(st, "ok")
	}
	if s.Generator != nil && s.Generator.Bottleneck {
		st = append(st, "⚠️ generator bound")
	}
	return strings.Join(st, ", ")
}

// ComparisonMarkdown writes c as a markdown summary: the compared runs,
// one table per step (baseline, current, change, and for a comparison over
// several baselines the confidence interval of the effect and the
// p-value), the warnings and a verdict line.
func ComparisonMarkdown(w io.Writer, c *Comparison) error {
	var b strings.Builder
	b.WriteString("## mskbench compare\n\n")
	fmt.Fprintf(&b, "- current: %s\n- baseline: %s\n", mdText(c.Current), mdText(c.Baseline))
	for i, d := range c.Baselines {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, mdText(d))
	}
	rule := "max regression " + fmtPercent(c.Options.MaxRegression)
	if c.Stats != nil {
		rule = fmt.Sprintf("regression = p < %s and worse than %s", strconv.FormatFloat(c.Stats.Alpha, 'g', -1, 64), fmtPercent(c.Options.MaxRegression))
	}
	b.WriteString("\n" + rule + "\n")
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "\n### Step %s\n\n", mdText(s.Label))
		header := []string{"metric", "baseline", "current", "change", "verdict"}
		if c.Stats != nil {
			header = []string{"metric", "baseline median", "baseline range", "current", "change", "CI " + fmtPercent(1-c.Stats.Alpha), "p", "verdict"}
		}
		var rows [][]string
		for _, m := range s.Metrics {
			cm := comparedMetric(m.Name)
			verdict := ""
			switch {
			case m.Regression:
				verdict = "❌ REGRESSION"
				if m.Note != "" {
					verdict += " (" + m.Note + ")"
				}
			case m.Improvement:
				verdict = "improved"
			case m.Skipped:
				verdict = "skipped"
				if m.Note != "" {
					verdict += " (" + m.Note + ")"
				}
			case m.Note != "":
				verdict = m.Note
			default:
				verdict = "ok"
			}
			row := []string{cm.label, "-", "-", "-"}
			if !m.Skipped {
				row = []string{cm.label, fmtMetric(cm, m.Base), fmtMetric(cm, m.Cur), fmtRelative(m)}
			}
			if c.Stats != nil {
				row = []string{cm.label, "-", "-", "-", "-", "-", "-"}
				if st := m.Stats; st != nil {
					row[1], row[2] = fmtMetric(cm, st.BaseMedian), fmtMetric(cm, st.BaseMin)+" – "+fmtMetric(cm, st.BaseMax)
					if m.Note != "no samples" {
						row[3], row[4], row[5], row[6] = fmtMetric(cm, m.Cur), fmtRelative(m), fmtInterval(st.EffectLow, st.EffectHigh), fmtP(st.PValue)
					}
				}
			}
			rows = append(rows, append(row, verdict))
		}
		mdTable(&b, header, rows)
	}
	if len(c.Warnings) > 0 {
		b.WriteString("\n### Warnings\n\n")
		for _, w := range c.Warnings {
			b.WriteString("- " + mdText(w) + "\n")
		}
	}
	if n := c.Regressions(); n > 0 {
		fmt.Fprintf(&b, "\n**Verdict: REGRESSION** in %d metric(s)\n", n)
	} else {
		fmt.Fprintf(&b, "\n**Verdict: OK** — no regression in %d step(s)\n", len(c.Steps))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// mdTable writes a markdown table; columns of numbers are right aligned,
// the others left aligned.
func mdTable(b *strings.Builder, header []string, rows [][]string) {
	line := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = mdCell(c)
		}
		b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
	}
	line(header)
	align := make([]string, len(header))
	for i := range align {
		align[i] = "---:"
		for _, r := range rows {
			if i < len(r) && r[i] != "-" && r[i] != "" && !strings.ContainsRune("0123456789+-[<", rune(r[i][0])) {
				align[i] = "---"
			}
		}
	}
	b.WriteString("| " + strings.Join(align, " | ") + " |\n")
	for _, r := range rows {
		line(r)
	}
}

// mdText escapes text for markdown: HTML-significant characters become
// entities so that no text of a result turns into markup.
func mdText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// mdCell escapes a table cell: like mdText, and '|' cannot end the cell.
// Code spans (`...`) are left as they are apart from the '|'.
func mdCell(s string) string {
	if strings.HasPrefix(s, "`") && strings.HasSuffix(s, "`") && len(s) > 1 {
		return strings.ReplaceAll(s, "|", `\|`)
	}
	return strings.ReplaceAll(mdText(s), "|", `\|`)
}

// mdCode makes s safe inside a code span: backticks cannot end it.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ").Replace(s)
}
