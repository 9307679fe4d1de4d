#!/usr/bin/env python3
"""Markdown tables from bench/cluster.py's JSON: cluster_report.py FILE.json [--commit X]."""
import argparse
import json


def v(x, unit=""):
    return "–" if x is None else "%s%s" % (x, unit)


def met(ok):
    return "met" if ok else "**not met**"


def findings(ph):
    lines = []
    for node in ("A", "B"):
        k = ph.get("karaf_" + node) or {}
        if k.get("counts"):
            lines.append("  - node %s: %s" % (node, ", ".join("%s %d" % kv for kv in sorted(k["counts"].items()))))
        for g in k.get("warn_error_groups", [])[:6]:
            lines.append("  - node %s, %d× `%s`" % (node, g["count"], g["key"][:150].replace("`", "'")))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--commit", default="")
    a = ap.parse_args()
    d = json.load(open(a.json))
    m = d["machine"]
    ar = d["args"]
    out = []
    out.append("### %s UTC%s" % (d["date_utc"], (", code at " + a.commit) if a.commit else ""))
    out.append("")
    out.append("Machine: `nproc` %s, %s, kernel %s; `free -g`: %s GiB total. Two nodes (A, B) of the assembly, "
               "`-Xmx512m` each, one Hazelcast cluster on loopback; %d callers per phase parked at %g/s (sipp, "
               "`bench/cluster_caller.xml`), %d of them with their RTP read." % (
                   m["nproc"], m["cpu_model"], m["kernel"],
                   m["free_g"].splitlines()[1].split()[1] if len(m["free_g"].splitlines()) > 1 else "?",
                   ar["calls"], ar["rate"], ar["samples"]))
    out.append("")
    ph = d["phases"]
    targets = []
    k = ph.get("kill")
    if k:
        out.append("**Node loss** (kill -9 of A with %d parked at A; load average at the kill %s)" % (
            k.get("calls"), k.get("load_at_kill", "?")))
        out.append("")
        if "error" in k:
            out.append("failed: `%s`" % k["error"])
        else:
            t = k["kill_to_200_ms"]
            mu = k["music"]
            out.append("| parked / listed at B before | re-homed | kill → re-INVITE 200 p50 / p90 / p99 / max | "
                       "kill → first re-INVITE | B logged \"left\" | per second (s after kill: callers) | "
                       "music from B (sampled) | first B packet after kill p50 / max | silence (A's last → B's first packet) p50 / max | "
                       "B's first packet − caller's 200, p50 | B pps last 2 s | BYEs | park:list at B after |")
            out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
            out.append("| %s / %s | **%d/%d** | **%s / %s / %s / %s ms** | %s ms | %s ms | %s | %d/%d | %s / %s ms | "
                       "%s / %s ms | %s ms | %s–%s | %d | %s |" % (
                           k["parked"], k["listed_before"].get("kill-B"), k["rehomed"], k["calls"], v(t["p50"]),
                           v(t["p90"]), v(t["p99"]), v(t["max"]), v(k["kill_to_reinvite_ms"]["min"]),
                           v(k.get("B_noticed_A_left_ms")),
                           ", ".join("%s: %d" % kv for kv in k["kill_to_200_histogram"].items()),
                           mu["with_music_from_B"], mu["sampled"], v(mu["first_packet_from_B_ms_p50"]),
                           v(mu["first_packet_from_B_ms_max"]), v(mu.get("silence_ms_p50")),
                           v(mu.get("silence_ms_max")), v(mu.get("first_packet_from_B_after_200_ms_p50")),
                           v(mu["pps_from_B_last_2s_min"]),
                           v(mu["pps_from_B_last_2s_max"]), k["callers_got_bye"],
                           ", ".join("%s: %d" % kv for kv in k["listed_at_B_after"]["by_node"].items())))
            targets.append(("node loss: every caller re-homed, the last within 5 s of the kill",
                            "%d/%d, last %s ms" % (k["rehomed"], k["calls"], v(t["max"])),
                            met(k["rehomed"] == k["calls"] and t["max"] is not None and t["max"] <= 5000)))
            targets.append(("node loss: p50 ≤ 2 s", "p50 %s ms (p90 %s ms)" % (v(t["p50"]), v(t["p90"])),
                            met(t["p50"] is not None and t["p50"] <= 2000)))
            targets.append(("node loss: music back from B", "%d/%d sampled callers, %s–%s pps" % (
                mu["with_music_from_B"], mu["sampled"], v(mu["pps_from_B_last_2s_min"]),
                v(mu["pps_from_B_last_2s_max"])), met(mu["with_music_from_B"] == mu["sampled"])))
        out.append("")
    dr = ph.get("drain")
    if dr:
        out.append("**Drain** (`park:drain` on A with %d parked at A; load average at the drain %s)" % (
            dr.get("calls"), dr.get("load_at_drain", "?")))
        out.append("")
        if "error" in dr:
            out.append("failed: `%s`" % dr["error"])
        else:
            g = dr["gap"]
            out.append("| moved | `park:drain` (bin/client) | first re-INVITE / last 200 after start | first re-INVITE → last 200 | "
                       "longest gap per caller p50 / p90 / max | callers > 200 ms | callers hearing A and B at once | "
                       "B's first packet − A's last, p50 | BYEs | park:list at A after |")
            out.append("|---|---|---|---|---|---|---|---|---|---|")
            out.append("| **%d/%d** | %s s | %s / %s ms | **%s ms** | **%s / %s / %s ms** | %d/%d | %d | %s ms | %d | %s |" % (
                dr["moved"], dr["calls"], dr["drain_command_s"], v(dr.get("first_reinvite_ms")),
                v(dr.get("last_200_ms")), v(dr.get("span_first_reinvite_to_last_200_ms")), v(g["p50"]), v(g["p90"]),
                v(g["max"]), g["over_200ms"], g["sampled"], g["callers_with_overlap"], v(g["switch_ms_p50"]),
                dr["callers_got_bye"], ", ".join("%s: %d" % kv for kv in dr["listed_at_A_after"]["by_node"].items())))
            if "switch_gap_ms" in g:
                out.append("")
                out.append("Where the gaps are (sampled callers, p50 / max): at the switch (B's first packet − A's "
                           "last packet before it) %s / %s ms; A and B both sending (A's last − B's first) %s / %s ms; "
                           "longest gap inside A's stream (before the move, window from 1 s before the drain) %s / %s ms; "
                           "inside B's stream (after it) %s / %s ms." % (
                               v(g["switch_gap_ms"]["p50"]), v(g["switch_gap_ms"]["max"]), v(g["overlap_ms"]["p50"]),
                               v(g["overlap_ms"]["max"]), v(g["longest_gap_in_A_stream_ms"]["p50"]),
                               v(g["longest_gap_in_A_stream_ms"]["max"]), v(g["longest_gap_in_B_stream_ms"]["p50"]),
                               v(g["longest_gap_in_B_stream_ms"]["max"])))
            targets.append(("drain: longest audio gap ≤ 200 ms", "max %s ms over %d sampled callers (%d over 200 ms)" % (
                v(g["max"]), g["sampled"], g["over_200ms"]), met(g["max"] is not None and g["max"] <= 200)))
            targets.append(("drain: every call moved, none hung up", "%d/%d moved, %d BYEs" % (
                dr["moved"], dr["calls"], dr["callers_got_bye"]), met(dr["moved"] == dr["calls"]
                                                                      and dr["callers_got_bye"] == 0)))
        out.append("")
    rt = ph.get("retrieve")
    if rt:
        out.append("**Cross-node retrieve** (%d parked: %d at A on 101–104, %d at B on 105–109; %g retrieves/s for "
                   "%g s, at B for A's calls and at A for B's; load average at the start %s)" % (
                       rt.get("calls"), rt.get("calls", 0) // 2, rt.get("calls", 0) - rt.get("calls", 0) // 2,
                       rt.get("rate"), rt.get("seconds"), rt.get("load_at_start", "?")))
        out.append("")
        if "error" in rt:
            out.append("failed: `%s`" % rt["error"])
        else:
            r, ra, rb, c = rt["retrieve_ms"], rt["retrieve_ms_at_A"], rt["retrieve_ms_at_B"], rt["challenge_ms"]
            out.append("| retrieves ok / sent | failures | INVITE → 200 p50 / p90 / p99 / max | at B (A's calls) p50 / p99 | "
                       "at A (B's calls) p50 / p99 | 401 p50 / p99 | callers re-INVITEd by the other node | "
                       "caller leg: re-INVITE → ACK p50 / p99 |")
            out.append("|---|---|---|---|---|---|---|---|")
            out.append("| %d/%d | %s | **%s / %s / %s / %s ms** | %s / %s ms | %s / %s ms | %s / %s ms | %d | %s / %s ms |" % (
                rt["ok"], rt["sent"], ", ".join("%s: %d" % kv for kv in rt["failures"].items()) or "0",
                v(r["p50"]), v(r["p90"]), v(r["p99"]), v(r["max"]), v(rb["p50"]), v(rb["p99"]), v(ra["p50"]),
                v(ra["p99"]), v(c["p50"]), v(c["p99"]), rt["callers_reinvited"],
                v(rt["caller_reinvite_to_ack_ms"]["p50"]), v(rt["caller_reinvite_to_ack_ms"]["p99"])))
            if rt.get("per_second"):
                out.append("")
                out.append("Per second of sending (ok/sent, p50 ms): " + ", ".join(
                    "%ds %d/%d %s" % (x["s"], x["ok"], x["sent"], v(x["p50"])) for x in rt["per_second"]) + ".")
            wc = rt.get("warm_calls")
            if wc:
                out.append("")
                out.append("JIT warm-up before the measured callers parked: %d other callers parked (half at each node) "
                           "and retrieved cross-node at %s/s: %d/%d ok, p50 %s ms, p99 %s ms, max %s ms%s." % (
                               wc["parked"], v(wc["rate"]), wc["ok"], wc["sent"], v(wc["p50"]), v(wc["p99"]),
                               v(wc["max"]), (", failures %s" % wc["failures"]) if wc["failures"] else ""))
            wu = rt.get("warmup")
            if wu:
                out.append("")
                out.append("Before it, a warm-up of %d retrieves at %d/s (first cross-node retrieves of fresh JVMs): "
                           "%d ok, p50 %s ms, max %s ms%s." % (wu["sent"], wu["rate"], wu["ok"], v(wu["p50"]),
                                                                v(wu["max"]), (", failures %s" % wu["failures"])
                                                                if wu["failures"] else ""))
            if rt.get("jstack_taken_after_s"):
                out.append("")
                out.append("(diagnostic run: jstack of both nodes %s s into the measured retrieves — figures "
                           "disturbed)" % rt["jstack_taken_after_s"])
            targets.append(("cross-node retrieve p99 < 100 ms", "p99 %s ms (%d/%d ok)" % (v(r["p99"]), rt["ok"],
                                                                                        rt["sent"]),
                            met(r["p99"] is not None and r["p99"] < 100 and rt["ok"] == rt["sent"])))
        out.append("")
    ctx = []
    for name in ("kill", "drain", "retrieve"):
        p = ph.get(name)
        if not p or "error" in p:
            continue
        w = p.get("window") or {}
        others = [t for t in p.get("top_processes_before", []) if not t["ours"] and t["cpu_pct"] >= 5]
        ctx.append("- %s: measured window %s s, machine busy %s %% of 200, node A JVM %s %%, node B JVM %s %% of a "
                   "core; load average before the phase %s, at the start %s, after %s; other processes busy "
                   "just before: %s" % (
                       name, w.get("seconds"), w.get("machine_busy_pct"), v(w.get("A_cpu_pct")),
                       v(w.get("B_cpu_pct")), p.get("load_before"),
                       p.get("load_at_kill") or p.get("load_at_drain") or p.get("load_at_start"),
                       p.get("load_after"),
                       "; ".join("%s %% `%s`" % (t["cpu_pct"], t["cmd"][:60]) for t in others) or "none"))
    if ctx:
        out += ctx
        out.append("")
    if targets:
        out.append("| Target | Result | |")
        out.append("|---|---|---|")
        for t in targets:
            out.append("| %s | %s | %s |" % t)
        out.append("")
    notes = []
    for name in ("kill", "drain", "retrieve"):
        if name in ph and "error" not in ph[name]:
            f = findings(ph[name])
            if f:
                notes.append("- %s phase, karaf.log until the teardown (counts of takeover lines; WARN/ERROR grouped):"
                             % name)
                notes += f
    if notes:
        out += notes
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
