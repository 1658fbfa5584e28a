//go:build !unix

package load

import "time"

// processCPU reports that the process CPU time is unknown on this system.
func processCPU() (time.Duration, bool) { return 0, false }
