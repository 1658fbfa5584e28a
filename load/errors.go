package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/segmentio/kafka-go"
)

// errorLabel names an error for the error counters: "[code] Title" for Kafka
// protocol errors, otherwise a kind: "timeout", "connection closed",
// "connection refused", "canceled", "message too large" or "other".
func errorLabel(err error) string {
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		return fmt.Sprintf("[%d] %s", int(kerr), kerr.Title())
	}
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil {
				return errorLabel(e)
			}
		}
	}
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) {
		return "message too large"
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
