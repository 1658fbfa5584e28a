package plan

import (
	"strings"
	"testing"
)

func TestClientProblems(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name   string
		modify func(*Plan)
		field  string // "" = no problem
		want   string
	}{
		{"defaults", func(*Plan) {}, "", ""},
		{"kafka-go defaults", func(p *Plan) { p.Client = ClientKafkaGo }, "", ""},
		{"unknown client", func(p *Plan) { p.Client = "sarama" }, "client", "sarama"},
		{"kafka-go idempotent", func(p *Plan) { p.Client, p.Producers.Idempotent = ClientKafkaGo, &yes },
			"producers.idempotent", "segmentio/kafka-go#797"},
		{"kafka-go not idempotent", func(p *Plan) { p.Client, p.Producers.Idempotent = ClientKafkaGo, &no }, "", ""},
		{"idempotent with acks 1", func(p *Plan) { p.Producers.Idempotent, p.Producers.Acks = &yes, AcksLeader },
			"producers.idempotent", "acks all"},
		{"acks 1 turns the default off", func(p *Plan) { p.Producers.Acks = AcksLeader }, "", ""},
		{"kafka-go in-flight requests", func(p *Plan) { p.Client, p.Producers.MaxInFlightRequests = ClientKafkaGo, 3 },
			"producers.max_in_flight_requests", "kafka-go"},
		{"idempotent in-flight requests", func(p *Plan) { p.Producers.MaxInFlightRequests = 1 },
			"producers.max_in_flight_requests", "up to 5"},
		{"idempotent in-flight requests 5", func(p *Plan) { p.Producers.MaxInFlightRequests = 5 }, "", ""},
		{"not idempotent in-flight requests", func(p *Plan) { p.Producers.MaxInFlightRequests, p.Producers.Idempotent = 1, &no }, "", ""},
		{"kafka-go transactions", func(p *Plan) {
			p.Client, p.Producers.Transactions = ClientKafkaGo, &Transactions{MessagesPerTransaction: 10}
		}, "producers.transactions", "#233"},
		{"transactions without idempotence", func(p *Plan) {
			p.Producers.Transactions, p.Producers.Idempotent = &Transactions{MessagesPerTransaction: 10}, &no
		}, "producers.transactions", "idempotent"},
		{"transactions with neither end", func(p *Plan) { p.Producers.Transactions = &Transactions{} },
			"producers.transactions", "exactly one"},
		{"transactions with both ends", func(p *Plan) {
			p.Producers.Transactions = &Transactions{MessagesPerTransaction: 10, Duration: Duration(1e9)}
		}, "producers.transactions", "exactly one"},
		{"abort ratio", func(p *Plan) { p.Producers.Transactions = &Transactions{MessagesPerTransaction: 1, AbortRatio: 1.5} },
			"producers.transactions.abort_ratio", "between 0 and 1"},
		{"kafka-go rack", func(p *Plan) { p.Client, p.Consumers.Rack = ClientKafkaGo, "use1-az1" }, "consumers.rack", "PR #1434"},
		{"retries", func(p *Plan) { p.Producers.Retries = -1 }, "producers.retries", "negative"},
	} {
		p := Defaults()
		tc.modify(&p)
		probs := p.ClientProblems()
		switch {
		case tc.field == "" && len(probs) > 0:
			t.Errorf("%s: problems %v, want none", tc.name, probs)
		case tc.field != "" && (len(probs) == 0 || probs[0].Field != tc.field || !strings.Contains(probs[0].String(), tc.want)):
			t.Errorf("%s: problems %+v, want %s: ...%s...", tc.name, probs, tc.field, tc.want)
		}
	}
}

func TestIdempotentFor(t *testing.T) {
	p := Defaults().Producers
	if !p.IdempotentFor(ClientFranzGo) || p.IdempotentFor(ClientKafkaGo) || !p.IdempotentFor("") {
		t.Errorf("default idempotence: franz-go %t, kafka-go %t; want true, false", p.IdempotentFor(ClientFranzGo), p.IdempotentFor(ClientKafkaGo))
	}
	pl := Defaults()
	if pl.IsolationOrDefault() != ReadUncommitted {
		t.Errorf("isolation without transactions = %s", pl.IsolationOrDefault())
	}
	pl.Producers.Transactions = &Transactions{MessagesPerTransaction: 1}
	if pl.IsolationOrDefault() != ReadCommitted {
		t.Errorf("isolation with transactions = %s", pl.IsolationOrDefault())
	}
}
