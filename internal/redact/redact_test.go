package redact

import (
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	for _, tt := range []struct{ key, value, want string }{
		{"ssl.truststore.password", "hunter2", Redacted},
		{"sasl.jaas.config", `ScramLoginModule required username="a" password="p";`, Redacted},
		{"scram_password_env", "MSK_PW", "MSK_PW"},
		{"ssl.truststore.location", "/etc/ts.jks", "/etc/ts.jks"},
		{"retention.ms", "3600000", "3600000"},
		{"note", `login password="p4ss" ok`, `login password="REDACTED" ok`},
		{"url", "https://bob:s3cret@example.com/x", "https://bob:REDACTED@example.com/x"},
	} {
		if got := Value(tt.key, tt.value); got != tt.want {
			t.Errorf("Value(%q, %q) = %q, want %q", tt.key, tt.value, got, tt.want)
		}
	}
}

// JSON redacts every string member by its name, at any depth, keeps the
// order of members and the other values, and writes "<" unescaped.
func TestJSON(t *testing.T) {
	in := `{"name":"p99 < 20ms","topics":{"configs":{"z.password":"s1","retention.ms":"1"},"count":2},"list":["x password=s2",true,null,1.5],"auth":{"token":"s3"}}`
	want := `{"name":"p99 < 20ms","topics":{"configs":{"z.password":"REDACTED","retention.ms":"1"},"count":2},"list":["x password=\"REDACTED\"",true,null,1.5],"auth":{"token":"REDACTED"}}`
	if got := string(JSON([]byte(in))); got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
	if got := string(JSON([]byte("not json password=s4"))); strings.Contains(got, "s4") {
		t.Errorf("JSON of non-JSON = %q, want it redacted as text", got)
	}
}
