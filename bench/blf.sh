#!/usr/bin/env bash
# BLF fan-out benchmark: figures, not a pass/fail test. See docs/BENCHMARKS.md, "BLF fan-out".
#   bench/blf.sh [--subscribers 1000] [--rounds 5] [--sockets 8] [--subscribe-rate 500]
# Starts a copy of the assembly (karaf-assembly/target/assembly) on loopback ports 25500-25899 with 127.0.0.1 as a
# trusted proxy (no digest for the load client), runs bench/blf_fanout.py against it and stops it again.
# Needs: the assembly built (mvn -B -o package -pl karaf-assembly -am -DskipTests), python3, JDK 17.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ASSEMBLY=${BENCH_ASSEMBLY:-$ROOT/karaf-assembly/target/assembly}
[ -x "$ASSEMBLY/bin/karaf" ] || { echo "no assembly at $ASSEMBLY" >&2; exit 2; }
BASE=${BLF_BENCH_PORT_BASE:-25500}   # SIP BASE+60, Hazelcast BASE+61, clients BASE+200.., RTP BASE+300..BASE+399
SIP_PORT=$((BASE + 60))
WORK=$(mktemp -d /tmp/callpark-blf-bench.XXXXXX)
STAMP=$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/blf-$STAMP.json
KARAF_PID=

cleanup() {
    set +e
    if [ -f "$WORK/karaf/karaf.pid" ]; then
        local p; p=$(cat "$WORK/karaf/karaf.pid")
        kill "$p" 2>/dev/null
        for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$p" 2>/dev/null
    fi
    [ -n "$KARAF_PID" ] && kill "$KARAF_PID" 2>/dev/null
    echo "work dir (karaf.out, data/log): $WORK" >&2
}
trap cleanup EXIT INT TERM

cp -a "$ASSEMBLY" "$WORK/karaf"
K=$WORK/karaf
sed -i "s/^sshPort *=.*/sshPort = $((BASE + 1))/" $K/etc/org.apache.karaf.shell.cfg
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $((BASE + 81))/" $K/etc/org.ops4j.pax.web.cfg
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $((BASE + 99))/; s/^rmiServerPort *=.*/rmiServerPort = $((BASE + 44))/" \
    $K/etc/org.apache.karaf.management.cfg
# no recall while measuring
sed -i -E 's/^(.*ringDuration *=).*/\1 3600/; s/^(.*waitBeforeRingGroup *=).*/\1 3600/' $K/etc/org.callpark.directory.cfg

export CALLPARK_SIP_PORT=$SIP_PORT CALLPARK_SIP_TRANSPORTS=udp CALLPARK_SIP_TRUSTED_PROXIES=127.0.0.1
export CALLPARK_CLUSTER_PORT=$((BASE + 61)) CALLPARK_CLUSTER_CLUSTER_NAME=blf-bench-$$
export CALLPARK_MEDIA_RTP_PORT_MIN=$((BASE + 300)) CALLPARK_MEDIA_RTP_PORT_MAX=$((BASE + 399))
(cd $K && exec bin/karaf server > "$WORK/karaf.out" 2>&1) &
KARAF_PID=$!
python3 "$ROOT/bench/wait_sip.py" "$SIP_PORT" || { echo "server did not answer OPTIONS" >&2; exit 1; }
echo "server up: SIP $SIP_PORT, work $WORK" >&2
sleep 5  # let Hazelcast and the JIT settle
set +e
python3 "$ROOT/bench/blf_fanout.py" --server-port $SIP_PORT --base-port $((BASE + 200)) --out "$OUT" "$@"
RC=$?
set -e
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)" >&2
echo "results: $OUT" >&2
exit $RC
