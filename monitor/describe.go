package monitor

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
)

// ClusterMonitoring asks MSK (DescribeClusterV2, permission
// kafka:DescribeClusterV2) for the enhanced monitoring level of the
// provisioned cluster cfg.ClusterARN and its broker instance type, the two
// facts that say which AWS/Kafka metrics exist: ReadCloudWatch then names
// the ones the level does not publish instead of finding them empty. A
// serverless cluster has neither (level and type ""). cfg.Endpoint is
// CloudWatch's and is not used here; AWS_ENDPOINT_URL is honoured as by
// every SDK client.
func ClusterMonitoring(ctx context.Context, cfg CloudWatchConfig) (level, instanceType string, err error) {
	cfg.Endpoint = ""
	ac, err := cloudWatchAWS(ctx, cfg)
	if err != nil {
		return "", "", err
	}
	out, err := kafka.NewFromConfig(ac).DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(cfg.ClusterARN)})
	if err != nil {
		return "", "", fmt.Errorf("MSK DescribeClusterV2 for %s (needs kafka:DescribeClusterV2): %w", cfg.ClusterARN, err)
	}
	ci := out.ClusterInfo
	if ci == nil {
		return "", "", errors.New("MSK DescribeClusterV2: no cluster info in the answer")
	}
	if ci.ClusterType != kafkatypes.ClusterTypeProvisioned || ci.Provisioned == nil {
		return "", "", nil
	}
	level = string(ci.Provisioned.EnhancedMonitoring)
	if _, ok := levelRank[level]; !ok && level != "" {
		return "", "", fmt.Errorf("MSK DescribeClusterV2: monitoring level %q unknown to mskbench", level)
	}
	if g := ci.Provisioned.BrokerNodeGroupInfo; g != nil && g.InstanceType != nil {
		instanceType = *g.InstanceType
	}
	return level, instanceType, nil
}
