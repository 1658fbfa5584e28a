package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mskbench/mskbench/report"
)

// s3Prefix starts an -o destination that is an S3 object.
const s3Prefix = "s3://"

// s3Timeout bounds the upload of a result.
const s3Timeout = 2 * time.Minute

// isS3 reports whether an -o destination names an S3 object.
func isS3(path string) bool { return strings.HasPrefix(path, s3Prefix) }

// parseS3 splits s3://bucket/key.
func parseS3(path string) (bucket, key string, err error) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(path, s3Prefix), "/")
	if bucket == "" || key == "" || strings.HasSuffix(key, "/") {
		return "", "", fmt.Errorf("%s: want s3://BUCKET/KEY, the key of an object (not a prefix)", path)
	}
	return bucket, key, nil
}

// s3Client returns an S3 client for cfg. When AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL points the SDK at another endpoint (an S3-compatible
// store, a test server) it addresses buckets by path, not by host name.
func s3Client(cfg aws.Config) *s3.Client {
	custom := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = o.UsePathStyle || custom })
}

// writeS3 uploads res, encoded as report.WriteFile encodes it, to the
// object path names (s3://bucket/key) with one PutObject, so that readers
// see the whole result or none.
func writeS3(ctx context.Context, cfg aws.Config, path string, res *report.Result) error {
	bucket, key, err := parseS3(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Encode(&buf, res); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s3Timeout)
	defer cancel()
	_, err = s3Client(cfg).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(buf.Bytes()), ContentLength: aws.Int64(int64(buf.Len())),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	return nil
}

// errNoAWS is returned when no AWS configuration could be loaded for S3.
var errNoAWS = errors.New("no AWS configuration for S3")
