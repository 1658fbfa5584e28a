// Package deploy holds no code: it is where the container image, the
// Kubernetes Indexed Job (kubernetes/) and the AWS Batch job definitions
// (aws-batch/) of a distributed run are tested. Its tests decode every
// manifest strictly into the engines' own API types and check them against
// the environment contract in internal/shardenv and the flags `mskbench run`
// accepts; the Dockerfile is parsed with BuildKit's parser and the static
// build it relies on is checked with debug/elf.
package deploy
