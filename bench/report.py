#!/usr/bin/env python3
"""Turns bench.py's JSON into the Markdown table (stdout)."""
import argparse
import json
import platform


def f(v, fmt="%.1f"):
    return "–" if v is None else fmt % v


def machine():
    model = "?"
    with open("/proc/cpuinfo") as fh:
        for ln in fh:
            if ln.startswith("model name"):
                model = ln.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem = int(fh.readline().split()[1]) / 1024 / 1024
    import os
    return "%d × %s, %.1f GiB RAM, %s" % (os.cpu_count(), model, mem, platform.platform())


def scale_table(r):
    print("### Parked calls with hold music (PCMU), steady window\n")
    print("| N parked | sipp ok/failed | server CPU % of a core | CPU per call | RSS MiB | threads "
          "| RTP streams sampled | dev p50 / p99 ms | max gap ms | pps min–max | baseline CPU % | baseline per stream "
          "| baseline dev p99 ms | ratio server/baseline | GC pauses in window (n / max ms) | load avg (1 min) at end |")
    print("|" + "---|" * 16)
    for s in r["scale"]:
        b = s["baseline"]
        per = s["cpu_pct"] / s["n"]
        bper = b["cpu_pct"] / s["n"]
        print("| %d | %s/%s | %.1f | %.3f %% | %.0f | %d | %d | %s / %s | %s | %s–%s | %.1f | %.4f %% | %s | %s | %s | %.2f |" % (
            s["n"], s["sipp"]["ok"], s["sipp"]["failed"], s["cpu_pct"], per, s["rss_mb"], s["threads"],
            s["rtp"]["streams"], f(s["rtp"]["dev_p50_ms"], "%.2f"), f(s["rtp"]["dev_p99_ms"], "%.2f"),
            f(s["rtp"]["max_gap_ms"]), f(s["rtp"]["pps_min"]), f(s["rtp"]["pps_max"]), b["cpu_pct"], bper,
            f(b["rtp"]["dev_p99_ms"], "%.2f"), f(per / bper if bper > 0 else None, "%.1f×"),
            "%d / %.0f" % (s["gc"]["count"], s["gc"]["max_ms"]) if s.get("gc") else "–", s.get("load1", float("nan"))))
    for s in r["scale"]:
        if s.get("rss_before_mb") is not None:
            print("\nN=%d: memory per parked call (RSS while parked − RSS before parking) / N = %.1f KiB "
                  "(RSS %.0f → %.0f MiB; the heap grown for earlier N stays counted in 'before')"
                  % (s["n"], (s["rss_mb"] - s["rss_before_mb"]) * 1024 / s["n"], s["rss_before_mb"], s["rss_mb"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--load-after", default="?")
    ap.add_argument("--commit", default="?")
    a = ap.parse_args()
    r = json.load(open(a.json))
    print("## Run %s (commit %s)\n" % (r["started"], a.commit))
    print("Machine: %s. Load average before: %s, after: %s.\n" % (machine(), a.load_before, a.load_after))
    if r["scale"]:
        scale_table(r)
    if r["churn"]:
        print("\n### Park/retrieve churn while calls are parked with music\n")
        wu = r.get("warmup")
        if wu:
            print("Warm-up before the measured phases (unmeasured churn at %s/s): %d s, the JIT compiler threads at %s %% "
                  "of a core per 20 s round%s.\n" % (wu["rate"], wu["seconds"], " → ".join(
                      "%g" % x for x in wu["compiler_pct_per_round"]),
                      "" if wu["quiet"] else " (still compiling when the warm-up ended)"))
        print("| slots | parked (bg) | rate /s | parks ok | retrieves ok | failed | park p50 / p99 ms "
              "| retrieve p50 / p99 ms | 401 p50 / p99 ms | first music p50 / p99 ms | churn streams dev p99 / pps min "
              "| bg streams dev p99 ms / pps min | bg sipp ok/failed | server CPU % | GC pauses (n / max ms / % of time) "
              "| allocated KB per cycle (GC log) | load avg (1 min) at end |")
        print("|" + "---|" * 17)
        for c in r["churn"]:
            if "error" in c:
                print("| %s | %d | – | error: %s |" % (c["mode"], c["background"], c["error"][:200].replace("\n", " ")))
                continue
            print("| %s | %d | %g | %d/%d | %d/%d | %d %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s "
                  "| %s/%s | %.0f | %s | %s | %.2f |" % (
                      "one group slot (Sales)" if c["mode"] == "oneslot" else "extension slots",
                      c["background"], c["rate"], c["parked_ok"], c["parks"], c["retrieved_ok"], c["retrieves"],
                      c["failed"], json.dumps(c["failures"]) if c["failures"] else "",
                      f(c["park_ms"]["p50"]), f(c["park_ms"]["p99"]), f(c["retrieve_ms"]["p50"]),
                      f(c["retrieve_ms"]["p99"]), f(c["challenge_ms"]["p50"]), f(c["challenge_ms"]["p99"]),
                      f(c["first_rtp_ms"]["p50"]), f(c["first_rtp_ms"]["p99"]), f(c["dev_p99_ms"], "%.2f"),
                      f(c["pps_min"]), f(c["bg_rtp"]["dev_p99_ms"], "%.2f"), f(c["bg_rtp"]["pps_min"]),
                      c["bg_sipp"]["ok"], c["bg_sipp"]["failed"], c["cpu_pct"],
                      "%d / %.0f / %.1f" % (c["gc"]["count"], c["gc"]["max_ms"], c["gc"].get("share_pct", float("nan")))
                      if c.get("gc") else "–", f(c.get("alloc_kb_per_cycle"), "%.0f"),
                      c.get("load1", float("nan"))))
        for c in r["churn"]:
            if "error" in c or not c.get("server_busiest_threads"):
                continue
            gc = c.get("gc") or {}
            print("\n%s %g/s: the server's busiest threads (%% of a core, pools summed): %s. GC in the window: %s "
                  "pauses, %.0f ms; the collections' CPU (all GC threads) %.2f s in %.2f s of wall time." % (
                      c["mode"], c["rate"], ", ".join("%s %.1f" % (n, v) for n, v in c["server_busiest_threads"]),
                      gc.get("count", "–"), gc.get("total_ms", 0), gc.get("gc_cpu_s", 0), gc.get("gc_real_s", 0)))
        acked = sum(c.get("acked_2xx", 0) for c in r["churn"] if "error" not in c)
        again = sum(c.get("ok_again_after_ack", 0) for c in r["churn"] if "error" not in c)
        if acked:
            print("\n200 OK sent again after our immediate ACK: %d of %d answered INVITEs (target: 0 in 1,000 calls: %s)"
                  % (again, acked, "met" if again == 0 and acked >= 1000 else
                     "missed" if again else "none, but fewer than 1,000 calls"))
    if r.get("bridged"):
        bridged_table(r["bridged"])


def bridged_table(rows):
    """Issue 17: bridged calls (bench.py --bridged N [--codec opus])."""
    print("\n### Bridged calls: retrieved, RTP relayed both ways (issue 17)\n")
    print("| N bridged | codec (caller / retriever) | parked / retrieved ok | server CPU % of a core (idle server) "
          "| CPU per call (minus idle) "
          "| added latency p50 / p99 / max ms | through server p50 / p99 / max ms | direct p50 / p99 / max ms "
          "| pps per stream min / median / max | loss % (all / worst stream) | tool CPU % (bridged / direct) "
          "| machine busy % of 200 | GC pauses (n / max ms) | failed |")
    print("|" + "---|" * 14)
    targets = []
    for b in rows:
        if "error" in b or "bridged" not in b:
            print("| %s | %s | error: %s |" % (b.get("n"), b.get("codec"), str(b.get("error", b))[:300].replace("\n", " ")))
            continue
        w, d = b["bridged"], b.get("direct")
        n = b["n"]
        opus = b["codec"] == "opus"
        per = w["server_cpu_pct"] / n
        if opus:
            lat_add = lat_srv = lat_dir = "– (payload transcoded)"
            pps = "%.1f / %.1f / %.1f" % (w["arrival_pps_min"], w["arrival_pps_median"], w["arrival_pps_max"])
            c2r = 100.0 * (1 - w["arrived_at_retrievers"] / max(1, w["sent_by_callers"]))
            r2c = 100.0 * (1 - w["arrived_at_callers"] / max(1, w["sent_by_retrievers"]))
            loss = "caller→retriever %.3f, retriever→caller %.3f (arrivals vs sent in the window)" % (c2r, r2c)
        else:
            add = [w[k] - d[k] for k in ("lat_p50_ms", "lat_p99_ms", "lat_max_ms")]
            lat_add = "%.2f / **%.2f** / %.1f" % tuple(add)
            lat_srv = "%.2f / %.2f / %.1f" % (w["lat_p50_ms"], w["lat_p99_ms"], w["lat_max_ms"])
            lat_dir = "%.2f / %.2f / %.1f" % (d["lat_p50_ms"], d["lat_p99_ms"], d["lat_max_ms"])
            pps = "%.1f / %.1f / %.1f" % (w["pps_min"], w["pps_median"], w["pps_max"])
            loss = "%.3f / %.3f" % (w["loss_pct"], w["max_stream_loss_pct"])
        gc = w.get("gc")
        idle = b.get("server_idle_cpu_pct", 0.0)
        print("| %d | PCMU / %s | %d / %d | %.1f (%.1f) | %.3f %% (%.3f %%) | %s | %s | %s | %s | %s | %.0f / %s | %.0f "
              "| %s | %d %s |" % (
            n, "Opus" if opus else "PCMU", b["parked_ok"], b["retrieved_ok"], w["server_cpu_pct"], idle, per,
            (w["server_cpu_pct"] - idle) / n, lat_add,
            lat_srv, lat_dir, pps, loss, w["tool_cpu_pct"], "%.0f" % d["tool_cpu_pct"] if d else "–",
            w["machine_busy_pct"], "%d / %.0f" % (gc["count"], gc["max_ms"]) if gc else "–", b["failed"],
            json.dumps(b["failures"]) if b["failures"] else ""))
        sat = w["arrival_pps_median"] < 49
        satnote = (" — the relay could not keep up (%.1f packets/s per stream): a lower bound" % w["arrival_pps_median"]
                   if sat else "")
        if opus:
            targets.append(("%d bridged calls with PCMU↔Opus transcoding: CPU per call printed" % n,
                            "%.1f %% of a core, %.3f %% per call%s" % (w["server_cpu_pct"], per, satnote),
                            "met (printed)" if b["retrieved_ok"] == n and n >= 200 else "missed (fewer than 200 bridged)"))
        else:
            ok = b["retrieved_ok"] == n and n >= 1000
            targets.append(("1,000 bridged PCMU calls relayed both ways at < 50 % of one core",
                            "%d bridged: %.1f %% of a core%s" % (b["retrieved_ok"], w["server_cpu_pct"], satnote),
                            "met" if ok and w["server_cpu_pct"] < 50 else "missed"))
            targets.append(("added latency p99 < 5 ms (through the server minus socket to socket)",
                            "%.2f ms (at N=%d)" % (add[1], n),
                            "met" if add[1] < 5 and n >= 1000 and ok else "missed" if add[1] >= 5 else
                            "met at N=%d only (the target is for 1,000)" % n))
    for b in rows:
        if "bridged" in b and b["bridged"].get("server_busiest_threads"):
            print("\nN=%d %s: the server's busiest threads in the window (%% of a core; the RTP loop is "
                  "`callpark-media-rtp`, shown as \"callpark-media-\"): %s" % (b["n"], b["codec"], ", ".join(
                      "%s %.1f" % (t, c) for t, c in b["bridged"]["server_busiest_threads"])) +
                  ("; kernel UDP errors in the window (whole machine): %s" % json.dumps(b["bridged"]["udp_errors_in_window"])
                   if b["bridged"].get("udp_errors_in_window") is not None else ""))
    print("\n| Target | Result | |\n|---|---|---|")
    for t in targets:
        print("| %s | %s | %s |" % t)


if __name__ == "__main__":
    main()
