//go:build !unix

package embedded

// processCPU is not available on this platform.
func processCPU() (user, system float64, ok bool) { return 0, 0, false }
