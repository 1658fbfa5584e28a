//go:build !race

package embedded

// raceDetector is true in binaries built with -race.
const raceDetector = false
