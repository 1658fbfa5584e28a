package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/plan"
)

// authFlag ties one setting of plan.Auth to its flag of `mskbench run`:
// the flag's name, the setting's key (its key in the scenario's cluster.auth
// block, the JSON tag of the field), the help text, how to bind the flag to
// a plan.Auth and how to copy the setting.
type authFlag struct {
	name  string // without "--"
	key   string
	usage string
	bind  func(fs *pflag.FlagSet, a *plan.Auth, name, usage string)
	copy  func(dst, src *plan.Auth)
}

func stringAuthFlag(name, key, usage string, field func(*plan.Auth) *string) authFlag {
	return authFlag{name: name, key: key, usage: usage,
		bind: func(fs *pflag.FlagSet, a *plan.Auth, name, usage string) {
			fs.StringVar(field(a), name, *field(a), usage)
		},
		copy: func(dst, src *plan.Auth) { *field(dst) = *field(src) },
	}
}

func boolAuthFlag(name, key, usage string, field func(*plan.Auth) *bool) authFlag {
	return authFlag{name: name, key: key, usage: usage,
		bind: func(fs *pflag.FlagSet, a *plan.Auth, name, usage string) {
			fs.BoolVar(field(a), name, *field(a), usage)
		},
		copy: func(dst, src *plan.Auth) { *field(dst) = *field(src) },
	}
}

// authFlags is the flag table of the authentication settings, in help
// order: every field of plan.Auth has exactly one flag.
var authFlags = []authFlag{
	stringAuthFlag("auth", "mechanism", "authentication: auto (from the port), none, tls, mtls, scram-sha-512, scram-sha-256, iam",
		func(a *plan.Auth) *string { return &a.Mechanism }),
	{name: "tls", key: "tls", usage: "force TLS on or off (default: on for every mechanism but none; off only for local test clusters)",
		bind: func(fs *pflag.FlagSet, a *plan.Auth, name, usage string) {
			f := fs.VarPF(&optBool{p: &a.TLS}, name, "", usage)
			f.NoOptDefVal = "true"
		},
		copy: func(dst, src *plan.Auth) {
			if src.TLS == nil {
				dst.TLS = nil
				return
			}
			v := *src.TLS
			dst.TLS = &v
		}},
	stringAuthFlag("tls-ca", "tls_ca", "PEM file of CA certificates to trust besides the system roots",
		func(a *plan.Auth) *string { return &a.TLSCAFile }),
	stringAuthFlag("tls-cert", "tls_cert", "PEM client certificate (mtls)",
		func(a *plan.Auth) *string { return &a.TLSCertFile }),
	stringAuthFlag("tls-key", "tls_key", "PEM private key of --tls-cert",
		func(a *plan.Auth) *string { return &a.TLSKeyFile }),
	stringAuthFlag("tls-server-name", "tls_server_name", "host name to verify in broker certificates",
		func(a *plan.Auth) *string { return &a.TLSServerName }),
	boolAuthFlag("tls-insecure-skip-verify", "tls_insecure_skip_verify", "do not verify broker certificates (test clusters only; recorded in the result)",
		func(a *plan.Auth) *bool { return &a.TLSInsecureSkipVerify }),
	stringAuthFlag("scram-user", "scram_user", "SCRAM user name (default with --scram-secret-arn: the secret's username)",
		func(a *plan.Auth) *string { return &a.SCRAMUser }),
	stringAuthFlag("scram-password-env", "scram_password_env", "name of the environment variable holding the SCRAM password",
		func(a *plan.Auth) *string { return &a.SCRAMPasswordEnv }),
	stringAuthFlag("scram-password-file", "scram_password_file", "file holding the SCRAM password",
		func(a *plan.Auth) *string { return &a.SCRAMPasswordFile }),
	stringAuthFlag("scram-secret-arn", "scram_secret_arn", "Secrets Manager secret (AmazonMSK_...) with {\"username\",\"password\"}",
		func(a *plan.Auth) *string { return &a.SCRAMSecretARN }),
	stringAuthFlag("aws-region", "aws_region", "AWS region (default: from the broker host name, the cluster ARN, then AWS_REGION / the profile)",
		func(a *plan.Auth) *string { return &a.AWSRegion }),
	stringAuthFlag("aws-profile", "aws_profile", "AWS shared config profile",
		func(a *plan.Auth) *string { return &a.AWSProfile }),
	stringAuthFlag("aws-role-arn", "aws_role_arn", "IAM role to assume for MSK IAM and AWS API calls",
		func(a *plan.Auth) *string { return &a.AWSRoleARN }),
	stringAuthFlag("aws-external-id", "aws_external_id", "external ID for --aws-role-arn",
		func(a *plan.Auth) *string { return &a.AWSExternalID }),
	stringAuthFlag("aws-session-name", "aws_session_name", "role session name for --aws-role-arn (default mskbench)",
		func(a *plan.Auth) *string { return &a.AWSSessionName }),
	stringAuthFlag("cluster-arn", "cluster_arn", "MSK cluster ARN: read the bootstrap brokers with GetBootstrapBrokers",
		func(a *plan.Auth) *string { return &a.ClusterARN }),
	boolAuthFlag("public", "public", "with --cluster-arn, use the public bootstrap brokers",
		func(a *plan.Auth) *bool { return &a.Public }),
	{name: "connect-rate", key: "connect_rate",
		usage: fmt.Sprintf("new connections per second, ramped (default %d, MSK's IAM limit; 0: no cap)", plan.DefaultConnectRate),
		bind: func(fs *pflag.FlagSet, a *plan.Auth, name, usage string) {
			fs.Float64Var(&a.ConnectRate, name, a.ConnectRate, usage)
		},
		copy: func(dst, src *plan.Auth) { dst.ConnectRate = src.ConnectRate }},
}

// registerAuthFlags defines the authentication flags on fs, bound to a's
// fields; a's current values are the defaults shown (leave a zero: only
// flags that are set override the scenario, see mergeAuthFlags).
func registerAuthFlags(fs *pflag.FlagSet, a *plan.Auth) {
	for _, f := range authFlags {
		f.bind(fs, a, f.name, f.usage)
	}
}

// mergeAuthFlags copies into dst every setting of from whose flag set
// reports as explicitly set (pass (*pflag.FlagSet).Changed), so that set
// flags override the scenario's cluster.auth block and the others leave it.
//
// The SCRAM password sources are one setting: a source set by a flag
// (--scram-password-env, --scram-password-file or --scram-secret-arn)
// replaces whichever source the scenario named, so the result never has two.
func mergeAuthFlags(dst *plan.Auth, from plan.Auth, set func(flag string) bool) {
	for _, f := range authFlags {
		if set(f.name) {
			f.copy(dst, &from)
		}
	}
	sources := []struct {
		flag string
		p    *string
	}{
		{"scram-password-env", &dst.SCRAMPasswordEnv},
		{"scram-password-file", &dst.SCRAMPasswordFile},
		{"scram-secret-arn", &dst.SCRAMSecretARN},
	}
	fromFlags := false
	for _, s := range sources {
		fromFlags = fromFlags || set(s.flag)
	}
	if fromFlags {
		for _, s := range sources {
			if !set(s.flag) {
				*s.p = ""
			}
		}
	}
}

// authFlagName returns "--flag" for the key of a plan.Auth setting, for
// messages about the merged settings.
func authFlagName(key string) string {
	for _, f := range authFlags {
		if f.key == key {
			return "--" + f.name
		}
	}
	return key
}

// authProblems validates the merged settings a (embedded: for the
// in-process cluster) with plan.Auth.Validate and returns every problem as
// one error, each line naming the flag: "--tls-key: --tls-cert and --tls-key
// go together: ...". nil when a is valid.
func authProblems(a plan.Auth, embedded bool) error {
	var errs []error
	for _, p := range a.Validate(embedded) {
		errs = append(errs, fmt.Errorf("%s: %s", authFlagName(p.Field), p.Text(authFlagName)))
	}
	return errors.Join(errs...)
}

// optBool is a pflag.Value for a *bool that stays nil until set.
type optBool struct{ p **bool }

// String returns "" while unset, else "true" or "false".
func (o *optBool) String() string {
	if o.p == nil || *o.p == nil {
		return ""
	}
	return strconv.FormatBool(**o.p)
}

// Set parses a boolean and stores a pointer to it.
func (o *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*o.p = &v
	return nil
}

// Type names the value in help output.
func (o *optBool) Type() string { return "bool" }

// IsBoolFlag lets --tls stand for --tls=true.
func (o *optBool) IsBoolFlag() bool { return true }
