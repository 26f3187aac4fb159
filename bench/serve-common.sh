# Sourced by bench/serve-load.sh and bench/serve-profile.sh (from the repository root, after RUN, PORT and RERANK are
# set): the re-rank flag, the jars, the load generator, and `cart serve` started and awaited.
case "$RERANK" in on) SERVE_RERANK=--rerank ;; off) SERVE_RERANK=--no-rerank ;; *) echo "RERANK must be on or off, not $RERANK" >&2; exit 2 ;; esac
[ -f cart/target/cart-engine.jar ] && [ -f bench/target/benchmarks.jar ] || ./mvnw -q -pl bench -am -DskipTests package
LOAD="java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.ServeLoad"
echo "cpu: $(lscpu | sed -n 's/^Model name:[ \t]*//p'), $(nproc) cores, avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"

# start_server LOG [JVM options...]: `cart serve` on RUN in the background, SERVER its pid, killed on exit; returns once
# /api/health answers. Started with the Vector API module and CART_NO_RELAUNCH, so that SERVER is the JVM that serves
# (its CPU time is read, a JFR recording is of it).
start_server() {
  local log=$1
  shift
  CART_NO_RELAUNCH=1 java --add-modules=jdk.incubator.vector "$@" -jar "${JAR:-cart/target/cart-engine.jar}" serve --run "$RUN" "$SERVE_RERANK" --port "$PORT" > "$log" 2>&1 &
  SERVER=$!
  trap 'kill "$SERVER" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "the server did not start:"; cat "$log"; exit 1; }
}

# stop_server: SIGTERM, then wait for it.
stop_server() {
  kill -TERM "$SERVER"
  wait "$SERVER" || true
  trap - EXIT
}
