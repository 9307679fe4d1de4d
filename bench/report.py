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
    if r["churn"]:
        print("\n### Park/retrieve churn while calls are parked with music\n")
        print("| slots | parked (bg) | rate /s | parks ok | retrieves ok | failed | park p50 / p99 ms "
              "| retrieve p50 / p99 ms | 401 p50 / p99 ms | first music p50 / p99 ms | churn streams dev p99 / pps min "
              "| bg streams dev p99 ms / pps min | bg sipp ok/failed | server CPU % | GC pauses (n / max ms) "
              "| load avg (1 min) at end |")
        print("|" + "---|" * 16)
        for c in r["churn"]:
            if "error" in c:
                print("| %s | %d | – | error: %s |" % (c["mode"], c["background"], c["error"][:200].replace("\n", " ")))
                continue
            print("| %s | %d | %g | %d/%d | %d/%d | %d %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s "
                  "| %s/%s | %.0f | %s | %.2f |" % (
                      "one group slot (Sales)" if c["mode"] == "oneslot" else "extension slots",
                      c["background"], c["rate"], c["parked_ok"], c["parks"], c["retrieved_ok"], c["retrieves"],
                      c["failed"], json.dumps(c["failures"]) if c["failures"] else "",
                      f(c["park_ms"]["p50"]), f(c["park_ms"]["p99"]), f(c["retrieve_ms"]["p50"]),
                      f(c["retrieve_ms"]["p99"]), f(c["challenge_ms"]["p50"]), f(c["challenge_ms"]["p99"]),
                      f(c["first_rtp_ms"]["p50"]), f(c["first_rtp_ms"]["p99"]), f(c["dev_p99_ms"], "%.2f"),
                      f(c["pps_min"]), f(c["bg_rtp"]["dev_p99_ms"], "%.2f"), f(c["bg_rtp"]["pps_min"]),
                      c["bg_sipp"]["ok"], c["bg_sipp"]["failed"], c["cpu_pct"],
                      "%d / %.0f" % (c["gc"]["count"], c["gc"]["max_ms"]) if c.get("gc") else "–",
                      c.get("load1", float("nan"))))
        acked = sum(c.get("acked_2xx", 0) for c in r["churn"] if "error" not in c)
        again = sum(c.get("ok_again_after_ack", 0) for c in r["churn"] if "error" not in c)
        if acked:
            print("\n200 OK sent again after our immediate ACK: %d of %d answered INVITEs (target: 0 in 1,000 calls: %s)"
                  % (again, acked, "met" if again == 0 and acked >= 1000 else
                     "missed" if again else "none, but fewer than 1,000 calls"))


if __name__ == "__main__":
    main()
