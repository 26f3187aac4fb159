#!/usr/bin/env bash
# all-MiniLM-L6-v2 on our engine against ONNX Runtime, same machine and sitting (tests' EncoderThroughputVsOrt; ONNX
# Runtime is a test-scope dependency only). Output: bench/results/encoder-vs-ort-<dataset>.txt
#   bench/encoder-vs-ort.sh [dataset emoji|varied|DIR] [sentences 2048] [rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-emoji}; N=${2:-2048}; ROUNDS=${3:-3}
./mvnw -q -B -pl tests -am -DskipTests install >/dev/null
./mvnw -q -B -pl tests dependency:build-classpath -Dmdep.outputFile=tests/target/test.classpath -Dmdep.includeScope=test >/dev/null
mkdir -p bench/results
OUT=bench/results/encoder-vs-ort-$(basename "$DATA").txt
{
  echo "cpu: $(lscpu | sed -n 's/^Model name:[ \t]*//p'), $(nproc) cores, flags: $(grep -o -w 'avx2\|avx512f\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "load before: $(cat /proc/loadavg)"
  java --add-modules jdk.incubator.vector -cp "tests/target/test-classes:cart/target/classes:engine/target/classes:kernels/target/classes:$(cat tests/target/test.classpath)" \
    org.cartengine.tests.text.EncoderThroughputVsOrt "$DATA" "$N" "$ROUNDS" 2>&1 | grep -v '^WARNING'
  echo "load after: $(cat /proc/loadavg)"
} | tee "$OUT"
