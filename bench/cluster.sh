#!/usr/bin/env bash
# Cluster benchmark: node loss (kill -9), park:drain and cross-node retrieve with two nodes on loopback. Figures, not a
# pass/fail test. See docs/BENCHMARKS.md ("Cluster: node loss, drain, cross-node retrieve").
#   bench/cluster.sh [--phases kill,drain,retrieve] [--calls 500] [--rate 50] [--samples 50]
#                    [--retrieve-rate 50] [--retrieve-seconds 8]
# Needs the built assembly (karaf-assembly/target/assembly, or CLUSTER_BENCH_ASSEMBLY=<dir>; CLUSTER_BENCH_LABEL names the
# code in the report), sipp (sip-tester), python3, JDK 17. About 5 minutes.
# Ports (loopback only; CLUSTER_BENCH_PORT_BASE, default 19000): SIP 19060/19062, Hazelcast 19701/19702, SSH 19101/19111,
# HTTP 19181/19191, RMI 19099/19109 + 19444/19454, sipp 19070/19071 (media 19200/19210), retriever UA 19080.
# RTP: node A 8200-9999, node B 10000-11999, callers 16600-17599, retrievers 17600-17999 (all below 32768).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ASSEMBLY=${CLUSTER_BENCH_ASSEMBLY:-$ROOT/karaf-assembly/target/assembly}  # another build (e.g. of a copy of the tree)
[ -x "$ASSEMBLY/bin/karaf" ] || { echo "no assembly: build karaf-assembly first" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp not found (Debian: sip-tester)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/callpark-cluster-bench.XXXXXX)
STAMP=$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$ROOT/bench/results"
RESULT_JSON=$ROOT/bench/results/cluster-$STAMP.json
RESULT_MD=$ROOT/bench/results/cluster-$STAMP.md
PY_PID=

# Ends what this run started, by pid only: the python driver, then everything it registered in $WORK/pids (sipp,
# receivers, bin/karaf wrappers and the Karaf JVMs), each checked against its command line first (no pid reuse).
cleanup() {
    set +e
    if [ -n "$PY_PID" ] && kill -0 "$PY_PID" 2>/dev/null; then
        kill -TERM "$PY_PID"
        for _ in $(seq 1 40); do kill -0 "$PY_PID" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$PY_PID" 2>/dev/null
    fi
    if [ -f "$WORK/pids" ]; then
        while read -r kind pid token; do
            [ -r "/proc/$pid/cmdline" ] || continue
            tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$token" || continue
            kill -KILL "$pid" 2>/dev/null && echo "cleanup: killed leftover $kind $pid" >&2
        done < "$WORK/pids"
    fi
    # keep the logs, traces and RTP logs, not ~1 GB of Karaf copies
    rm -rf "$WORK/snapshot" "$WORK"/*/system "$WORK"/*/lib "$WORK"/*/data/cache "$WORK"/*/data/kar
    echo "work dir (karaf logs, sipp traces, RTP logs): $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# One snapshot of the assembly for every node of every phase (a parallel rebuild must not change it under us), with
# the demo directory's recall timers set to an hour (no parked call may be recalled while it is measured).
cp -a "$ASSEMBLY" "$WORK/snapshot"
rm -rf "$WORK/snapshot/data" "$WORK/snapshot/karaf.pid"
mkdir -p "$WORK/snapshot/data"
sed -i -E 's/^(.*ringDuration *=).*/\1 3600/; s/^(.*waitBeforeRingGroup *=).*/\1 3600/' \
    "$WORK/snapshot/etc/org.callpark.directory.cfg"
PARK_JAR=$(ls "$WORK"/snapshot/system/org/callpark/org.callpark.park/*/org.callpark.park-*.jar | grep -v -- '-[a-z]*\.cfg' | head -1)
echo "park bundle: $(basename "$PARK_JAR"), $(stat -c %y "$PARK_JAR" | cut -d. -f1)" >&2

python3 "$ROOT/bench/cluster.py" --work "$WORK" --snapshot "$WORK/snapshot" --out "$RESULT_JSON" \
    --port-base "${CLUSTER_BENCH_PORT_BASE:-19000}" "$@" &
PY_PID=$!
wait "$PY_PID"
PY_PID=
COMMIT=${CLUSTER_BENCH_LABEL:-"$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!bench' ':!docs' || echo '+dirty')"}
{
    python3 "$ROOT/bench/cluster_report.py" "$RESULT_JSON" --commit "$COMMIT"
    echo "Load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg). Park bundle built $(stat -c %y "$PARK_JAR" | cut -d. -f1)."
} | tee "$RESULT_MD"
echo "results: $RESULT_MD $RESULT_JSON" >&2
