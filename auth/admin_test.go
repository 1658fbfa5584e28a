package auth

import (
	"context"
	"crypto/tls"
	"net"
	"reflect"
	"testing"
	"time"

	kplain "github.com/segmentio/kafka-go/sasl/plain"
	franzsasl "github.com/twmb/franz-go/pkg/sasl"

	"github.com/mskbench/mskbench/plan"
)

// An Admin view shares every setting of its Conn but the connection budget.
func TestAdminCopiesSettings(t *testing.T) {
	c := &Conn{Brokers: []string{"b:9098"}, Mechanism: "iam", TLS: &tls.Config{ServerName: "b"},
		SASL: kplain.Mechanism{Username: "u"}, FranzSASL: testMechanism{"u"}, DialTimeout: 3 * time.Second, ClientID: "x",
		Region: "eu-west-1", Warnings: []string{"w"}, probeClient: plan.ClientKafkaGo,
		limiter: newLimiter(1), adminLimiter: newLimiter(1)}
	a := c.Admin()
	own := map[string]bool{"limiter": true, "adminLimiter": true, "parent": true, "dials": true, "reconnects": true}
	cv, av := reflect.ValueOf(c).Elem(), reflect.ValueOf(a).Elem()
	for i := range cv.NumField() {
		f := cv.Type().Field(i)
		if own[f.Name] {
			continue
		}
		// A new field of Conn must be copied by Admin (or listed above).
		same := false
		if f.IsExported() {
			same = reflect.DeepEqual(cv.Field(i).Interface(), av.Field(i).Interface())
		} else {
			same = cv.Field(i).Equal(av.Field(i))
		}
		if !same {
			t.Errorf("Admin: field %s not copied", f.Name)
		}
	}
	if a.limiter != c.adminLimiter || a.limiter == c.limiter {
		t.Errorf("Admin view's budget: got %p, want the admin limiter %p (workers' %p)", a.limiter, c.adminLimiter, c.limiter)
	}
	if a.Admin() != a {
		t.Error("Admin of an Admin view is another view")
	}
}

// With the workers' budget booked a minute ahead (connect rate 1/s, 60
// dials queued), an admin connection is dialled at once and counted on the
// Conn.
func TestAdminOwnBudget(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			nc.Close()
		}
	}()
	c := &Conn{Brokers: []string{l.Addr().String()}, limiter: newLimiter(1), adminLimiter: newLimiter(1)}
	now := time.Now()
	for range 60 {
		c.limiter.reserve(now)
	}
	// Not a timing assertion: the dial must not wait for the workers' queue,
	// so a deadline far below the queue's minute cannot expire.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	nc, err := c.Admin().DialFunc()(ctx, "tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("admin dial behind 60 queued worker dials: %v", err)
	}
	nc.Close()
	if c.Dials() != 1 {
		t.Errorf("Dials = %d, want the admin connection counted", c.Dials())
	}
	// The workers' budget is still booked: their dial would wait.
	if d := c.limiter.reserve(time.Now()); d < 30*time.Second {
		t.Errorf("workers' next slot in %s, want the queue untouched", d)
	}
}

// testMechanism is a comparable franz-go SASL mechanism for the copy test.
type testMechanism struct{ user string }

func (testMechanism) Name() string { return "TEST" }
func (testMechanism) Authenticate(context.Context, string) (franzsasl.Session, []byte, error) {
	return nil, nil, nil
}
