package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/mskbench/mskbench/plan"
)

// defaultSessionName is the AssumeRole session name when none is set.
const defaultSessionName = "mskbench"

// loadAWS returns the AWS configuration of cfg: the SDK default chain (or
// the named profile), the region when known, and, with AWSRoleARN, assumed
// role credentials cached by aws.NewCredentialsCache so STS is called once
// per credential lifetime, never per connection.
func loadAWS(ctx context.Context, cfg *Config, region string, sec *secrets) (aws.Config, error) {
	// The SDK logs to stderr by default (an IMDS fallback, a retry, a
	// deprecation): none of its lines reaches the user, whose errors come
	// from us.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{}), config.WithClientLogMode(0)}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if cfg.AWSProfile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.AWSProfile))
	}
	if cfg.awsEndpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(cfg.awsEndpoint))
	}
	ac, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("auth: load AWS configuration: %w", err)
	}
	if cfg.AWSRoleARN != "" {
		name := cfg.AWSSessionName
		if name == "" {
			name = defaultSessionName
		}
		p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(ac), cfg.AWSRoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = name
			if cfg.AWSExternalID != "" {
				o.ExternalID = aws.String(cfg.AWSExternalID)
			}
		})
		ac.Credentials = aws.NewCredentialsCache(p)
	}
	if ac.Credentials != nil {
		// Learn the credentials (cached by the SDK for the calls that
		// follow) so that no error can quote them; a failure here shows
		// in the call that needs them.
		if creds, err := ac.Credentials.Retrieve(ctx); err == nil {
			sec.add(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
		}
	}
	return ac, nil
}

// scramSecret is the value of an MSK SCRAM secret.
type scramSecret struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// resolveSCRAM returns the SCRAM user and password of cfg. Errors never
// contain the password or the secret value.
func resolveSCRAM(ctx context.Context, cfg *Config, region string, sec *secrets) (user, password string, err error) {
	user = cfg.SCRAMUser
	switch {
	case cfg.SCRAMPasswordEnv != "":
		v, ok := os.LookupEnv(cfg.SCRAMPasswordEnv)
		if !ok || v == "" {
			return "", "", &ConfigError{Err: fmt.Errorf("auth: environment variable %s (--scram-password-env) is not set or empty", cfg.SCRAMPasswordEnv)}
		}
		password = v
	case cfg.SCRAMPasswordFile != "":
		b, err := os.ReadFile(cfg.SCRAMPasswordFile)
		if err != nil {
			return "", "", &ConfigError{Err: fmt.Errorf("auth: read --scram-password-file: %w", err)}
		}
		password = strings.TrimRight(string(b), "\r\n")
		if password == "" {
			return "", "", &ConfigError{Err: fmt.Errorf("auth: --scram-password-file %s is empty", cfg.SCRAMPasswordFile)}
		}
	case cfg.SCRAMSecretARN != "":
		if region == "" {
			region = RegionFromARN(cfg.SCRAMSecretARN)
		}
		ac, err := loadAWS(ctx, cfg, region, sec)
		if err != nil {
			return "", "", err
		}
		out, err := secretsmanager.NewFromConfig(ac).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
			SecretId: aws.String(cfg.SCRAMSecretARN),
		})
		if err != nil {
			return "", "", fmt.Errorf("auth: read SCRAM secret %s from Secrets Manager (needs secretsmanager:GetSecretValue and kms:Decrypt): %w", cfg.SCRAMSecretARN, err)
		}
		if out.SecretString != nil {
			sec.add(*out.SecretString)
		}
		if out.SecretString == nil {
			return "", "", fmt.Errorf("auth: SCRAM secret %s has no string value", cfg.SCRAMSecretARN)
		}
		var s scramSecret
		if err := json.Unmarshal([]byte(*out.SecretString), &s); err != nil {
			// Do not wrap err: a JSON syntax error can quote the value.
			return "", "", fmt.Errorf("auth: SCRAM secret %s is not JSON {\"username\": ..., \"password\": ...}", cfg.SCRAMSecretARN)
		}
		if s.Password == "" {
			return "", "", fmt.Errorf("auth: SCRAM secret %s has no password field", cfg.SCRAMSecretARN)
		}
		if user == "" {
			user = s.Username
		} else if s.Username != "" && s.Username != user {
			return "", "", fmt.Errorf("auth: --scram-user %q differs from the username %q in secret %s", user, s.Username, cfg.SCRAMSecretARN)
		}
		password = s.Password
	default:
		return "", "", errors.New("auth: no SCRAM password: set --scram-password-env, --scram-password-file or --scram-secret-arn")
	}
	if user == "" {
		return "", "", errors.New("auth: no SCRAM user: set --scram-user")
	}
	return user, password, nil
}

// bootstrapString picks the GetBootstrapBrokers field for a mechanism; a
// public cluster has Public... fields for TLS, SCRAM and IAM only.
func bootstrapString(out *kafka.GetBootstrapBrokersOutput, mechanism string, public bool) (field string, value *string) {
	switch {
	case public && (mechanism == plan.MechanismTLS || mechanism == plan.MechanismMTLS):
		return "BootstrapBrokerStringPublicTls", out.BootstrapBrokerStringPublicTls
	case public && isSCRAM(mechanism):
		return "BootstrapBrokerStringPublicSaslScram", out.BootstrapBrokerStringPublicSaslScram
	case public && mechanism == plan.MechanismIAM:
		return "BootstrapBrokerStringPublicSaslIam", out.BootstrapBrokerStringPublicSaslIam
	case public:
		return "(none: public access has no plaintext listener)", nil
	case mechanism == plan.MechanismTLS || mechanism == plan.MechanismMTLS:
		return "BootstrapBrokerStringTls", out.BootstrapBrokerStringTls
	case isSCRAM(mechanism):
		return "BootstrapBrokerStringSaslScram", out.BootstrapBrokerStringSaslScram
	case mechanism == plan.MechanismIAM:
		return "BootstrapBrokerStringSaslIam", out.BootstrapBrokerStringSaslIam
	default:
		return "BootstrapBrokerString", out.BootstrapBrokerString
	}
}

// discoverBrokers calls MSK GetBootstrapBrokers for cfg.ClusterARN and
// returns the addresses for mechanism. With mechanism "auto" it prefers IAM,
// then SCRAM, TLS and plaintext (whichever the cluster has) and returns the
// mechanism it chose.
func discoverBrokers(ctx context.Context, cfg *Config, mechanism, region string, sec *secrets) ([]string, string, error) {
	ac, err := loadAWS(ctx, cfg, region, sec)
	if err != nil {
		return nil, "", err
	}
	out, err := kafka.NewFromConfig(ac).GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{
		ClusterArn: aws.String(cfg.ClusterARN),
	})
	if err != nil {
		return nil, "", fmt.Errorf("auth: MSK GetBootstrapBrokers for %s (needs kafka:GetBootstrapBrokers): %w", cfg.ClusterARN, err)
	}
	candidates := []string{mechanism}
	if mechanism == plan.MechanismAuto {
		candidates = []string{plan.MechanismIAM, plan.MechanismSCRAMSHA512, plan.MechanismTLS, plan.MechanismNone}
	}
	var tried []string
	for _, m := range candidates {
		field, v := bootstrapString(out, m, cfg.Public)
		if v != nil && strings.TrimSpace(*v) != "" {
			return splitList(*v), m, nil
		}
		tried = append(tried, field)
	}
	where := "in-VPC"
	if cfg.Public {
		where = "public"
	}
	return nil, "", fmt.Errorf("auth: cluster %s has no %s bootstrap brokers for %s (%s empty): enable that access on the cluster or choose another --auth",
		cfg.ClusterARN, where, mechanism, strings.Join(tried, ", "))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
