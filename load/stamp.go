package load

import (
	"encoding/binary"
	"errors"
	"hash/crc32"

	"github.com/mskbench/mskbench/plan"
)

// StampSize is the length in bytes of the stamp that starts every message
// value mskbench produces. Message sizes include it, so the smallest message
// the engine sends is StampSize bytes.
//
// Layout (big endian):
//
//	offset  size  field
//	0       2     magic "mb"
//	2       1     format version (StampVersion)
//	3       4     producer id (worker index)
//	7       8     sequence number (per producer, from 0)
//	15      8     intended send time, unix ns
//	23      8     actual send time, unix ns
//	31      4     CRC-32 (Castagnoli) of the payload (the bytes after the
//	              stamp) followed by bytes 3..30 (the fields above)
//
// The checksum covers the header fields too, so a corrupted producer id,
// sequence number or timestamp is caught like a corrupted payload. The
// payload comes first so that a producer can keep the checksum of a payload
// it sends again and add only the fields (format version 3; version 2
// summed the fields first).
// plan.MinMessageSize, which scenarios validate message sizes against, is
// this size.
const StampSize = plan.MinMessageSize

// StampVersion is the format version written into every stamp.
const StampVersion = 3

const (
	stampMagic0 = 'm'
	stampMagic1 = 'b'
)

// castagnoli is the CRC-32C table; crc32.MakeTable returns a shared table for
// Castagnoli (hardware accelerated), so this is effectively a constant.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Stamp is the decoded header of a message value.
type Stamp struct {
	Producer   uint32 // producer id (worker index within the step)
	Seq        uint64 // sequence number of the message for that producer
	IntendedNs int64  // intended send time from the schedule, unix ns
	SentNs     int64  // time the message was handed to the client, unix ns
	Checksum   uint32 // CRC-32C of the header fields and the payload
}

// Errors returned by ReadStamp and VerifyStamp.
var (
	// ErrNotStamped means the value does not start with an mskbench stamp
	// (too short, wrong magic or unknown version): a foreign message.
	ErrNotStamped = errors.New("value carries no mskbench stamp")
	// ErrChecksum means the header fields or the payload do not match the
	// stamp's checksum.
	ErrChecksum = errors.New("payload checksum mismatch")
)

// putHeader writes the stamp fields and their checksum, and returns it.
func putHeader(value []byte, producer uint32, seq uint64, intendedNs, sentNs int64) uint32 {
	return putHeaderSum(value, producer, seq, intendedNs, sentNs, payloadSum(value))
}

// payloadSum is the CRC-32C of the payload of value (the bytes after the
// stamp): the first part of the stamp's checksum.
func payloadSum(value []byte) uint32 { return crc32.Checksum(value[StampSize:], castagnoli) }

// putHeaderSum is putHeader with the payload's checksum (payloadSum)
// already known: only the fields are summed.
func putHeaderSum(value []byte, producer uint32, seq uint64, intendedNs, sentNs int64, payload uint32) uint32 {
	_ = value[StampSize-1]
	value[0] = stampMagic0
	value[1] = stampMagic1
	value[2] = StampVersion
	binary.BigEndian.PutUint32(value[3:], producer)
	binary.BigEndian.PutUint64(value[7:], seq)
	binary.BigEndian.PutUint64(value[15:], uint64(intendedNs))
	binary.BigEndian.PutUint64(value[23:], uint64(sentNs))
	sum := crc32.Update(payload, castagnoli, value[3:31])
	binary.BigEndian.PutUint32(value[31:], sum)
	return sum
}

// stampSum is the CRC-32C of the payload followed by the stamp's fields
// (bytes 3..30).
func stampSum(value []byte) uint32 {
	return crc32.Update(payloadSum(value), castagnoli, value[3:31])
}

// ReadStamp decodes the stamp at the start of value without checking the
// payload checksum. It returns ErrNotStamped when value is not an mskbench
// message. It does not allocate.
func ReadStamp(value []byte) (Stamp, error) {
	if len(value) < StampSize || value[0] != stampMagic0 || value[1] != stampMagic1 || value[2] != StampVersion {
		return Stamp{}, ErrNotStamped
	}
	return Stamp{
		Producer:   binary.BigEndian.Uint32(value[3:]),
		Seq:        binary.BigEndian.Uint64(value[7:]),
		IntendedNs: int64(binary.BigEndian.Uint64(value[15:])),
		SentNs:     int64(binary.BigEndian.Uint64(value[23:])),
		Checksum:   binary.BigEndian.Uint32(value[31:]),
	}, nil
}

// VerifyStamp decodes the stamp like ReadStamp and also checks the checksum
// of its fields and the payload, returning ErrChecksum (with the decoded stamp) on a mismatch.
// It does not allocate.
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
