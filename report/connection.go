package report

// Connection describes how the run reached the cluster. It holds no secrets.
type Connection struct {
	// Brokers are the bootstrap addresses used (host:port).
	Brokers []string `json:"brokers,omitempty"`
	// Mechanism is the authentication mechanism used: none, tls, mtls,
	// scram-sha-512, scram-sha-256 or iam.
	Mechanism string `json:"mechanism,omitempty"`
	// Region is the AWS region IAM tokens were signed for, if any.
	Region string `json:"region,omitempty"`
	// Dials counts TCP connections opened by the run's clients.
	Dials int64 `json:"dials"`
	// Reconnects counts connections that replaced one the broker had closed
	// (for example after MSK closed an IAM connection whose credentials
	// expired, or a broker restarted); connections the client closed itself
	// are not counted.
	Reconnects int64 `json:"reconnects"`
}
