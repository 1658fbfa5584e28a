package auth

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"
)

// field ties one Config field to its CLI flag and its key in the scenario's
// `cluster: auth:` block.
type field struct {
	flag  string // CLI flag name, without "--"
	key   string // scenario YAML key
	usage string
	bind  func(fs *pflag.FlagSet, c *Config, name, usage string)
	copy  func(dst, src *Config)
}

func stringField(flag, key, usage string, p func(*Config) *string) field {
	return field{flag: flag, key: key, usage: usage,
		bind: func(fs *pflag.FlagSet, c *Config, name, usage string) { fs.StringVar(p(c), name, *p(c), usage) },
		copy: func(dst, src *Config) { *p(dst) = *p(src) },
	}
}

func boolField(flag, key, usage string, p func(*Config) *bool) field {
	return field{flag: flag, key: key, usage: usage,
		bind: func(fs *pflag.FlagSet, c *Config, name, usage string) { fs.BoolVar(p(c), name, *p(c), usage) },
		copy: func(dst, src *Config) { *p(dst) = *p(src) },
	}
}

// fields lists every flag RegisterFlags defines, in help order.
func fields() []field {
	return []field{
		stringField("auth", "mechanism", "authentication: auto (from the port), none, tls, mtls, scram-sha-512, scram-sha-256, iam",
			func(c *Config) *string { return &c.Mechanism }),
		{flag: "tls", key: "tls", usage: "force TLS on or off (default: on for every mechanism but none; off only for local test clusters)",
			bind: func(fs *pflag.FlagSet, c *Config, name, usage string) {
				f := fs.VarPF(&optBool{p: &c.TLS}, name, "", usage)
				f.NoOptDefVal = "true"
			},
			copy: func(dst, src *Config) {
				if src.TLS == nil {
					dst.TLS = nil
					return
				}
				v := *src.TLS
				dst.TLS = &v
			}},
		stringField("tls-ca", "tls_ca", "PEM file of CA certificates to trust besides the system roots",
			func(c *Config) *string { return &c.TLSCAFile }),
		stringField("tls-cert", "tls_cert", "PEM client certificate (mtls)",
			func(c *Config) *string { return &c.TLSCertFile }),
		stringField("tls-key", "tls_key", "PEM private key of --tls-cert",
			func(c *Config) *string { return &c.TLSKeyFile }),
		stringField("tls-server-name", "tls_server_name", "host name to verify in broker certificates",
			func(c *Config) *string { return &c.TLSServerName }),
		boolField("tls-insecure-skip-verify", "tls_insecure_skip_verify", "do not verify broker certificates (test clusters only; recorded in the result)",
			func(c *Config) *bool { return &c.TLSInsecureSkipVerify }),
		stringField("scram-user", "scram_user", "SCRAM user name (default with --scram-secret-arn: the secret's username)",
			func(c *Config) *string { return &c.SCRAMUser }),
		stringField("scram-password-env", "scram_password_env", "name of the environment variable holding the SCRAM password",
			func(c *Config) *string { return &c.SCRAMPasswordEnv }),
		stringField("scram-password-file", "scram_password_file", "file holding the SCRAM password",
			func(c *Config) *string { return &c.SCRAMPasswordFile }),
		stringField("scram-secret-arn", "scram_secret_arn", "Secrets Manager secret (AmazonMSK_...) with {\"username\",\"password\"}",
			func(c *Config) *string { return &c.SCRAMSecretARN }),
		stringField("aws-region", "aws_region", "AWS region (default: from the broker host name, the cluster ARN, then AWS_REGION / the profile)",
			func(c *Config) *string { return &c.AWSRegion }),
		stringField("aws-profile", "aws_profile", "AWS shared config profile",
			func(c *Config) *string { return &c.AWSProfile }),
		stringField("aws-role-arn", "aws_role_arn", "IAM role to assume for MSK IAM and AWS API calls",
			func(c *Config) *string { return &c.AWSRoleARN }),
		stringField("aws-external-id", "aws_external_id", "external ID for --aws-role-arn",
			func(c *Config) *string { return &c.AWSExternalID }),
		stringField("aws-session-name", "aws_session_name", "role session name for --aws-role-arn (default mskbench)",
			func(c *Config) *string { return &c.AWSSessionName }),
		stringField("cluster-arn", "cluster_arn", "MSK cluster ARN: read the bootstrap brokers with GetBootstrapBrokers",
			func(c *Config) *string { return &c.ClusterARN }),
		boolField("public", "public", "with --cluster-arn, use the public bootstrap brokers",
			func(c *Config) *bool { return &c.Public }),
		{flag: "connect-rate", key: "connect_rate", usage: "new connections per second, ramped (default 100, MSK's IAM limit; negative: unlimited)",
			bind: func(fs *pflag.FlagSet, c *Config, name, usage string) {
				fs.Float64Var(&c.ConnectRate, name, c.ConnectRate, usage)
			},
			copy: func(dst, src *Config) { dst.ConnectRate = src.ConnectRate }},
	}
}

// FlagNames returns the names of the flags RegisterFlags defines.
func FlagNames() []string {
	fs := fields()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.flag
	}
	return out
}

// RegisterFlags defines the authentication flags (--auth, --tls, --tls-ca,
// ..., --cluster-arn, --public, --connect-rate) on fs, bound to c's fields;
// c's current values are the defaults shown. Brokers and DialTimeout are left
// to the caller.
func (c *Config) RegisterFlags(fs *pflag.FlagSet) {
	for _, f := range fields() {
		f.bind(fs, c, f.flag, f.usage)
	}
}

// Merge copies into c every field of from whose flag set reports as
// explicitly set (pass (*pflag.FlagSet).Changed), so flags override the
// scenario's `cluster: auth:` block: scenarioCfg.Merge(flagCfg, fs.Changed).
// Brokers, DialTimeout and ClientID are not flags of this package and are
// not merged.
//
// The SCRAM password sources are one setting: a source set by a flag
// (--scram-password-env, --scram-password-file or --scram-secret-arn)
// replaces whichever source the scenario named, so the result never has two.
func (c *Config) Merge(from Config, set func(flag string) bool) {
	for _, f := range fields() {
		if set(f.flag) {
			f.copy(c, &from)
		}
	}
	sources := []struct {
		flag string
		p    *string
	}{
		{"scram-password-env", &c.SCRAMPasswordEnv},
		{"scram-password-file", &c.SCRAMPasswordFile},
		{"scram-secret-arn", &c.SCRAMSecretARN},
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

// SetKey sets the field of a scenario `cluster: auth:` key (mechanism, tls,
// tls_ca, ..., public, connect_rate) from its text, with the same parsing as
// the flag.
func (c *Config) SetKey(key, value string) error {
	for _, f := range fields() {
		if f.key != key {
			continue
		}
		fs := pflag.NewFlagSet("auth", pflag.ContinueOnError)
		f.bind(fs, c, f.flag, f.usage)
		if err := fs.Set(f.flag, value); err != nil {
			return fmt.Errorf("auth: %s: %w", key, err)
		}
		return nil
	}
	return fmt.Errorf("auth: unknown key %q", key)
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
