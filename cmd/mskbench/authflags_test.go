package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/plan"
)

func boolPtr(b bool) *bool { return &b }

// parseAuthFlags registers the authentication flags on a new FlagSet and
// parses args into a zero plan.Auth.
func parseAuthFlags(t *testing.T, args ...string) (plan.Auth, *pflag.FlagSet) {
	t.Helper()
	var a plan.Auth
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	registerAuthFlags(fs, &a)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return a, fs
}

func TestAuthFlagsOverrideScenario(t *testing.T) {
	// The scenario's block, already decoded.
	scen := plan.Auth{Mechanism: plan.MechanismIAM, AWSRegion: "eu-west-1", AWSProfile: "bench", TLS: boolPtr(true)}
	flags, fs := parseAuthFlags(t, "--auth", "scram-sha-512", "--tls=false", "--scram-user", "bob", "--connect-rate", "5")
	mergeAuthFlags(&scen, flags, fs.Changed)
	if scen.Mechanism != plan.MechanismSCRAMSHA512 || scen.SCRAMUser != "bob" || scen.ConnectRate != 5 {
		t.Errorf("set flags not merged: %+v", scen)
	}
	if scen.TLS == nil || *scen.TLS {
		t.Errorf("--tls=false not merged: TLS = %v", scen.TLS)
	}
	if scen.AWSRegion != "eu-west-1" || scen.AWSProfile != "bench" {
		t.Errorf("unset flags overwrote the scenario: %+v", scen)
	}
	// A password source from a flag replaces the scenario's source.
	withEnv := plan.Auth{Mechanism: plan.MechanismSCRAMSHA512, SCRAMUser: "alice", SCRAMPasswordEnv: "MSK_PASSWORD"}
	pw, fs := parseAuthFlags(t, "--scram-password-file", "/run/secrets/pw")
	mergeAuthFlags(&withEnv, pw, fs.Changed)
	if withEnv.SCRAMPasswordFile != "/run/secrets/pw" || withEnv.SCRAMPasswordEnv != "" || withEnv.SCRAMUser != "alice" {
		t.Errorf("--scram-password-file over scram_password_env: got %+v, want only the file as source and the user kept", withEnv)
	}
	// A bare --tls means true.
	if a, _ := parseAuthFlags(t, "--tls"); a.TLS == nil || !*a.TLS {
		t.Errorf("--tls: TLS = %v, want true", a.TLS)
	}
}

// Every setting of plan.Auth has exactly one flag, keyed by the setting's
// scenario key (its JSON tag), and setting every flag sets every field.
func TestAuthFlagsCoverPlanAuth(t *testing.T) {
	var keys []string
	typ := reflect.TypeFor[plan.Auth]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	var flagKeys []string
	for _, f := range authFlags {
		flagKeys = append(flagKeys, f.key)
	}
	if !slices.Equal(flagKeys, keys) {
		t.Errorf("flag keys %q, want the plan.Auth keys in field order %q", flagKeys, keys)
	}
	args := []string{"--tls=true", "--tls-insecure-skip-verify", "--public", "--connect-rate", "7"}
	for _, f := range authFlags {
		switch f.name {
		case "tls", "tls-insecure-skip-verify", "public", "connect-rate":
		default:
			args = append(args, "--"+f.name, "x-"+f.name)
		}
	}
	a, fs := parseAuthFlags(t, args...)
	var merged plan.Auth
	mergeAuthFlags(&merged, a, fs.Changed)
	v := reflect.ValueOf(merged)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("field %s not set by its flag", typ.Field(i).Name)
		}
	}
	if got := authFlagName("tls_cert"); got != "--tls-cert" {
		t.Errorf("authFlagName(tls_cert) = %q", got)
	}
}
