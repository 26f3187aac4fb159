#!/usr/bin/env bash
# http1.sh OPTS... : cart serve with JVM OPTS, 1 client, unseen queries, 15 s
set -euo pipefail
cd /work/main
RUN=/tmp/s43/run; PORT=18181; RERANK=on
source bench/serve-common.sh >/dev/null
start_server ${LOG:-/tmp/s43/server.log} "$@"
$LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients ${CLIENTS:-1} --warmup 8 --seconds 15 --fresh true 2>&1 | grep -E "^http|^cpu"
stop_server
