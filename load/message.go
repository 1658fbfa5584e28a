package load

import (
	"hash/crc32"
	"math/rand/v2"
	"strconv"

	"github.com/mskbench/mskbench/plan"
)

// This file holds what a message is besides its value: its size as the
// byte counters count it, and the record headers producers add.

// messageBytes returns the bytes of one message as every byte counter of
// the engine counts them (acknowledged, consumed, backlog sizes): its key,
// its value and the key and value of each of its headers. The one
// definition of "bytes of a message".
func messageBytes(key, value []byte, headers []header) int {
	n := len(key) + len(value)
	for _, h := range headers {
		n += len(h.key) + len(h.value)
	}
	return n
}

// headerKeyPrefix starts the key of every header the engine adds.
const headerKeyPrefix = "mb-h"

// messageHeaders returns the record headers of every message of a
// producer worker (producers.headers): h.Count headers, header i with the
// key "mb-h<i>" padded with '.' (or cut) to h.KeySize bytes and a value of
// h.ValueSize random bytes from rng. Built once per worker: every message
// carries the same headers, so they cost nothing per message. Nil without
// headers.
func messageHeaders(h plan.Headers, rng *rand.Rand) []header {
	if h.Count <= 0 {
		return nil
	}
	out := make([]header, h.Count)
	for i := range out {
		k := make([]byte, int(h.KeySize))
		n := copy(k, headerKeyPrefix+strconv.Itoa(i))
		for j := n; j < len(k); j++ {
			k[j] = '.'
		}
		v := make([]byte, int(h.ValueSize))
		for j := range v {
			v[j] = byte(rng.Uint32())
		}
		out[i] = header{key: string(k), value: v}
	}
	return out
}

// sample is a payload sample (producers.payload): its records, read once
// per step by plan.LoadPayload and shared read-only by every worker, and
// the CRC-32C of each (the payload part of the stamp's checksum), so that
// a message costs a copy and no checksum of its payload.
type sample struct {
	records [][]byte
	sums    []uint32
	// cycle sends the records in turn over the merged schedule of the
	// workers; otherwise each message draws one at random.
	cycle bool
	// maxLen and meanLen are the longest and the mean record, bytes.
	maxLen  int
	meanLen float64
}

// loadSample reads the sample of pl for values of at most maxValue bytes
// (the stamp included).
func loadSample(pl plan.Payload, maxValue int) (*sample, error) {
	recs, err := plan.LoadPayload(pl.File, maxValue-StampSize)
	if err != nil {
		return nil, err
	}
	s := &sample{records: recs, sums: make([]uint32, len(recs)), cycle: pl.Order != plan.PayloadSample,
		maxLen: plan.MaxLen(recs), meanLen: plan.MeanLen(recs)}
	for i, r := range recs {
		s.sums[i] = crc32.Checksum(r, castagnoli)
	}
	return s, nil
}

// pick returns the index of the record of message seq of worker (of
// workers), drawing from rng for order sample.
func (s *sample) pick(seq uint64, worker, workers int, rng *rand.Rand) int {
	if s.cycle {
		return int((seq*uint64(workers) + uint64(worker)) % uint64(len(s.records)))
	}
	return rng.IntN(len(s.records))
}
