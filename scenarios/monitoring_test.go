package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mskbench/mskbench/plan"
)

// The cluster.monitoring block and the ramp's broker criteria, from a file
// and from --set, and their defaults.
func TestMonitoringFields(t *testing.T) {
	s, err := Parse("min.yaml", []byte("name: min\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m := s.Cluster.Monitoring; !reflect.DeepEqual(m, plan.DefaultMonitoring()) || m.JMXPort != 11001 || m.NodePort != 11002 || m.Any() {
		t.Errorf("default monitoring %+v", m)
	}

	src := `name: mon
cluster:
  brokers: [b-1.demo.abc.c2.kafka.eu-west-1.amazonaws.com:9098]
  auth: {cluster_arn: "arn:aws:kafka:eu-west-1:123456789012:cluster/demo/abc-1"}
  monitoring:
    open_monitoring: true
    jmx_port: 7071
    prometheus: [http://kafka-1:9100/metrics]
    cloudwatch: true
    scrape_timeout: 500ms
ramp: {start: 1000/s, step: 1000/s, max: 5000/s, max_broker_cpu: 60%, stop_on_throttle: true}
`
	s, err = Parse("mon.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := plan.Monitoring{OpenMonitoring: true, JMXPort: 7071, NodePort: 11002, Prometheus: []string{"http://kafka-1:9100/metrics"},
		CloudWatch: true, ScrapeTimeout: plan.Duration(500 * time.Millisecond)}
	if !reflect.DeepEqual(s.Cluster.Monitoring, want) {
		t.Errorf("monitoring %+v, want %+v", s.Cluster.Monitoring, want)
	}
	c := s.Ramp.Criteria()
	if c.MaxBrokerCPU != 0.6 || !c.StopOnThrottle {
		t.Errorf("criteria %+v", c)
	}
	data, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(data), `"max_broker_cpu":"60%"`) || !strings.Contains(string(data), `"jmx_port":7071`) {
		t.Errorf("JSON %s (%v)", data, err)
	}

	if err := s.Set("cluster.monitoring.node_port=9200"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("ramp.max_broker_cpu=0.75"); err != nil {
		t.Fatal(err)
	}
	if s.Cluster.Monitoring.NodePort != 9200 || s.Ramp.MaxBrokerCPU != 0.75 {
		t.Errorf("after --set: node port %d, max broker cpu %v", s.Cluster.Monitoring.NodePort, s.Ramp.MaxBrokerCPU)
	}
	if err := s.Set("cluster.monitoring.jmx_port=0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err == nil || !strings.Contains(err.Error(), "--set: cluster.monitoring.jmx_port: want a port 1..65535, got 0") {
		t.Errorf("jmx_port=0: %v", err)
	}

	// The embedded cluster ignores the block: no ARN needed there.
	s, err = Parse("emb.yaml", []byte("name: emb\ncluster: {monitoring: {cloudwatch: true}}\nramp: {start: 1/s, step: 1/s, max: 2/s, max_broker_cpu: 50%}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(ValidateOptions{}); err != nil {
		t.Errorf("embedded with monitoring: %v", err)
	}
}
