#!/usr/bin/env python3
"""Cluster benchmark (started by bench/cluster.sh): two nodes of the built assembly on loopback, parked callers that
follow their call from node to node, figures for a node loss, a drain and cross-node retrieves. Standard library only.

Phases (each on a fresh two-node cluster A + B, both copied from one snapshot of the assembly):
  kill      sipp parks N callers at A (*68101..*68109, Referred-By the extension); once A and B both list N, A's JVM
            gets SIGKILL; measured from the kill to each caller's 200 to B's re-INVITE (sipp's message trace), and
            the music of the sampled callers (first packet from B's RTP range, packets/s from B afterwards).
  drain     sipp parks N callers at A; park:drain on A; measured: the command's time, the re-INVITE times, and the
            longest RTP inter-arrival gap of each sampled caller across the move (at the switch, both nodes sending,
            inside each node's stream).
  retrieve  N/2 callers parked at A on slots 101..104 and N/2 at B on 105..109; cluster_retrieve.py retrieves (after
            a warm-up at 10/s) at R/s, at B *88101..*88104 (calls parked at A) and at A *88105..*88109 (parked at
            B), digest 10x/pass10x; measured: authenticated INVITE -> 200 (p50/p99/max), per node and per second.
Everything it starts is registered in <work>/pids (kind, pid, a token of its command line) for cluster.sh's trap;
every wait is bounded.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RTP_REC = struct.Struct("<HHIHq")
TEN = 1_000_000_000


def log(*a):
    print("[cluster %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def r1(x):
    return None if x is None else round(x, 1)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


CLK = os.sysconf("SC_CLK_TCK")


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]  # total, idle + iowait


def proc_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])
    except (OSError, ValueError, IndexError):
        return None


class Window:
    """CPU over a measured window: the whole machine (% of all cores x 100) and given processes (% of one core)."""

    def __init__(self, pids):
        self.pids = dict(pids)
        self.t = time.monotonic()
        self.m = machine_ticks()
        self.p = {k: proc_ticks(v) if v else None for k, v in self.pids.items()}

    def end(self):
        dt = time.monotonic() - self.t
        t1, i1 = machine_ticks()
        t0, i0 = self.m
        out = {"seconds": round(dt, 1),
               "machine_busy_pct": round(100.0 * (1 - (i1 - i0) / max(1, t1 - t0)) * os.cpu_count(), 0)}
        for k, pid in self.pids.items():
            a, b = self.p.get(k), proc_ticks(pid) if pid else None
            out[k + "_cpu_pct"] = round(100.0 * (b - a) / CLK / dt, 0) if a is not None and b is not None else None
        return out


def top_processes(ours, seconds=1.0, n=6):
    """The busiest processes over `seconds` (pid, % of a core, command), flagging the ones this run started."""
    def snap():
        d = {}
        for e in os.listdir("/proc"):
            if e.isdigit():
                t = proc_ticks(int(e))
                if t is not None:
                    d[int(e)] = t
        return d
    a = snap()
    time.sleep(seconds)
    b = snap()
    rows = []
    for pid, t in b.items():
        if pid in a and t > a[pid]:
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            rows.append((round(100.0 * (t - a[pid]) / CLK / seconds), pid, cmd))
    rows.sort(reverse=True)
    return [{"pid": pid, "cpu_pct": c, "ours": any(tok in cmd for tok in ours), "cmd": cmd[:110]}
            for c, pid, cmd in rows[:n]]


class Registry:
    """<work>/pids: what this run started, for the trap in cluster.sh (kind pid token)."""

    def __init__(self, work):
        self.path = os.path.join(work, "pids")

    def add(self, kind, pid, token):
        with open(self.path, "a") as f:
            f.write("%s %d %s\n" % (kind, pid, token))


def wait_process(p, timeout):
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)


class Node:
    def __init__(self, a, name, snapshot, work, index, reg):
        self.a, self.name, self.reg = a, name, reg
        self.snapshot = snapshot
        self.home = os.path.join(work, name)
        self.index = index
        b = a.port_base
        self.sip = b + 60 + 2 * index
        self.hz = b + 701 + index
        self.ssh = b + 101 + 10 * index
        self.http = b + 181 + 10 * index
        self.rmi_reg = b + 99 + 10 * index
        self.rmi_srv = b + 444 + 10 * index
        self.rtp_min, self.rtp_max = [int(x) for x in (a.rtp_a if index == 0 else a.rtp_b).split("-")]
        self.wrapper = None
        self.jvm = None
        self.killed_at_ns = None

    @property
    def member(self):
        return "127.0.0.1:%d" % self.hz

    def owns_rtp(self, port):
        return self.rtp_min <= port <= self.rtp_max

    def prepare(self):
        if os.path.exists(self.home):
            shutil.rmtree(self.home)
        subprocess.run(["cp", "-a", self.snapshot, self.home], check=True, timeout=120)
        for rel, pats in (("etc/org.apache.karaf.shell.cfg", [(r"^sshPort\s*=.*$", "sshPort = %d" % self.ssh)]),
                          ("etc/org.ops4j.pax.web.cfg",
                           [(r"^org.osgi.service.http.port\s*=.*$", "org.osgi.service.http.port = %d" % self.http)]),
                          ("etc/org.apache.karaf.management.cfg",
                           [(r"^rmiRegistryPort\s*=.*$", "rmiRegistryPort = %d" % self.rmi_reg),
                            (r"^rmiServerPort\s*=.*$", "rmiServerPort = %d" % self.rmi_srv)])):
            path = os.path.join(self.home, rel)
            with open(path) as f:
                text = f.read()
            for pat, rep in pats:
                text2 = re.sub(pat, rep, text, flags=re.M)
                text = text2 if text2 != text else text + "\n" + rep + "\n"
            with open(path, "w") as f:
                f.write(text)

    def start(self, cluster_name, members):
        env = dict(os.environ)
        env.update({
            "CALLPARK_SIP_PORT": str(self.sip), "CALLPARK_SIP_TRANSPORTS": "udp",
            "CALLPARK_SIP_BIND_ADDRESS": "127.0.0.1", "CALLPARK_SIP_ADVERTISED_ADDRESS": "127.0.0.1",
            "CALLPARK_CLUSTER_PORT": str(self.hz), "CALLPARK_CLUSTER_PORT_AUTO_INCREMENT": "false",
            "CALLPARK_CLUSTER_CLUSTER_NAME": cluster_name, "CALLPARK_CLUSTER_MEMBERS": members,
            "CALLPARK_CLUSTER_BIND_ADDRESS": "127.0.0.1",
            "CALLPARK_MEDIA_RTP_PORT_MIN": str(self.rtp_min), "CALLPARK_MEDIA_RTP_PORT_MAX": str(self.rtp_max),
            "CALLPARK_MEDIA_BIND_ADDRESS": "127.0.0.1",
            # CLUSTER_BENCH_JAVA_OPTS: diagnosis only (e.g. a JFR recording); disturbs the figures
            "EXTRA_JAVA_OPTS": ("-Xlog:gc:file=%s:time " % os.path.join(self.home, "gc.log")
                                + os.environ.get("CLUSTER_BENCH_JAVA_OPTS", "").replace("@HOME@", self.home)).strip(),
        })
        self.wrapper = subprocess.Popen([os.path.join(self.home, "bin/karaf"), "server"], cwd=self.home, env=env,
                                        stdin=subprocess.DEVNULL, stdout=open(os.path.join(self.home, "karaf.out"),
                                                                              "w"), stderr=subprocess.STDOUT)
        self.reg.add("wrapper", self.wrapper.pid, self.home)
        self.jvm = None

    def jvm_pid(self):
        if self.jvm is None:
            try:
                with open(os.path.join(self.home, "karaf.pid")) as f:
                    s = f.read().strip()
                if s:
                    self.jvm = int(s)
                    self.reg.add("jvm", self.jvm, self.home)
            except (OSError, ValueError):
                pass
        return self.jvm

    def karaf_log(self):
        try:
            with open(os.path.join(self.home, "data/log/karaf.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cluster_size(self):
        sizes = re.findall(r"Members \{size:(\d+),", self.karaf_log())
        return int(sizes[-1]) if sizes else 0

    def options_ok(self, sock, n):
        cid = "cl-%d-%d@bench" % (n, time.time_ns())
        m = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\n"
             "Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag=%d\r\nTo: <sip:127.0.0.1>\r\nCall-ID: %s\r\n"
             "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (self.sip, sock.getsockname()[1], n, n, cid)
        sock.sendto(m.encode(), ("127.0.0.1", self.sip))
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            try:
                data = sock.recv(4096)
            except socket.timeout:
                return False
            if data.startswith(b"SIP/2.0 200") and cid.encode() in data:
                return True
        return False

    def shell(self, command, timeout=90):
        p = subprocess.Popen([os.path.join(self.home, "bin/client"), "-b", "-u", "karaf", "-p", "karaf", "-a",
                              str(self.ssh), "-r", "10", "-d", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=self.home)
        self.reg.add("client", p.pid, self.home)
        try:
            out, _ = p.communicate(command + "\n", timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
            raise
        return out

    def kill9(self):
        pid = self.jvm_pid()
        self.killed_at_ns = time.time_ns()
        os.kill(pid, signal.SIGKILL)
        return self.killed_at_ns

    def stop(self):
        pid = self.jvm_pid()
        if pid and alive(pid) and self.killed_at_ns is None:
            os.kill(pid, signal.SIGTERM)
            end = time.monotonic() + 15
            while alive(pid) and time.monotonic() < end:
                time.sleep(0.2)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self.wrapper is not None:
            wait_process(self.wrapper, 10)


def stop_nodes(nodes):
    """SIGTERM to every running JVM at once (so no node spends its shutdown taking over the other's calls), SIGKILL
    after 15 s; returns the time (epoch ns) the teardown began: log lines after it are not the benchmark's."""
    t = time.time_ns()
    pids = []
    for n in nodes:
        pid = n.jvm_pid()
        if pid and alive(pid) and n.killed_at_ns is None:
            os.kill(pid, signal.SIGTERM)
            pids.append(pid)
    end = time.monotonic() + 15
    while any(alive(p) for p in pids) and time.monotonic() < end:
        time.sleep(0.2)
    for p in pids:
        if alive(p):
            os.kill(p, signal.SIGKILL)
    for n in nodes:
        if n.wrapper is not None:
            wait_process(n.wrapper, 10)
    return t


def start_cluster(a, phase, snapshot, work, reg):
    cluster_name = "cluster-bench-%d-%s" % (os.getpid(), phase)
    nodes = [Node(a, "%s-%s" % (phase, n), snapshot, work, i, reg) for i, n in enumerate(("A", "B"))]
    members = ",".join(n.member for n in nodes)
    t0 = time.monotonic()
    for n in nodes:
        n.prepare()
    for n in nodes:
        n.start(cluster_name, members)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    pending = list(nodes)
    k = 0
    end = time.monotonic() + a.start_timeout
    while pending and time.monotonic() < end:
        for n in list(pending):
            k += 1
            n.jvm_pid()
            if n.wrapper.poll() is not None and not (n.jvm and alive(n.jvm)):
                raise RuntimeError("%s exited: see %s/karaf.out" % (n.name, n.home))
            if n.options_ok(sock, k):
                pending.remove(n)
        time.sleep(0.3)
    sock.close()
    if pending:
        raise RuntimeError("no SIP OPTIONS answer from %s within %d s" % ([n.name for n in pending],
                                                                           a.start_timeout))
    while time.monotonic() < end and any(n.cluster_size() != 2 for n in nodes):
        time.sleep(0.3)
    sizes = [n.cluster_size() for n in nodes]
    if sizes != [2, 2]:
        raise RuntimeError("the nodes logged cluster sizes %s, not 2" % sizes)
    for n in nodes:
        n.jvm_pid()
    took = time.monotonic() - t0
    log("%s: cluster of 2 up after %.0f s (A SIP %d RTP %d-%d, B SIP %d RTP %d-%d)" % (
        phase, took, nodes[0].sip, nodes[0].rtp_min, nodes[0].rtp_max, nodes[1].sip, nodes[1].rtp_min,
        nodes[1].rtp_max))
    time.sleep(a.settle)
    return nodes, took


# ----------------------------------------------------------------------------------------------------- callers

class Callers:
    """One sipp run of parked callers (cluster_caller.xml) at one node."""

    def __init__(self, a, tag, work, reg, node, local_port, media_port, entries, rate):
        self.dir = os.path.join(work, tag)
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(HERE, "cluster_caller.xml")) as f:
            xml = f.read().replace("BYE_WAIT_MS", str(3_600_000))
        self.xml = os.path.join(self.dir, "caller.xml")
        with open(self.xml, "w") as f:
            f.write(xml)
        csv = os.path.join(self.dir, "callers.csv")
        with open(csv, "w") as f:
            f.write("SEQUENTIAL\n")
            for e in entries:
                f.write("%s;%s;%d;%s;\n" % e)
        self.entries = entries
        self.trace = os.path.join(self.dir, "messages.log")
        cmd = ["sipp", "127.0.0.1:%d" % node.sip, "-sf", self.xml, "-inf", csv, "-i", "127.0.0.1",
               "-p", str(local_port), "-mp", str(media_port), "-r", str(rate), "-m", str(len(entries)),
               "-l", str(len(entries)), "-nostdin", "-timeout", "%ds" % a.sipp_timeout, "-buff_size", "4194304",
               "-trace_msg", "-message_file", self.trace, "-trace_err", "-error_file",
               os.path.join(self.dir, "errors.log"), "-trace_stat", "-stf", os.path.join(self.dir, "stat.csv"),
               "-fd", "1", "-max_recv_loops", "10000", "-max_sched_loops", "10000"]
        self.p = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                  stdout=open(os.path.join(self.dir, "sipp.out"), "w"), stderr=subprocess.STDOUT)
        reg.add("sipp", self.p.pid, self.dir)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        wait_process(self.p, 5)

    def stats(self):
        try:
            with open(os.path.join(self.dir, "stat.csv")) as f:
                rows = [r.rstrip("\n").split(";") for r in f if r.strip()]
            hdr, last = rows[0], rows[-1]
            return {k: int(last[hdr.index(k)]) for k in ("SuccessfulCall(C)", "FailedCall(C)", "CurrentCall")}
        except (OSError, ValueError, IndexError):
            return {}


def sample_ports(a):
    """The RTP ports of every (calls / samples)-th caller: spread over the order they were parked (and taken over)."""
    step = max(1, a.calls // max(1, a.samples))
    return [a.caller_rtp_base + 2 * i for i in range(0, a.calls, step)][:a.samples]


def caller_entries(n, slots, prefix, rtp_base, first=0):
    """n callers on the slots in turn: (*68<slot>, referrer = slot, RTP port, number)."""
    out = []
    for i in range(n):
        slot = slots[i % len(slots)]
        out.append(("*68%s" % slot, slot, rtp_base + 2 * (first + i), "%s%04d" % (prefix, first + i)))
    return out


TRACE_ENTRY = re.compile(r"^-+ (\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})\.(\d+)\s*\n\s*UDP message (sent|received)"
                         r"[^\n]*\n(.*?)(?=^-+ \d{4}-\d{2}-\d{2}\s|\Z)", re.S | re.M)


def header(msg, name):
    m = re.search(r"^\s*%s\s*:\s*(.*?)\s*$" % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else ""


def read_trace(path):
    """Per Call-ID: initial RTP port/number, park 200 time, re-INVITEs (cseq -> rx time, Via port), our 200s to
    them (cseq -> first tx time), their ACKs (cseq -> rx time), BYE rx time. Times in epoch ns."""
    calls = {}
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return calls
    for m in TRACE_ENTRY.finditer(text):
        dt = datetime.datetime.strptime("%s %s" % (m.group(1), m.group(2)), "%Y-%m-%d %H:%M:%S")
        ns = int(dt.timestamp()) * TEN + int((m.group(3) + "000000000")[:9])
        direction = m.group(4)
        msg = m.group(5).strip("\r\n ")
        first = msg.split("\n", 1)[0].strip()
        cid = header(msg, "Call-ID")
        cseq = header(msg, "CSeq").split()
        if len(cseq) != 2 or not cid:
            continue
        num, method = int(cseq[0]), cseq[1]
        c = calls.setdefault(cid, {"reinv": {}, "ok": {}, "ack": {}, "bye": None, "parked": None, "port": None,
                                   "number": None, "via": {}})
        if direction == "sent":
            if first.startswith("INVITE ") and num == 1 and c["port"] is None:
                pm = re.search(r"^\s*m=audio (\d+)", msg, re.M)
                c["port"] = int(pm.group(1)) if pm else None
                fm = re.search(r"sip:([^@;>]+)@", header(msg, "From"))
                c["number"] = fm.group(1) if fm else None
            elif first.startswith("SIP/2.0 200") and method == "INVITE":
                c["ok"].setdefault(num, ns)  # our answer to a re-INVITE (the server's own CSeq space)
        else:
            if first.startswith("SIP/2.0 200") and method == "INVITE":
                if c["parked"] is None:  # the answer to our INVITE
                    c["parked"] = ns
            elif first.startswith("INVITE "):
                if num not in c["reinv"]:
                    c["reinv"][num] = ns
                    vm = re.search(r"SIP/2.0/UDP [0-9.]+:(\d+)", header(msg, "Via"))
                    c["via"][num] = int(vm.group(1)) if vm else None
            elif first.startswith("ACK "):
                c["ack"].setdefault(num, ns)
            elif first.startswith("BYE "):
                if c["bye"] is None:
                    c["bye"] = ns
    return calls


def count_moves(trace, via_port):
    """Callers that answered a re-INVITE from the node with SIP port via_port (200 sent and ACK received)."""
    n = 0
    for c in read_trace(trace).values():
        if any(c["via"].get(k) == via_port and k in c["ack"] for k in c["reinv"]):
            n += 1
    return n


# ----------------------------------------------------------------------------------------------------- RTP

class Receiver:
    def __init__(self, a, work, reg, tag, sample_ports):
        self.path = os.path.join(work, "%s-rtp.bin" % tag)
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "cluster_rtp.py"), "--base",
                                   str(a.caller_rtp_base), "--count", str(2 * a.calls), "--sample",
                                   ",".join(str(p) for p in sample_ports), "--out", self.path, "--max-seconds",
                                   "900"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        reg.add("receiver", self.p.pid, "cluster_rtp.py")
        line = self.p.stdout.readline()
        if "ready" not in line:
            raise RuntimeError("RTP receiver did not start: %s" % line)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        wait_process(self.p, 10)

    def packets(self):
        """port -> list of (ts_ns, source port, ssrc, seq), in arrival order."""
        out = {}
        with open(self.path, "rb") as f:
            data = f.read()
        for port, src, ssrc, seq, ts in RTP_REC.iter_unpack(data[: len(data) - len(data) % RTP_REC.size]):
            out.setdefault(port, []).append((ts, src, ssrc, seq))
        return out


def longest_gap_ms(pkts, t0, t1):
    prev, mx = t0, 0
    for ts, *_ in pkts:
        if ts < t0 or ts > t1:
            continue
        mx = max(mx, ts - prev)
        prev = ts
    mx = max(mx, t1 - prev)
    return mx / 1e6


# ----------------------------------------------------------------------------------------------------- phases

def listed(node, prefix):
    """park:list at node: rows of our callers, and how many per Node column value."""
    out = node.shell("park:list")
    rows = [ln for ln in out.splitlines() if prefix in ln]
    per = {}
    for ln in rows:
        cells = [c.strip() for c in ln.split("|")]
        per[cells[-1]] = per.get(cells[-1], 0) + 1
    return len(rows), per, out


def wait_listed(nodes, prefix, n, timeout):
    end = time.monotonic() + timeout
    counts = {}
    for node in nodes:
        while True:
            c, per, _ = listed(node, prefix)
            counts[node.name] = c
            if c >= n or time.monotonic() > end:
                break
            time.sleep(1)
    log("listed: %s" % counts)
    return counts


def wait_parked(callers_list, n, timeout):
    """Bounded wait until the sipp trace shows n parked (200 to the first INVITE)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = sum(sum(1 for c in read_trace(cl.trace).values() if c["parked"]) for cl in callers_list)
        if got >= n:
            return got
        time.sleep(1)
    return got


def wait_moves(callers, via_port, n, timeout):
    end = time.monotonic() + timeout
    got = 0
    while time.monotonic() < end:
        got = count_moves(callers.trace, via_port)
        if got >= n:
            break
        time.sleep(0.5)
    return got


def karaf_findings(node, until_ns):
    """WARN/ERROR lines of a node's karaf.log before until_ns (the teardown), grouped (numbers and ids blanked), and
    notable lines."""
    groups = {}
    notable = []
    counts = {}
    for ln in node.karaf_log().splitlines():
        t = log_time_ns(ln)
        if t is not None and t >= until_ns:
            break
        parts = [p.strip() for p in ln.split("|", 5)]
        if len(parts) < 6:
            continue
        level, logger, msg = parts[1], parts[3], parts[5]
        for key, pat in (("took_over", r"^Took over parked call"), ("could_not_take_over", r"^Could not take over"),
                         ("could_not_move", r"^Could not move call"), ("journal_write_failed",
                                                                       r"^Cannot write the SIP journal")):
            if re.search(pat, msg):
                counts[key] = counts.get(key, 0) + 1
        if re.search(r"left: taking over|Draining:|Drained:", msg):
            if len(notable) < 12:
                notable.append(ln[:300])
        if level not in ("WARN", "ERROR"):
            continue
        key = "%s %s %s" % (level, logger, re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27,}|\d+", "#", msg)[:160])
        g = groups.setdefault(key, {"count": 0, "first": ln[:400]})
        g["count"] += 1
    top = sorted(groups.items(), key=lambda kv: -kv[1]["count"])[:10]
    return {"warn_error_groups": [{"key": k, "count": v["count"], "example": v["first"]} for k, v in top],
            "notable": notable, "counts": counts}


def log_time_ns(line):
    m = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}),(\d{3})", line)
    if not m:
        return None
    return int(datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").timestamp()) * TEN + \
        int(m.group(2)) * 1_000_000


def first_log(node, pattern):
    for ln in node.karaf_log().splitlines():
        if re.search(pattern, ln):
            return ln
    return None


def phase_kill(a, snapshot, work, reg):
    res = {"phase": "kill", "calls": a.calls, "park_rate": a.rate, "load_before": loadavg()}
    nodes, res["cluster_start_s"] = start_cluster(a, "kill", snapshot, work, reg)
    A, B = nodes
    procs = []
    try:
        sample = sample_ports(a)
        rx = Receiver(a, work, reg, "kill", sample)
        procs.append(rx)
        prefix = "+49301"
        callers = Callers(a, "kill-callers", work, reg, A, a.port_base + 70, a.port_base + 200,
                          caller_entries(a.calls, [str(s) for s in range(101, 110)], prefix, a.caller_rtp_base),
                          a.rate)
        procs.append(callers)
        t_park = time.time_ns()
        res["parked_in_trace"] = wait_parked([callers], a.calls, a.calls / a.rate + 30)
        res["park_s"] = (time.time_ns() - t_park) / TEN
        res["listed_before"] = wait_listed([B, A], prefix, a.calls, 90)
        time.sleep(1)
        res["top_processes_before"] = top_processes([work, "cluster_rtp.py", "sipp"])
        res["load_at_kill"] = loadavg()
        win = Window({"B": B.jvm_pid(), "A": A.jvm_pid()})
        t_kill = A.kill9()
        log("kill: A (JVM %d) killed" % A.jvm)
        got = wait_moves(callers, B.sip, a.calls, a.recovery_timeout)
        log("kill: %d of %d callers answered B's re-INVITE" % (got, a.calls))
        time.sleep(3)  # music from B at the sampled callers
        t_end = time.time_ns()
        res["window"] = win.end()
        res["load_after"] = loadavg()
        n, per, text = listed(B, prefix)
        res["listed_at_B_after"] = {"rows": n, "by_node": per}
        with open(os.path.join(work, "kill-list-B.txt"), "w") as f:
            f.write(text)
    finally:
        for p in procs[::-1]:
            p.stop()
        t_down = stop_nodes(nodes)
    calls = read_trace(callers.trace)
    res["sipp"] = callers.stats()
    res["parked"] = sum(1 for c in calls.values() if c["parked"])
    delays, reinv_delays, from_other = [], [], 0
    for c in calls.values():
        oks = sorted((k, t) for k, t in c["ok"].items() if c["via"].get(k) == B.sip and t >= t_kill)
        if oks:
            delays.append((oks[0][1] - t_kill) / 1e6)
            reinv_delays.append((c["reinv"][oks[0][0]] - t_kill) / 1e6)
        if any(v not in (B.sip, None) for v in c["via"].values()):
            from_other += 1
    res["rehomed"] = len(delays)
    res["kill_to_200_ms"] = {"n": len(delays), "min": r1(min(delays) if delays else None), "p50": r1(pct(delays, 50)),
                             "p90": r1(pct(delays, 90)), "p99": r1(pct(delays, 99)),
                             "max": r1(max(delays) if delays else None)}
    res["kill_to_reinvite_ms"] = {"min": r1(min(reinv_delays) if reinv_delays else None),
                                  "p50": r1(pct(reinv_delays, 50)), "max": r1(max(reinv_delays) if reinv_delays
                                                                              else None)}
    hist = {}
    for d in delays:
        b = int(d // 1000)
        hist["%d-%d s" % (b, b + 1)] = hist.get("%d-%d s" % (b, b + 1), 0) + 1
    res["kill_to_200_histogram"] = dict(sorted(hist.items(), key=lambda kv: int(kv[0].split("-")[0])))
    res["reinvites_not_from_B"] = from_other
    res["callers_got_bye"] = sum(1 for c in calls.values() if c["bye"])
    # music
    pk = rx.packets()
    music = []
    ok_by_port = {}
    for c in calls.values():
        oks = sorted((k, t) for k, t in c["ok"].items() if c["via"].get(k) == B.sip and t >= t_kill)
        if oks and c["port"] is not None:
            ok_by_port[c["port"]] = oks[0][1]
    for port in sample:
        ps = pk.get(port, [])
        from_b = [p for p in ps if B.owns_rtp(p[1]) and p[0] >= t_kill]
        last_a = max((p[0] for p in ps if A.owns_rtp(p[1])), default=None)
        first_b = from_b[0][0] if from_b else None
        tail = [p for p in from_b if t_end - 2 * TEN <= p[0] < t_end]
        t200 = ok_by_port.get(port)
        music.append({"port": port, "first_from_B_ms": r1((first_b - t_kill) / 1e6) if first_b else None,
                      "first_from_B_after_200_ms": r1((first_b - t200) / 1e6) if first_b and t200 else None,
                      "silence_ms": r1((first_b - last_a) / 1e6) if first_b and last_a else None,
                      "last_from_A_ms": r1((last_a - t_kill) / 1e6) if last_a else None,
                      "pps_from_B_last_2s": round(len(tail) / 2.0, 1)})
    ok = [m for m in music if m["first_from_B_ms"] is not None]
    res["music_per_caller"] = music
    res["music"] = {"sampled": len(music), "with_music_from_B": len(ok),
                    "first_packet_from_B_ms_p50": r1(pct([m["first_from_B_ms"] for m in ok], 50)),
                    "first_packet_from_B_ms_max": r1(max((m["first_from_B_ms"] for m in ok), default=None)),
                    "pps_from_B_last_2s_min": min((m["pps_from_B_last_2s"] for m in music), default=None),
                    "pps_from_B_last_2s_max": max((m["pps_from_B_last_2s"] for m in music), default=None),
                    "first_packet_from_B_after_200_ms_p50": r1(pct([m["first_from_B_after_200_ms"] for m in ok
                                                                    if m["first_from_B_after_200_ms"] is not None],
                                                                   50)),
                    "silence_ms_p50": r1(pct([m["silence_ms"] for m in ok if m["silence_ms"] is not None], 50)),
                    "silence_ms_max": r1(max((m["silence_ms"] for m in ok if m["silence_ms"] is not None),
                                             default=None)),
                    "last_packet_from_A_ms_max": r1(max((m["last_from_A_ms"] for m in music
                                                         if m["last_from_A_ms"] is not None), default=None))}
    left = first_log(B, r"left: taking over")
    res["B_noticed_A_left_ms"] = r1((log_time_ns(left) - t_kill) / 1e6) if left else None
    res["karaf_B"] = karaf_findings(B, t_down)
    res["karaf_A"] = karaf_findings(A, t_down)
    res["work"] = work
    return res


def phase_drain(a, snapshot, work, reg):
    res = {"phase": "drain", "calls": a.calls, "park_rate": a.rate, "load_before": loadavg()}
    nodes, res["cluster_start_s"] = start_cluster(a, "drain", snapshot, work, reg)
    A, B = nodes
    procs = []
    try:
        sample = sample_ports(a)
        rx = Receiver(a, work, reg, "drain", sample)
        procs.append(rx)
        prefix = "+49302"
        callers = Callers(a, "drain-callers", work, reg, A, a.port_base + 70, a.port_base + 200,
                          caller_entries(a.calls, [str(s) for s in range(101, 110)], prefix, a.caller_rtp_base),
                          a.rate)
        procs.append(callers)
        res["parked_in_trace"] = wait_parked([callers], a.calls, a.calls / a.rate + 30)
        res["listed_before"] = wait_listed([B, A], prefix, a.calls, 90)
        time.sleep(1)
        res["top_processes_before"] = top_processes([work, "cluster_rtp.py", "sipp"])
        res["load_at_drain"] = loadavg()
        win = Window({"A": A.jvm_pid(), "B": B.jvm_pid()})
        t0 = time.time_ns()
        out = A.shell("park:drain -t 120", timeout=180)
        t1 = time.time_ns()
        res["drain_output"] = out.strip()[-300:]
        res["drain_command_s"] = round((t1 - t0) / 1e9, 2)
        log("drain: park:drain returned after %.1f s: %s" % ((t1 - t0) / 1e9, out.strip()[-120:]))
        got = wait_moves(callers, B.sip, a.calls, 30)
        log("drain: %d of %d callers answered B's re-INVITE" % (got, a.calls))
        time.sleep(2)
        t_end = time.time_ns()
        res["window"] = win.end()
        res["load_after"] = loadavg()
        n, per, text = listed(A, prefix)
        res["listed_at_A_after"] = {"rows": n, "by_node": per}
        with open(os.path.join(work, "drain-list-A.txt"), "w") as f:
            f.write(text)
    finally:
        for p in procs[::-1]:
            p.stop()
        t_down = stop_nodes(nodes)
    calls = read_trace(callers.trace)
    res["sipp"] = callers.stats()
    res["parked"] = sum(1 for c in calls.values() if c["parked"])
    rx_t, ok_t, by_port = [], [], {}
    for c in calls.values():
        oks = sorted((k, t) for k, t in c["ok"].items() if c["via"].get(k) == B.sip and t >= t0)
        if oks:
            ok_t.append(oks[0][1])
            rx_t.append(c["reinv"][oks[0][0]])
            by_port[c["port"]] = (c["reinv"][oks[0][0]], oks[0][1], c["ack"].get(oks[0][0]))
    res["moved"] = len(ok_t)
    res["reinvites_per_caller_max"] = max((len(c["reinv"]) for c in calls.values()), default=0)
    res["callers_got_bye"] = sum(1 for c in calls.values() if c["bye"])
    drain_line = first_log(A, r"Draining: asked")
    t_srv = log_time_ns(drain_line) if drain_line else None
    if ok_t:
        res["first_reinvite_ms"] = r1((min(rx_t) - t0) / 1e6)
        res["last_200_ms"] = r1((max(ok_t) - t0) / 1e6)
        res["span_first_reinvite_to_last_200_ms"] = r1((max(ok_t) - min(rx_t)) / 1e6)
        res["server_drain_logged_ms"] = r1((t_srv - t0) / 1e6) if t_srv else None
    done_line = first_log(A, r"Drained: ")
    if drain_line and done_line:
        res["server_drain_asked_to_drained_ms"] = r1((log_time_ns(done_line) - t_srv) / 1e6)
    # audio gaps
    pk = rx.packets()
    per = []
    for port in sample:
        ps = pk.get(port, [])
        mv = by_port.get(port)
        g = longest_gap_ms(ps, t0 - TEN, t_end - TEN // 2)
        last_a = max((p[0] for p in ps if A.owns_rtp(p[1])), default=None)
        first_b = min((p[0] for p in ps if B.owns_rtp(p[1])), default=None)
        both = [p for p in ps if first_b and last_a and first_b <= p[0] <= last_a]
        a_before = max((p[0] for p in ps if A.owns_rtp(p[1]) and first_b and p[0] <= first_b), default=None)
        in_a = [p for p in ps if A.owns_rtp(p[1]) and t0 - TEN <= p[0] <= t_end - TEN // 2]
        in_b = [p for p in ps if B.owns_rtp(p[1]) and t0 - TEN <= p[0] <= t_end - TEN // 2]
        per.append({"port": port, "longest_gap_ms": r1(g),
                    "switch_gap_ms": r1((first_b - a_before) / 1e6) if first_b and a_before else None,
                    "overlap_ms": r1(max(0, last_a - first_b) / 1e6) if first_b and last_a else None,
                    "longest_gap_in_A_stream_ms": r1(longest_gap_ms(in_a, in_a[0][0], in_a[-1][0])
                                                     if len(in_a) > 1 else None),
                    "longest_gap_in_B_stream_ms": r1(longest_gap_ms(in_b, in_b[0][0], in_b[-1][0])
                                                     if len(in_b) > 1 else None),
                    "switch_ms": r1((first_b - last_a) / 1e6) if (first_b and last_a) else None,
                    "overlap_packets": len(both),
                    "reinvite_ms": r1((mv[0] - t0) / 1e6) if mv else None,
                    "ack_ms": r1((mv[2] - t0) / 1e6) if mv and mv[2] else None,
                    "first_from_B_ms": r1((first_b - t0) / 1e6) if first_b else None,
                    "last_from_A_ms": r1((last_a - t0) / 1e6) if last_a else None})
    gaps = [p["longest_gap_ms"] for p in per]
    res["gap"] = {"sampled": len(per), "p50": r1(pct(gaps, 50)), "p90": r1(pct(gaps, 90)),
                  "max": r1(max(gaps) if gaps else None), "over_200ms": sum(1 for x in gaps if x > 200),
                  "callers_with_overlap": sum(1 for p in per if p["overlap_packets"] > 0),
                  "switch_ms_p50": r1(pct([p["switch_ms"] for p in per if p["switch_ms"] is not None], 50))}
    for key in ("switch_gap_ms", "overlap_ms", "longest_gap_in_A_stream_ms", "longest_gap_in_B_stream_ms"):
        vals = [p[key] for p in per if p[key] is not None]
        res["gap"][key] = {"p50": r1(pct(vals, 50)), "max": r1(max(vals) if vals else None)}
    res["gap_worst"] = sorted(per, key=lambda p: -p["longest_gap_ms"])[:5]
    res["karaf_A"] = karaf_findings(A, t_down)
    res["karaf_B"] = karaf_findings(B, t_down)
    res["work"] = work
    return res


def phase_retrieve(a, snapshot, work, reg):
    res = {"phase": "retrieve", "calls": a.calls, "rate": a.retrieve_rate, "seconds": a.retrieve_seconds,
           "load_before": loadavg()}
    nodes, res["cluster_start_s"] = start_cluster(a, "retrieve", snapshot, work, reg)
    A, B = nodes
    procs = []
    half = a.calls // 2
    a_slots = ["101", "102", "103", "104"]
    b_slots = ["105", "106", "107", "108", "109"]
    try:
        def retrieves(rate, seconds, tag):
            p = subprocess.Popen([sys.executable, os.path.join(HERE, "cluster_retrieve.py"),
                                  "--target", "%d:%s" % (B.sip, ",".join(a_slots)),
                                  "--target", "%d:%s" % (A.sip, ",".join(b_slots)),
                                  "--local-port", str(a.port_base + 80), "--rate", str(rate),
                                  "--seconds", str(seconds), "--rtp-base", str(a.retriever_rtp_base),
                                  "--rtp-pairs", "200"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            reg.add("retriever", p.pid, "cluster_retrieve.py")
            if a.jstack_after and tag == "measured":
                time.sleep(a.jstack_after)
                for nd in (A, B):
                    with open(os.path.join(work, "jstack-%s.txt" % nd.name), "w") as f:
                        subprocess.run(["jstack", str(nd.jvm_pid())], stdout=f, stderr=subprocess.STDOUT,
                                       timeout=60)
                res["jstack_taken_after_s"] = a.jstack_after
            try:
                so, se = p.communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                p.kill()
                raise RuntimeError("cluster_retrieve.py did not finish")
            if p.returncode != 0:
                raise RuntimeError("cluster_retrieve.py failed: %s" % se[-2000:])
            out = json.loads(so)
            with open(os.path.join(work, "retrieve-ua-%s.json" % tag), "w") as f:
                json.dump(out, f)
            return out
        rx = Receiver(a, work, reg, "retrieve", [])
        procs.append(rx)
        if a.retrieve_warm_calls:
            # JIT warm-up of both JVMs on the whole cross-node path (park, move, take, bridge) before the measured
            # callers park: what fresh JVMs do in their first seconds is reported apart, not mixed into the figure.
            wn = a.retrieve_warm_calls
            wa = Callers(a, "retrieve-warm-A", work, reg, A, a.port_base + 72, a.port_base + 220,
                         caller_entries(wn // 2, a_slots, "+49304", a.warm_rtp_base), a.rate / 2)
            wb = Callers(a, "retrieve-warm-B", work, reg, B, a.port_base + 73, a.port_base + 230,
                         caller_entries(wn - wn // 2, b_slots, "+49304", a.warm_rtp_base, first=wn // 2),
                         a.rate / 2)
            procs += [wa, wb]
            wait_parked([wa, wb], wn, wn / a.rate + 30)
            wait_listed([A, B], "+49304", wn, 60)
            w = retrieves(a.retrieve_rate / 2, wn / (a.retrieve_rate / 2), "warm-calls")
            wl = [x["retrieve_ms"] for x in w["rows"] if x.get("outcome") == "ok" and "retrieve_ms" in x]
            res["warm_calls"] = {"parked": wn, "sent": w["sent"], "ok": len(wl), "rate": a.retrieve_rate / 2,
                                 "p50": r1(pct(wl, 50)), "p99": r1(pct(wl, 99)),
                                 "max": r1(max(wl) if wl else None), "failures": w["failures"]}
            log("warm-up calls: %d parked and retrieved, p50 %s ms, p99 %s ms" % (wn, res["warm_calls"]["p50"],
                                                                                   res["warm_calls"]["p99"]))
            time.sleep(2)
        prefix = "+49303"
        ca = Callers(a, "retrieve-callers-A", work, reg, A, a.port_base + 70, a.port_base + 200,
                     caller_entries(half, a_slots, prefix, a.caller_rtp_base), a.rate / 2)
        cb = Callers(a, "retrieve-callers-B", work, reg, B, a.port_base + 71, a.port_base + 210,
                     caller_entries(a.calls - half, b_slots, prefix, a.caller_rtp_base, first=half), a.rate / 2)
        procs += [ca, cb]
        res["parked_in_trace"] = wait_parked([ca, cb], a.calls, a.calls / a.rate + 30)
        res["listed_before"] = wait_listed([A, B], prefix, a.calls, 90)
        time.sleep(1)

        if a.retrieve_warmup:
            w = retrieves(10, a.retrieve_warmup / 10.0, "warmup")
            wl = [x["retrieve_ms"] for x in w["rows"] if x.get("outcome") == "ok" and "retrieve_ms" in x]
            res["warmup"] = {"sent": w["sent"], "ok": len(wl), "rate": 10, "p50": r1(pct(wl, 50)),
                             "max": r1(max(wl) if wl else None), "failures": w["failures"]}
            time.sleep(2)
        res["top_processes_before"] = top_processes([work, "cluster_rtp.py", "sipp", "cluster_retrieve.py"])
        res["load_at_start"] = loadavg()
        win = Window({"A": A.jvm_pid(), "B": B.jvm_pid()})
        r = retrieves(a.retrieve_rate, a.retrieve_seconds, "measured")
        res["window"] = win.end()
        time.sleep(2)
        res["load_after"] = loadavg()
    finally:
        for p in procs[::-1]:
            p.stop()
        t_down = stop_nodes(nodes)
    rows = r["rows"]
    ok = [x for x in rows if x.get("outcome") == "ok" and "retrieve_ms" in x]
    lat = [x["retrieve_ms"] for x in ok]
    chal = [x["challenge_ms"] for x in rows if "challenge_ms" in x]

    def stats(v):
        return {"n": len(v), "p50": r1(pct(v, 50)), "p90": r1(pct(v, 90)), "p99": r1(pct(v, 99)),
                "max": r1(max(v) if v else None)}
    res["sent"] = r["sent"]
    res["ok"] = len(ok)
    res["failures"] = r["failures"]
    res["ua_retransmissions"] = r["retransmissions"]
    res["retrieve_ms"] = stats(lat)
    res["retrieve_ms_at_B"] = stats([x["retrieve_ms"] for x in ok if x["target"] == B.sip])
    res["retrieve_ms_at_A"] = stats([x["retrieve_ms"] for x in ok if x["target"] == A.sip])
    res["challenge_ms"] = stats(chal)
    if rows:
        t0r = min(x["sent_epoch_ns"] for x in rows if "sent_epoch_ns" in x)
        per = {}
        for x in rows:
            if "sent_epoch_ns" not in x:
                continue
            sec = int((x["sent_epoch_ns"] - t0r) // TEN)
            d = per.setdefault(sec, {"sent": 0, "ok": 0, "ms": []})
            d["sent"] += 1
            if x.get("outcome") == "ok" and "retrieve_ms" in x:
                d["ok"] += 1
                d["ms"].append(x["retrieve_ms"])
        res["per_second"] = [{"s": k, "sent": d["sent"], "ok": d["ok"], "p50": r1(pct(d["ms"], 50)),
                              "max": r1(max(d["ms"]) if d["ms"] else None)} for k, d in sorted(per.items())]
    # the caller side: re-INVITE from the retrieving node -> its ACK (our 200 in between)
    rtt, moved, byes, wrong = [], 0, 0, 0
    for cl, other in ((ca, B.sip), (cb, A.sip)):
        for c in read_trace(cl.trace).values():
            for k, t in c["reinv"].items():
                if c["via"].get(k) == other:
                    moved += 1
                    if k in c["ack"]:
                        rtt.append((c["ack"][k] - t) / 1e6)
                else:
                    wrong += 1
            byes += 1 if c["bye"] else 0
    res["callers_reinvited"] = moved
    res["callers_reinvited_by_own_node"] = wrong
    res["caller_reinvite_to_ack_ms"] = stats(rtt)
    res["callers_got_bye"] = byes
    res["sipp_A"] = ca.stats()
    res["sipp_B"] = cb.stats()
    res["karaf_A"] = karaf_findings(A, t_down)
    res["karaf_B"] = karaf_findings(B, t_down)
    res["work"] = work
    return res


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                model = ln.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu_model": model, "free_g": free,
            "kernel": os.uname().release}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--phases", default="kill,drain,retrieve")
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--rate", type=float, default=50, help="parks/s")
    ap.add_argument("--samples", type=int, default=50, help="callers whose RTP is read")
    ap.add_argument("--retrieve-rate", type=float, default=50)
    ap.add_argument("--retrieve-seconds", type=float, default=8)
    ap.add_argument("--retrieve-warmup", type=int, default=40, help="retrieves at 10/s before the measured ones")
    ap.add_argument("--retrieve-warm-calls", type=int, default=300,
                    help="retrieve phase: callers parked and retrieved cross-node at half the rate before the measured"
                         " callers park (JIT warm-up of both JVMs; 0: none)")
    ap.add_argument("--warm-rtp-base", type=int, default=15600, help="RTP ports of the warm-up callers")
    ap.add_argument("--jstack-after", type=float, default=0,
                    help="diagnosis only: jstack both nodes this many s into the measured retrieves")
    ap.add_argument("--port-base", type=int, default=19000)
    ap.add_argument("--rtp-a", default="8200-9999")
    ap.add_argument("--rtp-b", default="10000-11999")
    ap.add_argument("--caller-rtp-base", type=int, default=16600)
    ap.add_argument("--retriever-rtp-base", type=int, default=17600)
    ap.add_argument("--start-timeout", type=int, default=180)
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--recovery-timeout", type=float, default=30)
    ap.add_argument("--sipp-timeout", type=int, default=600)
    a = ap.parse_args()
    reg = Registry(a.work)
    out = {"date_utc": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), "machine": machine(),
           "args": vars(a), "phases": {}}
    def on_term(*_):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    fns = {"kill": phase_kill, "drain": phase_drain, "retrieve": phase_retrieve}
    for ph in [p for p in a.phases.split(",") if p]:
        log("phase %s" % ph)
        try:
            out["phases"][ph] = fns[ph](a, a.snapshot, a.work, reg)
        except KeyboardInterrupt:  # SIGTERM/SIGINT: the phase's finally blocks have stopped what it started
            log("interrupted in phase %s" % ph)
            sys.exit(130)
        except Exception as e:  # keep the other phases' figures
            log("phase %s failed: %r" % (ph, e))
            out["phases"][ph] = {"phase": ph, "error": repr(e)}
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
    log("figures: %s" % a.out)


if __name__ == "__main__":
    main()
