package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds the text forms of the value types of plan.go. The same
// UnmarshalText methods decode scenario YAML, --set overrides and command-line
// flags, so every place a user writes a value accepts the same spelling.

// UnmarshalText reads a Go duration such as "30s", "250ms" or "1m30s". "0" is
// zero; negative durations are rejected.
func (d *Duration) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if s == "0" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: want a number with a unit, e.g. \"30s\", \"250ms\", \"1m30s\"", s)
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: must not be negative", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes d in the form UnmarshalText reads ("30s", "1m30s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String returns d as time.Duration formats it ("30s", "1m30s", "5ms").
func (d Duration) String() string { return time.Duration(d).String() }

// sizeUnit returns the multiplier in bytes of a size unit suffix, matched
// case-insensitively. Decimal units (KB, MB, ...) are powers of 1000, binary
// units (KiB, MiB, ...) powers of 1024.
func sizeUnit(unit string) (int64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "k", "kb":
		return 1e3, true
	case "m", "mb":
		return 1e6, true
	case "g", "gb":
		return 1e9, true
	case "t", "tb":
		return 1e12, true
	case "ki", "kib":
		return 1 << 10, true
	case "mi", "mib":
		return 1 << 20, true
	case "gi", "gib":
		return 1 << 30, true
	case "ti", "tib":
		return 1 << 40, true
	}
	return 0, false
}

// splitNumber splits s into a leading decimal number and the rest (the unit),
// with spaces between them removed.
func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '_' || s[i] == '-' || s[i] == '+') {
		i++
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// parseBytes reads a number of bytes with an optional unit, as a float.
func parseBytes(s string) (float64, error) {
	num, unit := splitNumber(s)
	mult, ok := sizeUnit(unit)
	if num == "" || !ok {
		return 0, errors.New("want a number of bytes with an optional unit, e.g. \"100B\", \"1KiB\", \"1.5MiB\", \"1MB\"")
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("want a number of bytes with an optional unit, e.g. \"100B\", \"1KiB\", \"1.5MiB\", \"1MB\"")
	}
	if v < 0 {
		return 0, errors.New("must not be negative")
	}
	return v * float64(mult), nil
}

// ParseSize reads a size: "100", "100B", "1KB" (1000 bytes), "1KiB" (1024
// bytes), "1.5MiB", "1GiB". Units are case-insensitive; fractions are rounded
// to whole bytes. Negative sizes are rejected.
func ParseSize(s string) (Size, error) {
	s = strings.TrimSpace(s)
	v, err := parseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: %w", s, err)
	}
	v = math.Round(v)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return Size(v), nil
}

// UnmarshalText reads a size as ParseSize does.
func (z *Size) UnmarshalText(text []byte) error {
	v, err := ParseSize(string(text))
	if err != nil {
		return err
	}
	*z = v
	return nil
}

// MarshalText writes z in the form UnmarshalText reads.
func (z Size) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// UnmarshalJSON reads a size from a JSON string ("1KiB") or a number of bytes.
func (z *Size) UnmarshalJSON(data []byte) error {
	var n int64
	if err := json.Unmarshal(data, &n); err == nil {
		if n < 0 {
			return fmt.Errorf("invalid size %d: must not be negative", n)
		}
		*z = Size(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("invalid size %s: want a string such as \"1KiB\" or a number of bytes", data)
	}
	return z.UnmarshalText([]byte(s))
}

// String writes z exactly, with at most two decimals, in the unit that needs
// the fewest digits (binary units win ties): 1024 → "1KiB", 1572864 →
// "1.5MiB", 1000 → "1KB", 10^9 → "1GB", 100 → "100B".
func (z Size) String() string {
	v := int64(z)
	if v < 0 {
		return strconv.FormatInt(v, 10) + "B"
	}
	// Preferred units, largest first, binary before decimal.
	formats := [...]struct {
		suffix string
		mult   int64
	}{
		{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	}
	best, bestDigits := strconv.FormatInt(v, 10)+"B", len(strconv.FormatInt(v, 10))
	for _, f := range formats {
		if v < f.mult {
			continue
		}
		for dec := 0; dec <= 2; dec++ {
			scale := int64(math.Pow10(dec))
			if v > math.MaxInt64/scale || (v*scale)%f.mult != 0 {
				continue
			}
			num := strconv.FormatFloat(float64(v)/float64(f.mult), 'f', dec, 64)
			if digits := len(num) - min(dec, 1); digits < bestDigits {
				best, bestDigits = num+f.suffix, digits
			}
			break
		}
	}
	return best
}

// ParseRate reads a total offered rate: "max"; messages per second as
// "5000/s", "5000", "5k/s", "2.5k/s", "1M/s" or "5000 msg/s"; or value bytes per
// second as "50MB/s" (10^6 bytes), "50MiB/s" (2^20 bytes), "100KB/s", "1GB/s".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "max") {
		return Rate{Unit: RateMax}, nil
	}
	bad := func(why string) (Rate, error) {
		return Rate{}, fmt.Errorf("invalid rate %q: %s", s, why)
	}
	const want = "want \"max\", messages per second (\"5000/s\", \"5k/s\") or bytes per second (\"50MB/s\", \"50MiB/s\")"
	body := s
	for _, suffix := range []string{"/s", "/sec", "/second"} {
		if len(body) > len(suffix) && strings.EqualFold(body[len(body)-len(suffix):], suffix) {
			body = strings.TrimSpace(body[:len(body)-len(suffix)])
			break
		}
	}
	num, unit := splitNumber(body)
	if num == "" {
		return bad(want)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return bad(want)
	}
	if v < 0 {
		return bad("must not be negative")
	}
	switch unit {
	case "", "msg", "msgs", "messages":
		return Rate{Unit: RateMsgs, PerSec: v}, nil
	case "k", "K", "k msg", "k msgs", "K msg", "K msgs":
		return Rate{Unit: RateMsgs, PerSec: v * 1e3}, nil
	case "M", "M msg", "M msgs":
		return Rate{Unit: RateMsgs, PerSec: v * 1e6}, nil
	}
	lu := strings.ToLower(unit)
	if !strings.HasSuffix(lu, "b") {
		return bad(want)
	}
	mult, ok := sizeUnit(lu)
	if !ok {
		return bad(want)
	}
	return Rate{Unit: RateBytes, PerSec: v * float64(mult)}, nil
}

// UnmarshalText reads a rate as ParseRate does.
func (r *Rate) UnmarshalText(text []byte) error {
	v, err := ParseRate(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText writes r in the form UnmarshalText reads: "max", "5000/s",
// "50MB/s", "50MiB/s".
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// String returns r as MarshalText writes it.
func (r Rate) String() string {
	switch r.Unit {
	case RateMsgs:
		return strconv.FormatFloat(r.PerSec, 'f', -1, 64) + "/s"
	case RateBytes:
		if r.PerSec == math.Trunc(r.PerSec) && r.PerSec < 1<<62 {
			return Size(r.PerSec).String() + "/s"
		}
		return strconv.FormatFloat(r.PerSec, 'f', -1, 64) + "B/s"
	default:
		return "max"
	}
}

// IsMax reports whether r is the unbounded rate "max".
func (r Rate) IsMax() bool { return r.Unit != RateMsgs && r.Unit != RateBytes }

// MsgsPerSec returns the rate in messages per second: PerSec for a message
// rate, PerSec / meanSize for a byte rate (meanSize in bytes, see
// SizeDist.Mean), and 0 for "max" or when meanSize <= 0.
func (r Rate) MsgsPerSec(meanSize float64) float64 {
	switch r.Unit {
	case RateMsgs:
		return r.PerSec
	case RateBytes:
		if meanSize <= 0 {
			return 0
		}
		return r.PerSec / meanSize
	default:
		return 0
	}
}

// Acks levels.
const (
	AcksNone   Acks = 0  // fire and forget
	AcksLeader Acks = 1  // the partition leader wrote the batch
	AcksAll    Acks = -1 // every in-sync replica wrote the batch
)

// ParseAcks reads "0", "1", "all" or "-1" (the same as "all").
func ParseAcks(s string) (Acks, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "0", "none":
		return AcksNone, nil
	case "1", "leader":
		return AcksLeader, nil
	case "all", "-1":
		return AcksAll, nil
	}
	return 0, fmt.Errorf("invalid acks %q: want 0, 1 or all", strings.TrimSpace(s))
}

// UnmarshalText reads acks as ParseAcks does.
func (a *Acks) UnmarshalText(text []byte) error {
	v, err := ParseAcks(string(text))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalText writes "0", "1" or "all".
func (a Acks) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads acks from a JSON string ("all") or number (-1, 0, 1).
func (a *Acks) UnmarshalJSON(data []byte) error {
	var n int
	if err := json.Unmarshal(data, &n); err == nil {
		return a.UnmarshalText([]byte(strconv.Itoa(n)))
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("invalid acks %s: want 0, 1 or \"all\"", data)
	}
	return a.UnmarshalText([]byte(s))
}

// String returns "0", "1" or "all".
func (a Acks) String() string {
	if a == AcksAll {
		return "all"
	}
	return strconv.Itoa(int(a))
}

// Compression codecs.
const (
	CompressionNone   Compression = "none"
	CompressionGzip   Compression = "gzip"
	CompressionSnappy Compression = "snappy"
	CompressionLz4    Compression = "lz4"
	CompressionZstd   Compression = "zstd"
)

// ParseCompression reads a codec name: none, gzip, snappy, lz4 or zstd
// (case-insensitive).
func ParseCompression(s string) (Compression, error) {
	c := Compression(strings.ToLower(strings.TrimSpace(s)))
	switch c {
	case CompressionNone, CompressionGzip, CompressionSnappy, CompressionLz4, CompressionZstd:
		return c, nil
	}
	return "", fmt.Errorf("invalid compression %q: want none, gzip, snappy, lz4 or zstd", strings.TrimSpace(s))
}

// UnmarshalText reads a codec as ParseCompression does.
func (c *Compression) UnmarshalText(text []byte) error {
	v, err := ParseCompression(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalText writes the codec name.
func (c Compression) MarshalText() ([]byte, error) { return []byte(c), nil }

// String returns the codec name.
func (c Compression) String() string { return string(c) }

// KeyModes returns the accepted key modes.
func KeyModes() []string {
	return []string{string(KeysNone), string(KeysRandom), string(KeysUniform), string(KeysRoundRobin),
		string(KeysHot), string(KeysSequential), string(KeysZipf)}
}

// ParseKeyMode reads a key mode: none, random, uniform, round-robin, hot,
// sequential or zipf.
func ParseKeyMode(s string) (KeyMode, error) {
	m := strings.ToLower(strings.TrimSpace(s))
	if m == "round_robin" || m == "roundrobin" {
		m = string(KeysRoundRobin)
	}
	switch k := KeyMode(m); k {
	case KeysNone, KeysRandom, KeysUniform, KeysRoundRobin, KeysHot, KeysSequential, KeysZipf:
		return k, nil
	}
	return "", fmt.Errorf("invalid key mode %q: want none, random, uniform, round-robin, hot, sequential or zipf", strings.TrimSpace(s))
}

// UnmarshalText reads a key mode as ParseKeyMode does.
func (m *KeyMode) UnmarshalText(text []byte) error {
	v, err := ParseKeyMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalText writes the key mode name.
func (m KeyMode) MarshalText() ([]byte, error) { return []byte(m), nil }

// String returns the key mode name.
func (m KeyMode) String() string { return string(m) }

// ParseSizeDist reads the one-line form of a size distribution that String
// writes: "1KiB" (fixed), "100B..2KiB" (uniform between the bounds) or
// "100B:3,10KiB:1" (weighted sizes, size:weight separated by commas).
func ParseSizeDist(s string) (SizeDist, error) {
	s = strings.TrimSpace(s)
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		lower, err := ParseSize(lo)
		if err != nil {
			return SizeDist{}, err
		}
		upper, err := ParseSize(hi)
		if err != nil {
			return SizeDist{}, err
		}
		return SizeDist{Min: lower, Max: upper}, nil
	}
	if strings.ContainsAny(s, ":,") {
		var d SizeDist
		for _, part := range strings.Split(s, ",") {
			sz, w, ok := strings.Cut(part, ":")
			size, err := ParseSize(sz)
			if err != nil {
				return SizeDist{}, err
			}
			weight := 1.0
			if ok {
				weight, err = strconv.ParseFloat(strings.TrimSpace(w), 64)
				if err != nil || math.IsNaN(weight) || math.IsInf(weight, 0) {
					return SizeDist{}, fmt.Errorf("invalid weight %q: want a number", strings.TrimSpace(w))
				}
			}
			d.Weighted = append(d.Weighted, WeightedSize{Size: size, Weight: weight})
		}
		return d, nil
	}
	v, err := ParseSize(s)
	if err != nil {
		return SizeDist{}, err
	}
	return SizeDist{Fixed: v}, nil
}

// String writes d in the one-line form ParseSizeDist reads: "1KiB",
// "100B..2KiB" or "100B:3,10KiB:1".
func (d SizeDist) String() string {
	switch {
	case len(d.Weighted) > 0:
		parts := make([]string, len(d.Weighted))
		for i, w := range d.Weighted {
			parts[i] = w.Size.String() + ":" + strconv.FormatFloat(w.Weight, 'f', -1, 64)
		}
		return strings.Join(parts, ",")
	case d.Fixed > 0:
		return d.Fixed.String()
	case d.Min > 0 || d.Max > 0:
		return d.Min.String() + ".." + d.Max.String()
	default:
		return "0B"
	}
}

// Mean returns the expected message size in bytes: Fixed; (Min+Max)/2 for a
// uniform range; Σ size×weight / Σ weight for weighted sizes (0 when the
// weights do not sum to a positive number).
func (d SizeDist) Mean() float64 {
	switch {
	case len(d.Weighted) > 0:
		var sum, total float64
		for _, w := range d.Weighted {
			sum += float64(w.Size) * w.Weight
			total += w.Weight
		}
		if total <= 0 {
			return 0
		}
		return sum / total
	case d.Fixed > 0:
		return float64(d.Fixed)
	default:
		return (float64(d.Min) + float64(d.Max)) / 2
	}
}

// MinSize returns the smallest size d can produce.
func (d SizeDist) MinSize() Size {
	switch {
	case len(d.Weighted) > 0:
		m := d.Weighted[0].Size
		for _, w := range d.Weighted[1:] {
			m = min(m, w.Size)
		}
		return m
	case d.Fixed > 0:
		return d.Fixed
	default:
		return d.Min
	}
}

// MaxSize returns the largest size d can produce.
func (d SizeDist) MaxSize() Size {
	switch {
	case len(d.Weighted) > 0:
		m := d.Weighted[0].Size
		for _, w := range d.Weighted[1:] {
			m = max(m, w.Size)
		}
		return m
	case d.Fixed > 0:
		return d.Fixed
	default:
		return d.Max
	}
}
