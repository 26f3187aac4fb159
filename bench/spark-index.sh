#!/usr/bin/env bash
# SparkIndex on local[2] beside the single-machine `cart index`, on the same synthetic corpus (bench/README.md,
# "Identifiers on Spark"). Prints wall time, rows/s and peak resident memory of each run, with the load average.
# Usage: bench/spark-index.sh N [DIM] [both|spark|cart]   (build first: ./mvnw -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:?items}; DIM=${2:-256}; WHICH=${3:-both}
OUT=${OUT:-/tmp/cart-spark-bench}
HEAP=${HEAP:-6g}
JARS=${JARS:-}  # a folder with copies of cart-engine.jar and cart-spark.jar, so a rebuild cannot change them mid-run
CART_JAR=${JARS:-cart/target}/cart-engine.jar
SPARK_JAR=${JARS:-spark/target}/cart-spark.jar
CP_FILE=spark/target/spark-classpath.txt
[ -s "$CP_FILE" ] || ./mvnw -q -pl spark dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
# Spark's own jars (provided scope) from the module's classpath; our code from the shaded jar.
SPARK_CP=$(tr ':' '\n' < "$CP_FILE" | grep -v /org/cartengine/ | paste -sd:)
OPENS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
 --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
 --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
 --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
 --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
run() { # name, command...
  local name=$1; shift
  echo "== $name  (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  local t0=$(date +%s.%N)
  /usr/bin/time -f "peak RSS %M KB, CPU user %U s + sys %S s" "$@" 2>&1 | grep -v "^\s*at \|WARN\|^$" | tail -40
  local t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$N" -v name="$name" 'BEGIN { printf "%s: %d items in %.1f s = %.0f rows/s\n", name, n, b - a, n / (b - a) }'
  echo "   (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
}
if [ "$WHICH" != cart ]; then
  rm -rf "$OUT/spark-$N"
  run "SparkIndex local[2]" java -Xmx"$HEAP" --add-modules=jdk.incubator.vector $OPENS -Dlog4j2.level=warn \
    -cp "$SPARK_JAR:$SPARK_CP" org.cartengine.spark.SparkIndex --master 'local[2]' \
    --synthetic "$N" --dim "$DIM" --out "$OUT/spark-$N" --local-max 0 ${SPARK_ARGS:-}
fi
if [ "$WHICH" != spark ]; then
  rm -rf "$OUT/cart-$N"
  run "cart index" java -Xmx"$HEAP" --add-modules=jdk.incubator.vector -jar "$CART_JAR" index \
    --synthetic "$N" --dim "$DIM" --out "$OUT/cart-$N"
fi
