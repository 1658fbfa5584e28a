package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// errorLabel names an error for the error counters, the same way for both
// clients: "[code] Title" for Kafka protocol errors (titles as kafka-go
// spells them, e.g. "[6] Not Leader For Partition"), otherwise a kind:
// "message too large", "canceled", "timeout", "connection refused",
// "connection closed" or "other".
func errorLabel(err error) string {
	if code, ok := kafkaCode(err); ok {
		return fmt.Sprintf("[%d] %s", code, kafkaTitle(code))
	}
	if label, ok := clientLabel(err); ok {
		return label
	}
	var nerr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.ErrClosedPipe), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection closed"
	default:
		return "other"
	}
}

// labelUnacknowledged labels the messages still in flight when Run aborted
// the producers' requests after the drain phase: handed to the client,
// never acknowledged nor failed by the cluster in time (a stalled broker).
const labelUnacknowledged = "unacknowledged when the drain ended"

// kafkaCode returns the Kafka error code in err's chain, from either
// client's error types (see kafkaGoCode and franzCode).
func kafkaCode(err error) (int16, bool) {
	if err == nil {
		return 0, false
	}
	if c, ok := franzCode(err); ok {
		return c, true
	}
	return kafkaGoCode(err)
}

// hasCode reports whether err carries the Kafka error code.
func hasCode(err error, code int16) bool {
	c, ok := kafkaCode(err)
	return ok && c == code
}

// clientLabel names the client-specific errors that are not Kafka codes.
func clientLabel(err error) (string, bool) {
	if l, ok := franzLabel(err); ok {
		return l, true
	}
	return kafkaGoLabel(err)
}
