#!/usr/bin/env python3
"""Drives the park benchmark against a running server (started by bench/run.sh). Standard library only.

Phases:
  scale   for each N: sipp parks N calls (*68<ext> over 101..108, Referred-By = ext) with music, holds them; over a
          steady window: server CPU % (/proc/<pid>/stat), RSS and threads (/proc/<pid>/status), RTP gap deviation
          and packets/s of the sampled streams (rtprecv.py); then the Java baseline (Baseline.java) at the same N.
  churn   500 calls parked with music (spread: extension slots 101..108; oneslot: all *58 by 101 -> park group Sales),
          then churn.py parks and retrieves at R/s through a slot (spread: *68109 / *88109 by 102; oneslot: *58 by
          102 / *88700 by 102, the same Sales slot).
  bridged (--bridged N, issue 17) bridged.py parks N callers (*58 -> Sales) and retrieves each (*88700 as 102);
          bridged_rtp.c streams RTP both ways through the server's relay (PCMU, or --codec opus retrievers): server
          CPU, added one-way latency (through the server minus socket to socket), packets/s per stream, loss.
"""
import argparse
import collections
import datetime
import json
import re
import os
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REC = struct.Struct("<HIHq")
CLK = os.sysconf("SC_CLK_TCK")


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])  # utime, stime


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                out["rss_mb"] = int(ln.split()[1]) / 1024
            elif ln.startswith("Threads:"):
                out["threads"] = int(ln.split()[1])
    return out


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]  # total, idle + iowait


class CpuWindow:
    """CPU % of one process over a window, and how busy the whole machine was (other engineers' tests too)."""

    def __init__(self, pid):
        self.pid, self.t, self.c = pid, time.monotonic(), cpu_ticks(pid)
        self.m = machine_ticks()
        self.wall0 = time.time()

    def pct(self):
        t1, i1 = machine_ticks()
        t0, i0 = self.m
        self.machine_busy = 100.0 * (1 - (i1 - i0) / max(1, t1 - t0)) * os.cpu_count()
        self.wall1 = time.time()
        with open("/proc/loadavg") as f:
            self.load1 = float(f.read().split()[0])
        return 100.0 * (cpu_ticks(self.pid) - self.c) / CLK / (time.monotonic() - self.t)


def thread_ticks(pid):
    """utime+stime per thread of pid: {tid: (name, ticks)}."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        parts = raw.rsplit(")", 1)[1].split()
        out[tid] = (name, int(parts[11]) + int(parts[12]))
    return out


def busiest_threads(before, after, secs, top=4, grouped=False):
    """The threads that used most CPU between two thread_ticks(): [(name, % of a core)]; grouped: the threads whose
    names differ only in digits (a pool) summed as one, the digits shown as N."""
    clk = os.sysconf("SC_CLK_TCK")
    d = collections.Counter()
    for t in after:
        name = re.sub(r"\d+", "N", after[t][0]) if grouped else after[t][0]
        d[name] += 100.0 * (after[t][1] - before.get(t, (None, 0))[1]) / clk / secs
    return sorted(d.items(), key=lambda x: -x[1])[:top]


def gc_pauses(path, t0, t1):
    """Pauses (from -Xlog:gc:file=...:time) that started inside [t0, t1] (epoch s): count, total and max ms, their
    share of the window, and the allocation rate: the heap grows only by allocation between two collections, so the
    sum over the window's collections of (heap before it - heap after the one before) over the time between the first
    and the last of them is the bytes allocated per second (G1's "120M->40M(512M)"; None for a log without them)."""
    pauses, heap, cpu = [], [], [0.0, 0.0]
    try:
        with open(path) as f:
            for ln in f:
                c = re.match(r"\[(\S+?)\]\s.*User=(\d+\.\d+)s Sys=(\d+\.\d+)s Real=(\d+\.\d+)s", ln)
                if c:  # -Xlog:gc+cpu: the collection's CPU (all GC threads) and wall time
                    ts = datetime.datetime.strptime(c.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                    if t0 <= ts <= t1:
                        cpu[0] += float(c.group(2)) + float(c.group(3))
                        cpu[1] += float(c.group(4))
                    continue
                m = re.match(r"\[(\S+?)\]\s.*Pause.*?(\d+\.\d+)ms", ln)
                if not m:
                    continue
                ts = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                h = re.search(r"(\d+)M->(\d+)M\(\d+M\)", ln)
                if h:
                    heap.append((ts, int(h.group(1)), int(h.group(2))))
                if t0 <= ts <= t1:
                    pauses.append(float(m.group(2)))
    except OSError:
        return None
    alloc = None
    inside = [i for i, (ts, _, _) in enumerate(heap) if t0 <= ts <= t1]
    if inside and inside[0] > 0 and heap[inside[-1]][0] > heap[inside[0] - 1][0]:
        grown = sum(max(0, heap[i][1] - heap[i - 1][2]) for i in inside)
        alloc = grown / (heap[inside[-1]][0] - heap[inside[0] - 1][0])
    return {"count": len(pauses), "total_ms": sum(pauses), "max_ms": max(pauses) if pauses else 0.0,
            "share_pct": 100.0 * sum(pauses) / 1000.0 / max(1e-9, t1 - t0), "alloc_mb_per_s": alloc,
            "gc_cpu_s": cpu[0], "gc_real_s": cpu[1]}


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def rtp_stats(path, t0_ns, t1_ns):
    """Per (port, ssrc) stream inside [t0, t1]: |gap - 20 ms| p99 over all, packets/s min, stream count."""
    streams = {}
    with open(path, "rb") as f:
        data = f.read()
    for port, ssrc, seq, ts in REC.iter_unpack(data[: len(data) - len(data) % REC.size]):
        if t0_ns <= ts <= t1_ns:
            streams.setdefault((port, ssrc), []).append(ts)
    devs, pps, maxgap = [], [], 0.0
    for ts in streams.values():
        ts.sort()
        gaps = [(b - a) / 1e6 for a, b in zip(ts, ts[1:])]
        devs += [abs(g - 20.0) for g in gaps]
        if gaps:
            maxgap = max(maxgap, max(gaps))
        dur = (ts[-1] - ts[0]) / 1e9
        if dur >= 1.0:
            pps.append((len(ts) - 1) / dur)
    return {"streams": len(streams), "dev_p50_ms": pct(devs, 50), "dev_p99_ms": pct(devs, 99),
            "max_gap_ms": maxgap, "pps_min": min(pps) if pps else None, "pps_max": max(pps) if pps else None}


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.procs = []
        with open(os.path.join(HERE, "park_uac.xml")) as f:
            self.scenario = f.read()

    def spawn(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()

    def sipp_park(self, tag, n, rate, hold_s, users, referrers, rtp_ports):
        """Starts sipp parking n calls; call i: INVITE users[i] with Referred-By referrers[i], SDP port rtp_ports[i]."""
        d = os.path.join(self.work, tag)
        os.makedirs(d, exist_ok=True)
        xml = os.path.join(d, "park.xml")
        with open(xml, "w") as f:
            f.write(self.scenario.replace("HOLD_MS", str(int(hold_s * 1000))))
        csv = os.path.join(d, "park.csv")
        with open(csv, "w") as f:
            f.write("SEQUENTIAL\n")
            for i in range(n):
                f.write("%s;%s;%d;\n" % (users[i], referrers[i], rtp_ports[i]))
        timeout = int(n / rate + hold_s + 30)
        cmd = ["sipp", "127.0.0.1:%d" % self.a.sip_port, "-sf", xml, "-inf", csv, "-i", "127.0.0.1",
               "-p", str(self.a.sipp_port), "-mp", str(self.a.sipp_port + 2), "-r", str(rate), "-m", str(n),
               "-l", str(n), "-nostdin", "-timeout", "%ds" % timeout, "-timeout_error", "-trace_stat",
               "-stf", os.path.join(d, "stat.csv"), "-fd", "1", "-trace_err",
               "-error_file", os.path.join(d, "errors.log"), "-max_recv_loops", "10000", "-max_sched_loops",
               "10000"]
        p = self.spawn(cmd, cwd=d, stdout=open(os.path.join(d, "sipp.out"), "w"), stderr=subprocess.STDOUT)
        return p, d, timeout

    def sipp_result(self, p, d, timeout):
        try:
            rc = p.wait(timeout + 10)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "killed"
        ok = failed = None
        try:
            with open(os.path.join(d, "stat.csv")) as f:
                rows = [r.rstrip("\n").split(";") for r in f if r.strip()]
            hdr, last = rows[0], rows[-1]
            ok = int(last[hdr.index("SuccessfulCall(C)")])
            failed = int(last[hdr.index("FailedCall(C)")])
        except (OSError, ValueError, IndexError) as e:
            log("no sipp stats in", d, e)
        return {"rc": rc, "ok": ok, "failed": failed}

    def rtp_ports(self, n):
        """The SDP port of each call: the sampled ones first, then the sinks round robin (several calls share a sink,
        told apart by SSRC; a port past the sinks would be nobody's, or worse the server's or sipp's own SIP port)."""
        s = self.a.samples
        return [self.a.sample_base + i if i < s else self.a.sink_base + (i - s) % self.a.sinks for i in range(n)]

    def scale(self, n):
        a = self.a
        rate = min(a.park_rate, max(10, n))
        ramp = n / rate
        window = a.window
        prof_secs = 10 if a.jstack and n >= 1000 else 0
        hold = ramp + 3 + window + (prof_secs + 6 if prof_secs else 0) + 2
        exts = [str(101 + i % 8) for i in range(n)]
        log("scale N=%d: parking at %d/s, hold %.0f s" % (n, rate, hold))
        before = status(a.pid)
        p, d, to = self.sipp_park("scale-%d" % n, n, rate, hold, ["*68" + e for e in exts], exts,
                                  self.rtp_ports(n))
        time.sleep(ramp + 3)
        w = CpuWindow(a.pid)
        t0 = time.time_ns()
        time.sleep(window)
        cpu = w.pct()
        t1 = time.time_ns()
        st = status(a.pid)
        # profile AFTER the window (jstack stops the JVM at a safepoint: never inside a measured window)
        prof = self.profile("scale-%d" % n, 0, prof_secs) if prof_secs else None
        res = {"n": n, "cpu_pct": cpu, "window_s": window, "machine_busy_pct": w.machine_busy, "load1": w.load1,
               "gc": gc_pauses(a.gc_log, w.wall0, w.wall1), "rss_before_mb": before.get("rss_mb"), **st}
        res["rtp"] = rtp_stats(a.rtp_log, t0, t1)
        res["profile"] = self.profile_result(prof)
        res["sipp"] = self.sipp_result(p, d, to)
        time.sleep(2)
        res["after_hangup"] = status(a.pid)
        res["baseline"] = self.baseline(n)
        log(json.dumps(res))
        return res

    def baseline(self, n):
        a = self.a
        secs = a.window + 3
        p = self.spawn(["java", "-Xmx64m", "-cp", a.baseline_cp, "Baseline", str(n), str(secs), "127.0.0.1",
                        str(a.sample_base), str(a.samples), str(a.sink_base), str(a.sinks)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        p.stdout.readline()  # "started"
        time.sleep(2)
        w = CpuWindow(p.pid)
        t0 = time.time_ns()
        time.sleep(a.window)
        cpu = w.pct()
        t1 = time.time_ns()
        st = status(p.pid)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
        return {"cpu_pct": cpu, "machine_busy_pct": w.machine_busy, "load1": w.load1, **st, "rtp": rtp_stats(a.rtp_log, t0, t1)}

    def churn(self, mode, rate, profiled=False, seconds=None):
        a = self.a
        n = a.churn_bg
        prate = min(a.park_rate, n)
        ramp = n / prate
        secs = seconds or a.churn_seconds
        hold = ramp + 2 + secs + a.retrieve_delay + 15
        if mode == "oneslot":
            users, refs = ["*58"] * n, ["101"] * n
            park_user, retr_user = "*58", "*88700"
        else:
            exts = [str(101 + i % 8) for i in range(n)]
            users, refs = ["*68" + e for e in exts], exts
            park_user, retr_user = "*68109", "*88109"
        log("churn %s %d/s over %d parked" % (mode, rate, n))
        p, d, to = self.sipp_park("churn-%s-%d" % (mode, rate), n, prate, hold, users, refs, self.rtp_ports(n))
        time.sleep(ramp + 2)
        w = CpuWindow(a.pid)
        th0, tt0 = thread_ticks(a.pid), time.monotonic()
        t0 = time.time_ns()
        prof = self.profile("churn-%s-%d" % (mode, rate), a.retrieve_delay + 1, secs - 2) if profiled else None
        out = self.run_churn(park_user, retr_user, rate, secs)
        t1 = time.time_ns()
        cpu = w.pct()
        threads = busiest_threads(th0, thread_ticks(a.pid), time.monotonic() - tt0, top=10, grouped=True)
        st = status(a.pid)
        try:
            res = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            res = {"error": out.stdout[-2000:] + out.stderr[-2000:]}
        res.update({"mode": mode, "background": n, "profiled": profiled, "cpu_pct": cpu, "machine_busy_pct": w.machine_busy, "load1": w.load1,
                    "gc": gc_pauses(a.gc_log, w.wall0, w.wall1), "server_busiest_threads": threads, **st})
        gc = res["gc"]
        res["alloc_kb_per_cycle"] = (gc["alloc_mb_per_s"] * 1024.0 / rate
                                     if gc and gc.get("alloc_mb_per_s") is not None else None)
        res["bg_rtp"] = rtp_stats(a.rtp_log, t0, t1)
        res["bg_sipp"] = self.sipp_result(p, d, to)
        res["profile"] = self.profile_result(prof)
        time.sleep(2)
        log(json.dumps(res))
        return res

    def run_churn(self, park_user, retr_user, rate, secs):
        a = self.a
        return subprocess.run([sys.executable, os.path.join(HERE, "churn.py"), "--server",
                               "127.0.0.1:%d" % a.sip_port, "--local-port", str(a.sipp_port + 10), "--rate",
                               str(rate), "--seconds", str(secs), "--park-user", park_user, "--parker",
                               "102", "--retrieve-user", retr_user, "--retriever", "102", "--retrieve-delay",
                               str(a.retrieve_delay), "--rtp-base", str(a.churn_rtp_base)],
                              capture_output=True, text=True, timeout=secs + 120)

    def warmup(self, max_seconds, chunk=20.0, quiet_pct=10.0):
        """Unmeasured churn (the modes in turn, at the lowest rate) in rounds of `chunk` s until the JIT compiler
        threads use less than `quiet_pct` % of a core in a round, or for at most `max_seconds`: a server a minute
        after its start still compiles (its compiler threads took 44-64 % of a core in the first churn phases,
        2026-12-07), and a measured phase should show the steady state, not the warm-up."""
        a = self.a
        modes = [m for m in a.modes.split(",") if m] or ["spread"]
        rate = min(int(x) for x in a.rates.split(",") if x)
        rounds, done = [], 0.0
        while done < max_seconds:
            mode = modes[len(rounds) % len(modes)]
            users = ("*58", "*88700") if mode == "oneslot" else ("*68109", "*88109")
            th0, t0 = thread_ticks(a.pid), time.monotonic()
            self.run_churn(users[0], users[1], rate, chunk)
            secs = time.monotonic() - t0
            comp = sum(v for name, v in busiest_threads(th0, thread_ticks(a.pid), secs, top=1000, grouped=True)
                       if "Compiler" in name)
            rounds.append(round(comp, 1))
            done += secs
            log("warm-up round %d (%s %d/s, %.0f s): compiler threads %.1f %% of a core" % (
                len(rounds), mode, rate, secs, comp))
            if comp < quiet_pct:
                break
            time.sleep(a.retrieve_delay + 2)
        return {"rate": rate, "seconds": round(done), "compiler_pct_per_round": rounds,
                "quiet": bool(rounds) and rounds[-1] < quiet_pct}

    def bridged(self, n):
        """Issue 17: n retrieved calls relaying RTP both ways (bridged.py + bridged_rtp.c); see BENCHMARKS.md."""
        a = self.a
        log("bridged N=%d codec %s" % (n, a.codec))
        cmd = [sys.executable, os.path.join(HERE, "bridged.py"), "--server", "127.0.0.1:%d" % a.sip_port,
               "--server-pid", str(a.pid), "--local-port", str(a.sipp_port + 20), "--n", str(n), "--codec", a.codec,
               "--window", str(a.window), "--tool", a.bridged_tool, "--share", str(a.bridged_share),
               "--opus-frames", a.opus_frames, "--gc-log", a.gc_log, "--pids-file", a.pids_file]
        p = self.spawn(cmd, stdout=subprocess.PIPE, text=True)
        if a.pids_file:
            with open(a.pids_file, "a") as f:
                f.write("%d\n" % p.pid)
        out, _ = p.communicate(timeout=n / 50 + a.window + 300)
        try:
            res = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            res = {"n": n, "codec": a.codec, "error": out[-2000:]}
        log(json.dumps(res))
        time.sleep(2)
        return res

    def profile(self, tag, delay, secs):
        """JFR execution samples of the server for secs (after delay) plus two jstack dumps, in the work dir."""
        path = os.path.join(self.work, "%s.jfr" % tag)
        cmd = ("sleep %f; jcmd %d JFR.start name=%s settings=profile duration=%ds filename=%s >/dev/null; "
               "sleep %f; jstack %d; sleep 1; jstack %d") % (delay, self.a.pid, tag, int(secs), path,
                                                           secs / 2, self.a.pid, self.a.pid)
        p = subprocess.Popen(["bash", "-c", cmd], stdout=open(os.path.join(self.work, "jstack-%s.txt" % tag), "w"),
                             stderr=subprocess.STDOUT)
        return p, path

    def profile_result(self, prof):
        if prof is None:
            return None
        p, path = prof
        p.wait(60)
        for _ in range(20):
            if os.path.exists(path):
                break
            time.sleep(0.5)
        time.sleep(1)
        try:
            sys.path.insert(0, HERE)
            import jfr_top
            return jfr_top.top(path)
        except Exception as e:  # a profile is a bonus, not a reason to lose the run
            return {"error": str(e)}

    def jstack(self, tag):
        path = os.path.join(self.work, "jstack-%s.txt" % tag)
        with open(path, "w") as f:
            for _ in range(2):
                subprocess.run(["jstack", str(self.a.pid)], stdout=f, stderr=subprocess.STDOUT, timeout=30)
                time.sleep(1)
        log("jstack samples in", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True, help="server JVM pid")
    ap.add_argument("--sip-port", type=int, required=True)
    ap.add_argument("--sipp-port", type=int, default=15070)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rtp-log", required=True)
    ap.add_argument("--sample-base", type=int, default=12000)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--sink-base", type=int, default=12100)
    ap.add_argument("--sinks", type=int, default=2500, help="sink sockets rtprecv.py binds from --sink-base")
    ap.add_argument("--churn-rtp-base", type=int, default=15100)
    ap.add_argument("--baseline-cp", required=True)
    ap.add_argument("--ns", default="100,500,1000,2000")
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--park-rate", type=int, default=200)
    ap.add_argument("--rates", default="50,100")
    ap.add_argument("--modes", default="spread,oneslot")
    ap.add_argument("--churn-bg", type=int, default=500)
    ap.add_argument("--churn-seconds", type=float, default=15)
    ap.add_argument("--warmup", type=float, default=240,
                    help="before the churn phases: unmeasured churn until the JIT compilers are quiet, at most this "
                    "many seconds (0: none)")
    ap.add_argument("--retrieve-delay", type=float, default=1.0)
    ap.add_argument("--no-profile", dest="jstack", action="store_false",
                    help="skip the JFR/jstack profiles (taken outside the measured windows)")
    ap.add_argument("--jstack-above", type=float, default=60)
    ap.add_argument("--gc-log", default="")
    ap.add_argument("--bridged", default="", help="bridged call counts (issue 17), e.g. 1000 or 500,1000; "
                    "empty: phase skipped")
    ap.add_argument("--codec", choices=("pcmu", "opus"), default="pcmu", help="the retrievers' codec (--bridged)")
    ap.add_argument("--bridged-share", type=int, default=8,
                    help="RTP sockets per side of the bridged tool (0: one per stream, as phones)")
    ap.add_argument("--bridged-tool", default="", help="compiled bench/bridged_rtp.c")
    ap.add_argument("--opus-frames", default="", help="OpusFrames.java output")
    ap.add_argument("--pids-file", default="", help="helper pids, for run.sh's trap")
    ap.add_argument("--out", required=True, help="JSON results file")
    a = ap.parse_args()
    b = Bench(a)
    results = {"started": datetime.datetime.now().isoformat(timespec="seconds"), "scale": [], "churn": [],
               "bridged": []}
    try:
        for n in [int(x) for x in a.ns.split(",") if x]:
            results["scale"].append(b.scale(n))
        if a.modes and a.warmup > 0:
            results["warmup"] = b.warmup(a.warmup)
        for mode in [m for m in a.modes.split(",") if m]:
            for r in [int(x) for x in a.rates.split(",") if x]:
                results["churn"].append(b.churn(mode, r))
        for n in [int(x) for x in a.bridged.split(",") if x]:
            results["bridged"].append(b.bridged(n))
        if a.jstack and a.modes:
            # one extra churn run with JFR + jstack, NOT used for the figures (jstack pauses the JVM)
            mode = a.modes.split(",")[-1]
            results["profiled_churn"] = b.churn(mode, max(int(x) for x in a.rates.split(",")), profiled=True,
                                                seconds=12)
    finally:
        b.stop_all()
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
