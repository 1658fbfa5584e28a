package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
)

// leftoverNote names what a run left on the cluster and the command that
// removes it.
type leftoverNote struct {
	lo       *load.Leftovers
	runID    string
	prefix   string   // the topics' prefix (plan.Topics.Prefix)
	brokers  []string // "" until connected
	embedded bool
}

// print writes the note on w, nothing when nothing is left.
func (n *leftoverNote) print(w io.Writer) {
	topics, groups := n.lo.Topics(), n.lo.Groups()
	if len(topics) == 0 && len(groups) == 0 {
		return
	}
	var what []string
	if len(topics) > 0 {
		what = append(what, "topics "+strings.Join(topics, ","))
	}
	if len(groups) > 0 {
		what = append(what, "consumer groups "+strings.Join(groups, ","))
	}
	if n.embedded {
		fmt.Fprintf(w, "mskbench: left on the embedded cluster (it ends with this process): %s\n", strings.Join(what, "; "))
		return
	}
	fmt.Fprintf(w, "mskbench: left on the cluster: %s\n", strings.Join(what, "; "))
	cmd := "mskbench clean"
	if len(n.brokers) > 0 {
		cmd += " --brokers " + strings.Join(n.brokers, ",")
	}
	if n.prefix != plan.Defaults().Topics.Prefix {
		cmd += " --prefix " + n.prefix
	}
	cmd += " --run-id " + n.runID + " --yes"
	fmt.Fprintf(w, "mskbench: remove them with: %s (with this run's authentication flags)\n", cmd)
}
