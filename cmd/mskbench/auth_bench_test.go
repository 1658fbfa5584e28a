package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/mskbench/mskbench/auth"
	"github.com/mskbench/mskbench/internal/authtest"
	"github.com/mskbench/mskbench/internal/embedded"
	"github.com/mskbench/mskbench/load"
	"github.com/mskbench/mskbench/plan"
)

// BenchmarkAuthPublishLatency runs one short step per mechanism (plaintext,
// TLS, SCRAM, SCRAM over TLS as MSK's port 9096 runs it) and client against
// an in-process cluster that requires it, and reports the publish latency
// (p50, p99 in ms) and what connecting cost: connections the run's clients
// dialled, TLS handshakes and SASL authentications the broker served, per
// step. Each iteration is a whole step of about 4 s, so run it with
// -benchtime 1x (and -count for a distribution, benchstat to compare):
//
//	go test -run '^$' -bench AuthPublishLatency -benchtime 1x ./cmd/mskbench
func BenchmarkAuthPublishLatency(b *testing.B) {
	const password = "bench-Scram-pw-1"
	ca := authtest.NewCA(b, "bench root")
	caFile := authtest.WriteFile(b, "ca.pem", ca.PEM)
	b.Setenv("MSKBENCH_BENCH_PASSWORD", password)
	scramAuth := plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, SCRAMUser: "alice", SCRAMPasswordEnv: "MSKBENCH_BENCH_PASSWORD"}
	for _, tt := range []struct {
		name       string
		tls, scram bool
		auth       plan.Auth
	}{
		{"plaintext", false, false, plan.Auth{Mechanism: plan.MechanismNone}},
		{"tls", true, false, plan.Auth{Mechanism: plan.MechanismTLS, TLSCAFile: caFile}},
		{"scram", false, true, withTLS(scramAuth, false, "")},
		{"scram+tls", true, true, withTLS(scramAuth, true, caFile)},
	} {
		for _, client := range []plan.Client{plan.ClientFranzGo, plan.ClientKafkaGo} {
			b.Run(tt.name+"/"+string(client), func(b *testing.B) {
				var peer authtest.PeerCounts
				var opts []kfake.Opt
				if tt.tls {
					opts = append(opts, kfake.TLS(peer.CountTLS(ca.ServerTLS(b))))
				}
				if tt.scram {
					opts = append(opts, authtest.SCRAM(authtest.SCRAMUser{Mechanism: "SCRAM-SHA-512", Name: "alice", Password: password})...)
				}
				cluster := embedded.ForTest(b, 1, opts...)
				peer.CountSASL(cluster.Kfake())
				var p50, p99, dials float64
				for i := range b.N {
					a := tt.auth
					a.ConnectRate = plan.DefaultConnectRate
					conn, err := auth.Connect(context.Background(), auth.Config{Auth: a, Brokers: cluster.Addrs(), DialTimeout: 5 * time.Second, Client: client}, func(string, ...any) {})
					if err != nil {
						b.Fatal(err)
					}
					st, err := load.Run(context.Background(), benchPlan(client, i), conn, load.Options{RunID: fmt.Sprintf("authbench%d", i)})
					if err != nil {
						b.Fatal(err)
					}
					if st.Counters.Acked == 0 {
						b.Fatalf("nothing acknowledged: %+v", st.Counters)
					}
					p50 += st.Latency.Publish.P50Ms
					p99 += st.Latency.Publish.P99Ms
					dials += float64(conn.Dials())
				}
				n := float64(b.N)
				b.ReportMetric(p50/n, "p50-ms")
				b.ReportMetric(p99/n, "p99-ms")
				b.ReportMetric(dials/n, "dials/op")
				b.ReportMetric(float64(peer.TLSHandshakes())/n, "tls-handshakes/op")
				b.ReportMetric(float64(peer.SASLHandshakes())/n, "sasl-auths/op")
			})
		}
	}
}

// withTLS returns a with TLS turned on (trusting caFile) or off.
func withTLS(a plan.Auth, on bool, caFile string) plan.Auth {
	a.TLS, a.TLSCAFile = boolPtr(on), caFile
	return a
}

// benchPlan is a light step that isolates what authentication costs: one
// producer at 200 msgs/s of 200 bytes, acks=all, no consumers, 3 s measured
// after 0.5 s of warm-up.
func benchPlan(client plan.Client, i int) plan.Plan {
	p := plan.Defaults()
	p.Index = i
	p.Scenario = "authbench"
	p.Client = client
	p.Topics.Partitions, p.Topics.ReplicationFactor = 2, 1
	p.Producers.Workers = 1
	p.Producers.Rate = plan.Rate{Unit: plan.RateMsgs, PerSec: 200}
	p.Producers.MessageSize = plan.SizeDist{Fixed: 200}
	p.Consumers.Groups = 0
	p.Verify = false
	p.Phases.Warmup = plan.Duration(500 * time.Millisecond)
	p.Phases.Duration = plan.Duration(3 * time.Second)
	return p
}
