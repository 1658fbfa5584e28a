package sizing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Byte multiples.
const (
	MiB = 1 << 20 // bytes in a mebibyte
	GiB = 1 << 30 // bytes in a gibibyte
	MB  = 1e6     // bytes in a (decimal) megabyte
)

// unitBytes returns the size in bytes of a unit (lower case, without "/s").
func unitBytes(unit string) (float64, bool) {
	switch unit {
	case "b":
		return 1, true
	case "kb":
		return 1e3, true
	case "mb":
		return 1e6, true
	case "gb":
		return 1e9, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	}
	return 0, false
}

// ParseThroughput parses a data rate such as "100MiB/s", "50 MB/s",
// "1.5GiB/s" or "800KB/s" and returns it in MiB/s. MB, KB, GB are decimal
// (10^6, 10^3, 10^9 bytes), MiB, KiB, GiB binary. The unit is required:
// a bare number is ambiguous between MB/s and MiB/s.
func ParseThroughput(s string) (float64, error) {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	if !strings.HasSuffix(lower, "/s") {
		return 0, fmt.Errorf("throughput %q: want a number and a unit per second, e.g. 100MiB/s or 50MB/s", s)
	}
	body := strings.TrimSpace(lower[:len(lower)-2])
	i := strings.IndexFunc(body, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != '-' && r != '+' })
	if i < 0 {
		return 0, fmt.Errorf("throughput %q: missing unit (MiB/s, MB/s, KiB/s, KB/s, GiB/s, GB/s)", s)
	}
	num, unit := strings.TrimSpace(body[:i]), strings.TrimSpace(body[i:])
	size, ok := unitBytes(unit)
	if !ok {
		return 0, fmt.Errorf("throughput %q: unknown unit %q (use MiB/s, MB/s, KiB/s, KB/s, GiB/s, GB/s)", s, unit)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("throughput %q: %q is not a number", s, num)
	}
	if v < 0 {
		return 0, fmt.Errorf("throughput %q: must not be negative", s)
	}
	return v * size / MiB, nil
}

// ParseRetention parses a retention period: a Go duration ("24h", "90m")
// or a whole number of days ("7d"). It must be positive.
func ParseRetention(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var d time.Duration
	if strings.HasSuffix(t, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(t, "d"), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n > 1e5 {
			return 0, fmt.Errorf("retention %q: want e.g. 24h or 7d", s)
		}
		d = time.Duration(n * 24 * float64(time.Hour))
	} else {
		var err error
		d, err = time.ParseDuration(t)
		if err != nil {
			return 0, fmt.Errorf("retention %q: want e.g. 24h or 7d", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("retention %q: must be positive", s)
	}
	return d, nil
}
