#!/usr/bin/env bash
# spark-submit without a Spark installation: Spark's own submit entry point (org.apache.spark.deploy.SparkSubmit, the
# class that a distribution's bin/spark-submit starts) on the Spark jars this module resolves from Maven Central.
# Arguments are spark-submit's, e.g.
#   spark/submit.sh --master 'local[2]' --class org.cartengine.spark.SparkIndex spark/target/cart-spark.jar --synthetic 100000 --out /tmp/spark-index
# In local and client mode the driver is this JVM, so its heap and options come from here, not from --driver-memory or
# --driver-java-options: SPARK_DRIVER_HEAP (default 6g) and JAVA_OPTS. The --add-opens flags are those Spark 4 needs on
# Java 17 (a distribution's launcher adds the same).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cp_file="$root/spark/target/spark-classpath.txt"
[ -s "$cp_file" ] || (cd "$root" && ./mvnw -q -pl spark dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
# Spark's jars only: our code comes from the application jar that SparkSubmit adds to its class loader.
spark_cp=$(tr ':' '\n' < "$cp_file" | grep -v /org/cartengine/ | paste -sd:)
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
  java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
exec java -Xmx"${SPARK_DRIVER_HEAP:-6g}" --add-modules=jdk.incubator.vector "${opens[@]}" -Djdk.reflect.useDirectMethodHandle=false \
  -Dio.netty.tryReflectionSetAccessible=true ${JAVA_OPTS:-} -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit "$@"
