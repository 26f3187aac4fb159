#!/usr/bin/env bash
# Builds the benchmarks and runs them in one sitting: numpy/OpenBLAS SGEMM, JMH on JDK 17, JMH on
# JDK 25 (when installed), numpy again (to see drift), then prints the README's tables.
# Run it on an otherwise idle machine; results land in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
JMH_ARGS=${JMH_ARGS:-}
./mvnw -q -pl bench -am -DskipTests package
mkdir -p bench/results
echo "load before: $(cat /proc/loadavg)"
python3 bench/openblas_sgemm.py -o bench/results/numpy.json
java -version 2>&1 | head -1
java -jar bench/target/benchmarks.jar -rf json -rff bench/results/jmh-17.json $JMH_ARGS
runs=(--jmh "JDK 17=bench/results/jmh-17.json")
if [ -x "$JDK25/bin/java" ]; then
  "$JDK25/bin/java" -jar bench/target/benchmarks.jar -jvm "$JDK25/bin/java" -rf json -rff bench/results/jmh-25.json $JMH_ARGS
  runs+=(--jmh "JDK 25=bench/results/jmh-25.json")
fi
python3 bench/openblas_sgemm.py -o bench/results/numpy-after.json
echo "load after: $(cat /proc/loadavg)"
# Per-core efficiency, independent of how much of the machine other work took: CPU time, one thread.
OPENBLAS_NUM_THREADS=1 python3 bench/openblas_sgemm.py --cpu-time 256 512 1024 2048
java -Dcart.threads=1 --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.GemmCpuTime
[ -x "$JDK25/bin/java" ] && "$JDK25/bin/java" -Dcart.threads=1 --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.GemmCpuTime
python3 bench/report.py --numpy bench/results/numpy.json "${runs[@]}"
