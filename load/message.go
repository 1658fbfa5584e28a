package load

import (
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
