package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name                 string
		ldVersion, ldCommit  string
		bi                   *debug.BuildInfo
		wantVersion, wantCmt string
	}{
		{"ldflags win", "v1.2.3-4-gabcdef", "abcdef", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "false")}, "v1.2.3-4-gabcdef", "abcdef"},
		{"module version", "dev", "unknown", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102030405-0123456789ab+dirty"}, Settings: vcs(rev, "true")}, "v0.0.0-20260102030405-0123456789ab+dirty", rev},
		{"vcs revision", "dev", "unknown", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "devel-0123456789ab", rev},
		{"vcs dirty", "dev", "unknown", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "devel-0123456789ab-dirty", rev},
		{"nothing known", "dev", "unknown", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev", "unknown"},
		{"no build info", "dev", "unknown", nil, "dev", "unknown"},
	}
	for _, tt := range tests {
		v, c := versionOf(tt.ldVersion, tt.ldCommit, tt.bi)
		if v != tt.wantVersion || c != tt.wantCmt {
			t.Errorf("%s: got %q, %q; want %q, %q", tt.name, v, c, tt.wantVersion, tt.wantCmt)
		}
	}
}
