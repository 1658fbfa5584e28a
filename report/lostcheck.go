package report

// LostCheckExpr is the built-in check `mskbench run` evaluates unless the
// scenario turns it off (lost_check: false): with acks=all a message the
// cluster acknowledged must reach every consumer group.
const LostCheckExpr = "lost == 0"

// lostCheckNote follows LostCheckExpr in the check results' Expr, so that
// a reader sees where the check came from.
const lostCheckNote = " (built-in: acks=all; lost_check: false turns it off)"

// EvaluateLost evaluates LostCheckExpr on every step of r whose producers
// used acks=all and that has delivery verification; other steps are
// skipped (with acks 0 or 1 a broker may lose acknowledged messages by
// design), and so are distributed steps merged without one of their shards
// (ShardFigures.Missing). The results' Expr is LostCheckExpr with a note saying it is the
// built-in check.
func EvaluateLost(r *Result) []CheckResult {
	c, err := ParseCheck(LostCheckExpr)
	if err != nil {
		panic("report: LostCheckExpr: " + err.Error()) // a constant: cannot happen
	}
	var out []CheckResult
	for i := range r.Steps {
		s := &r.Steps[i]
		if s.Verification == nil || s.Client == nil || s.Client.Producer == nil || s.Client.Producer.Acks != "all" {
			continue
		}
		if missingShard(s) {
			// A distributed step merged without a shard: what that shard's
			// consumers read is unknown, so its unread messages are not
			// lost; the step is partial and names the shard.
			continue
		}
		cr := evaluateOne(c, i, stepAggregates(s), s)
		cr.Expr += lostCheckNote
		out = append(out, cr)
	}
	return out
}

// missingShard reports whether s is a distributed step that was merged
// without the data of one of its shards.
func missingShard(s *Step) bool {
	for _, x := range s.Shards {
		if x.Missing {
			return true
		}
	}
	return false
}
