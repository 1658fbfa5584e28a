package load

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"hash/fnv"
	"strconv"

	"github.com/mskbench/mskbench/plan"
)

// StampSize is the length in bytes of the stamp that starts every message
// value mskbench produces. Message sizes include it, so the smallest message
// the engine sends is StampSize bytes.
//
// Layout (big endian), format version 4:
//
//	offset  size  field
//	0       2     magic "mb"
//	2       1     format version (StampVersion)
//	3       8     run identity (StampRun: a hash of the run id and the step)
//	11      2     shard index (0 for a run in one process)
//	13      4     producer id (worker index within the shard)
//	17      8     sequence number (per producer, from 0)
//	25      8     intended send time, unix ns
//	33      8     actual send time, unix ns
//	41      4     CRC-32 (Castagnoli) of the payload (the bytes after the
//	              stamp) followed by bytes 3..40 (the fields above)
//
// The checksum covers the header fields too, so a corrupted run, shard,
// producer id, sequence number or timestamp is caught like a corrupted
// payload. The payload comes first so that a producer can keep the checksum
// of a payload it sends again and add only the fields (since version 3).
// A consumer counts a message whose run identity is not its own step's as
// foreign: never consumed, never in end-to-end latency (version 4; version
// 3 had no run identity, so another run's messages on a shared topic were
// taken for the step's own).
//
// plan.MinMessageSize, which scenarios validate message sizes against, is
// this size.
const StampSize = plan.MinMessageSize

// StampVersion is the format version written into every stamp. Values of
// other versions are not stamped as far as this build is concerned.
const StampVersion = 4

// Offsets of the stamp's fields (see StampSize).
const (
	stampRunAt      = 3
	stampShardAt    = 11
	stampProducerAt = 13
	stampSeqAt      = 17
	stampIntendedAt = 25
	stampSentAt     = 33
	stampSumAt      = 41
)

const (
	stampMagic0 = 'm'
	stampMagic1 = 'b'
)

// StampRun returns the run identity stamped into the messages of step
// stepIndex of the run with the topic prefix and run id given: the 64-bit
// FNV-1a hash of prefix + runID + "-" + stepIndex, the step's topic name
// stem. Every shard of a run has the same identity (their shard indexes
// differ); another run, or another step on a shared existing topic, has
// another.
func StampRun(prefix, runID string, stepIndex int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(prefix))
	h.Write([]byte(runID))
	h.Write([]byte("-" + strconv.Itoa(stepIndex)))
	return h.Sum64()
}

// castagnoli is the CRC-32C table; crc32.MakeTable returns a shared table for
// Castagnoli (hardware accelerated), so this is effectively a constant.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Stamp is the decoded header of a message value.
type Stamp struct {
	Run        uint64 // run identity (StampRun)
	Shard      uint16 // shard index of the producing process (0 without shards)
	Producer   uint32 // producer id (worker index within the shard)
	Seq        uint64 // sequence number of the message for that producer
	IntendedNs int64  // intended send time from the schedule, unix ns
	SentNs     int64  // time the message was handed to the client, unix ns
	Checksum   uint32 // CRC-32C of the payload and the header fields
}

// Errors returned by ReadStamp and VerifyStamp.
var (
	// ErrNotStamped means the value does not start with an mskbench stamp
	// (too short, wrong magic or unknown version): a foreign message.
	ErrNotStamped = errors.New("value carries no mskbench stamp")
	// ErrChecksum means the header fields or the payload do not match the
	// stamp's checksum.
	ErrChecksum = errors.New("payload checksum mismatch")
	// ErrOtherRun means the value carries a stamp of another run (or
	// another step): a foreign message, never counted as consumed.
	ErrOtherRun = errors.New("value carries the stamp of another run")
)

// putHeader writes the stamp st (its Checksum ignored) with the checksum,
// and returns the checksum.
func putHeader(value []byte, st Stamp) uint32 {
	return putHeaderSum(value, st, payloadSum(value))
}

// payloadSum is the CRC-32C of the payload of value (the bytes after the
// stamp): the first part of the stamp's checksum.
func payloadSum(value []byte) uint32 { return crc32.Checksum(value[StampSize:], castagnoli) }

// putHeaderSum is putHeader with the payload's checksum (payloadSum)
// already known: only the fields are summed. It does not allocate.
func putHeaderSum(value []byte, st Stamp, payload uint32) uint32 {
	_ = value[StampSize-1]
	value[0] = stampMagic0
	value[1] = stampMagic1
	value[2] = StampVersion
	binary.BigEndian.PutUint64(value[stampRunAt:], st.Run)
	binary.BigEndian.PutUint16(value[stampShardAt:], st.Shard)
	binary.BigEndian.PutUint32(value[stampProducerAt:], st.Producer)
	binary.BigEndian.PutUint64(value[stampSeqAt:], st.Seq)
	binary.BigEndian.PutUint64(value[stampIntendedAt:], uint64(st.IntendedNs))
	binary.BigEndian.PutUint64(value[stampSentAt:], uint64(st.SentNs))
	sum := crc32.Update(payload, castagnoli, value[stampRunAt:stampSumAt])
	binary.BigEndian.PutUint32(value[stampSumAt:], sum)
	return sum
}

// stampSum is the CRC-32C of the payload followed by the stamp's fields
// (bytes 3..40).
func stampSum(value []byte) uint32 {
	return crc32.Update(payloadSum(value), castagnoli, value[stampRunAt:stampSumAt])
}

// ReadStamp decodes the stamp at the start of value without checking the
// payload checksum. It returns ErrNotStamped when value is not an mskbench
// message of this format version. It does not allocate.
func ReadStamp(value []byte) (Stamp, error) {
	if len(value) < StampSize || value[0] != stampMagic0 || value[1] != stampMagic1 || value[2] != StampVersion {
		return Stamp{}, ErrNotStamped
	}
	return Stamp{
		Run:        binary.BigEndian.Uint64(value[stampRunAt:]),
		Shard:      binary.BigEndian.Uint16(value[stampShardAt:]),
		Producer:   binary.BigEndian.Uint32(value[stampProducerAt:]),
		Seq:        binary.BigEndian.Uint64(value[stampSeqAt:]),
		IntendedNs: int64(binary.BigEndian.Uint64(value[stampIntendedAt:])),
		SentNs:     int64(binary.BigEndian.Uint64(value[stampSentAt:])),
		Checksum:   binary.BigEndian.Uint32(value[stampSumAt:]),
	}, nil
}

// VerifyStamp decodes the stamp like ReadStamp and also checks the checksum
// of its fields and the payload, returning ErrChecksum (with the decoded
// stamp) on a mismatch. It does not allocate.
func VerifyStamp(value []byte) (Stamp, error) {
	s, err := ReadStamp(value)
	if err != nil {
		return s, err
	}
	if stampSum(value) != s.Checksum {
		return s, ErrChecksum
	}
	return s, nil
}
