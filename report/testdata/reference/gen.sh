#!/usr/bin/env bash
# Regenerates golden.txt: the percentiles, max and mean that the reference
# Java HdrHistogram reports for each histogram of histograms.txt.
# Needs a JDK and Debian's libhdrhistogram-java (apt-get install libhdrhistogram-java).
set -euo pipefail
cd "$(dirname "$0")"
jar=${HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
javac -cp "$jar" -d "$tmp" Percentiles.java
java -cp "$jar:$tmp" Percentiles 0.1 1 10 25 50 75 90 95 99 99.5 99.9 99.99 99.999 100 <histograms.txt >golden.txt
echo "golden.txt: $(wc -l <golden.txt) histograms"
