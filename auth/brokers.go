package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Broker is one broker of the cluster metadata.
type Broker struct {
	// ID is the broker id (MSK numbers brokers 1, 2, ...).
	ID int32
	// Host and Port are its advertised address.
	Host string
	Port int
	// Rack is its rack (on MSK the AZ id), "" when unset.
	Rack string
}

// ClusterBrokers reads the cluster metadata over c — one connection to the
// first bootstrap broker that answers, with c's TLS and SASL — and returns
// every broker, ordered by id: where open monitoring's exporters run, and
// the ids CloudWatch names brokers by. The connection counts in c.Dials.
func ClusterBrokers(ctx context.Context, c *Conn) ([]Broker, error) {
	if c == nil || len(c.Brokers) == 0 {
		return nil, errors.New("auth: cluster metadata: no bootstrap brokers")
	}
	ctx, cancel := context.WithTimeout(ctx, c.dialTimeout())
	defer cancel()
	var errs []error
	for _, addr := range c.Brokers {
		kc, err := c.Dialer().DialContext(ctx, "tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		if dl, ok := ctx.Deadline(); ok {
			_ = kc.SetDeadline(dl)
		}
		bs, err := kc.Brokers()
		kc.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		out := make([]Broker, len(bs))
		for i, b := range bs {
			out[i] = Broker{ID: int32(b.ID), Host: b.Host, Port: b.Port, Rack: b.Rack}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out, nil
	}
	return nil, fmt.Errorf("auth: cluster metadata: %w", errors.Join(errs...))
}

// AWSConfig returns the AWS SDK configuration cfg selects — the default
// credential chain or cfg.AWSProfile, cfg.AWSRoleARN assumed (credentials
// cached) — with region, or cfg.AWSRegion, or the region of
// cfg.ClusterARN: the same credentials MSK IAM authentication uses, for
// other AWS APIs (CloudWatch).
func AWSConfig(ctx context.Context, cfg Config, region string) (aws.Config, error) {
	if region == "" {
		region = cfg.AWSRegion
	}
	if region == "" {
		region = RegionFromARN(cfg.ClusterARN)
	}
	sec := &secrets{}
	sec.addEnv()
	ac, err := loadAWS(ctx, &cfg, region, sec)
	return ac, sec.scrub(err)
}
