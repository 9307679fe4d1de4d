#!/usr/bin/env bash
# Park benchmark: figures, not a pass/fail test. See docs/BENCHMARKS.md.
#   bench/run.sh [--ns 100,500,1000,2000] [--window 20] [--rates 50,100] [--modes spread,oneslot]
#                [--churn-seconds 15] [--churn-bg 500] [--warmup 240] [--bridged 1000] [--codec pcmu|opus]
# BENCH_ASSEMBLY: the Karaf assembly to copy and run (default karaf-assembly/target/assembly).
# Needs: mvn -o -q install -DskipTests (karaf-assembly/target/assembly), sipp (sip-tester), python3, JDK 17; gcc for
# --bridged.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ASSEMBLY=${BENCH_ASSEMBLY:-$ROOT/karaf-assembly/target/assembly}
[ -x "$ASSEMBLY/bin/karaf" ] || { echo "no assembly: run mvn -o -q install -DskipTests first" >&2; exit 2; }
BASE=${BENCH_PORT_BASE:-15000}         # SIP = BASE+60, sipp = BASE+70.., churn UA = BASE+80, churn RTP = BASE+100..
SIP_PORT=$((BASE + 60))
RTP_MIN=${BENCH_RTP_MIN:-22000}; RTP_MAX=${BENCH_RTP_MAX:-31998}   # server legs; below the ephemeral range
SAMPLE_BASE=12000; SINK_BASE=12100; SINKS=2500
WORK=$(mktemp -d /tmp/callpark-bench.XXXXXX)
STAMP=$(date +%Y-%m-%d-%H%M)
mkdir -p "$ROOT/bench/results"
RESULT_JSON=$ROOT/bench/results/$STAMP.json
RESULT_MD=$ROOT/bench/results/$STAMP.md
KARAF_PID=; RECV_PID=; BENCH_PID=
PIDS_FILE=$WORK/helpers.pids   # bench.py's bridged.py and bridged_rtp write their pids here (for this trap)

cleanup() {
    set +e
    [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null
    [ -f "$PIDS_FILE" ] && while read -r p; do kill "$p" 2>/dev/null; done < "$PIDS_FILE"
    [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
    if [ -f "$WORK/karaf/karaf.pid" ]; then
        local p; p=$(cat "$WORK/karaf/karaf.pid")
        kill "$p" 2>/dev/null
        for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$p" 2>/dev/null
    fi
    [ -n "$KARAF_PID" ] && kill "$KARAF_PID" 2>/dev/null
    echo "work dir (logs, sipp traces, jstack): $WORK" >&2
}
trap cleanup EXIT INT TERM

# Each parked caller holds one or two descriptors (media-bundle README "Capacity"): take the hard limit, and say so.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files: soft $(ulimit -Sn), hard $(ulimit -Hn); RTP ports $RTP_MIN..$RTP_MAX;" \
    "RTCP sockets ${CALLPARK_MEDIA_RTCP_SOCKETS:-true}" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cp -a "$ASSEMBLY" "$WORK/karaf"
K=$WORK/karaf
sed -i "s/^sshPort *=.*/sshPort = $((BASE + 101 + 3000))/" $K/etc/org.apache.karaf.shell.cfg
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $((BASE + 181 + 3000))/" $K/etc/org.ops4j.pax.web.cfg
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $((BASE + 99 + 3000))/; s/^rmiServerPort *=.*/rmiServerPort = $((BASE + 444 + 3000))/" \
    $K/etc/org.apache.karaf.management.cfg
# Benchmark directory: the demo one, with recall timers far beyond the run (a parked call must not be recalled
# while it is measured).
sed -i -E 's/^(.*ringDuration *=).*/\1 3600/; s/^(.*waitBeforeRingGroup *=).*/\1 3600/' $K/etc/org.callpark.directory.cfg

if [ "${BENCH_DEBUG_SIP:-0}" = 1 ]; then  # diagnosis only: the B2bua's DEBUG lines cost CPU
    printf 'log4j2.logger.benchb2bua.name = org.callpark.internal.sip\nlog4j2.logger.benchb2bua.level = DEBUG\n' \
        >> $K/etc/org.ops4j.pax.logging.cfg
fi

javac -d "$WORK/classes" "$ROOT/bench/Baseline.java"
BRIDGED_ARGS=()
case " $* " in *" --bridged "*)
    # issue 17: the RTP endpoints in C (bench/bridged_rtp.c), Opus frames encoded once by libjitsi's own JNI
    gcc -O2 -Wall -o "$WORK/bridged_rtp" "$ROOT/bench/bridged_rtp.c" -lm
    OPUS_CP=$(find "$K/system/org/jitsi/libjitsi" "$K/system/org/jitsi/jitsi-utils" "$K/system/net/java/dev/jna/jna" \
        -name '*.jar' | tr '\n' ':')
    javac -d "$WORK/classes" "$ROOT/bench/OpusFrames.java"
    (cd "$WORK" && java -Djna.tmpdir="$WORK" -Djava.io.tmpdir="$WORK" -cp "$OPUS_CP$WORK/classes" OpusFrames \
        "$WORK/opus-frames.bin") >&2
    BRIDGED_ARGS=(--bridged-tool "$WORK/bridged_rtp" --opus-frames "$WORK/opus-frames.bin" --pids-file "$PIDS_FILE")
    ;;
esac

python3 "$ROOT/bench/rtprecv.py" --sample-base $SAMPLE_BASE --samples 50 --sink-base $SINK_BASE --sinks $SINKS \
    --out "$WORK/rtp.log" > "$WORK/recv.out" 2>&1 &
RECV_PID=$!

# BENCH_JAVA_OPTS: e.g. "-XX:+UseZGC" to compare collectors (ZGC logs its pauses under gc+phases)
GC_LOG_TAGS=gc,gc+cpu   # gc+cpu: each collection's CPU (User+Sys of all GC threads) against its wall time (Real)
case " ${BENCH_JAVA_OPTS:-} " in *UseZGC*) GC_LOG_TAGS="gc,gc+phases,gc+cpu" ;; esac
export EXTRA_JAVA_OPTS="-Xlog:$GC_LOG_TAGS:file=$WORK/gc.log:time ${BENCH_JAVA_OPTS:-}"
echo "JVM options added: ${BENCH_JAVA_OPTS:-(none)}" >&2
export CALLPARK_SIP_PORT=$SIP_PORT CALLPARK_SIP_TRANSPORTS=udp
# sipp parks up to 200 calls/s from one address (a trunk's load): no per-source limit of parks in progress
export CALLPARK_SIP_PARKS_IN_PROGRESS_PER_SOURCE=100000
# (no other per-source limit applies to a correct UA: authSourceMaxFailures/authUserMaxFailures count only failed
# digests; the bridged phase's retrieves all authenticate correctly)
export CALLPARK_CLUSTER_PORT=$((BASE + 701)) CALLPARK_CLUSTER_CLUSTER_NAME=bench-$$
export CALLPARK_MEDIA_RTP_PORT_MIN=$RTP_MIN CALLPARK_MEDIA_RTP_PORT_MAX=$RTP_MAX
(cd $K && exec bin/karaf server > "$WORK/karaf.out" 2>&1) &
KARAF_PID=$!
# wait for SIP OPTIONS (sipp's stock options scenario is not there: a small python UA)
python3 "$ROOT/bench/wait_sip.py" "$SIP_PORT" || { echo "server did not answer OPTIONS" >&2; exit 1; }
for _ in $(seq 1 20); do [ -f $K/karaf.pid ] && break; sleep 0.5; done
JVM_PID=$(cat $K/karaf.pid)
grep -q ready "$WORK/recv.out" || { echo "receiver did not start: $(cat "$WORK/recv.out")" >&2; exit 1; }
echo "server up: JVM pid $JVM_PID, SIP $SIP_PORT, work $WORK" >&2
sleep 5  # let the JIT and Hazelcast settle

# in the background + wait: a TERM/INT to this script then runs the trap at once (not after bench.py returns)
python3 "$ROOT/bench/bench.py" --pid "$JVM_PID" --sip-port $SIP_PORT --sipp-port $((BASE + 70)) --work "$WORK" \
    --rtp-log "$WORK/rtp.log" --sample-base $SAMPLE_BASE --sink-base $SINK_BASE --sinks $SINKS --churn-rtp-base $((BASE + 100)) \
    --baseline-cp "$WORK/classes" --gc-log "$WORK/gc.log" --out "$RESULT_JSON" "${BRIDGED_ARGS[@]}" "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
BENCH_PID=
python3 "$ROOT/bench/report.py" "$RESULT_JSON" --load-before "$LOAD_BEFORE" --load-after "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --commit "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!bench/results' || echo '+dirty')" \
    | tee "$RESULT_MD"
echo "results: $RESULT_MD $RESULT_JSON" >&2
