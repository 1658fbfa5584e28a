package report

import "testing"

func TestEvaluateLost(t *testing.T) {
	step := func(acks string, v *Verification) Step {
		return Step{Verification: v, Client: &ClientSettings{Producer: &ProducerSettings{Acks: acks}}}
	}
	r := &Result{Steps: []Step{
		step("all", &Verification{Complete: true, Lost: 3}),
		step("all", &Verification{Complete: true}),
		step("1", &Verification{Complete: true, Lost: 5}), // not checked: acks 1
		step("all", nil), // not checked: no verification
		func() Step { // not checked: merged without shard 1, whose reads are unknown
			s := step("all", &Verification{Lost: 7})
			s.Shards = []ShardFigures{{Index: 0}, {Index: 1, Missing: true}}
			return s
		}(),
	}}
	got := EvaluateLost(r)
	if len(got) != 2 || got[0].Step != 0 || got[0].Passed || got[0].Observed != 3 || got[1].Step != 1 || !got[1].Passed {
		t.Fatalf("EvaluateLost = %+v, want step 0 failed (lost 3), step 1 passed, nothing else", got)
	}
	if want := LostCheckExpr + lostCheckNote; got[0].Expr != want {
		t.Errorf("expr %q, want %q", got[0].Expr, want)
	}
}
