#!/usr/bin/env python3
"""Top frames of a JFR recording's jdk.ExecutionSample events: by thread, by top frame, by first callpark frame."""
import collections
import re
import subprocess
import sys


def top(path, k=8):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", path], capture_output=True, text=True,
                         timeout=120).stdout
    threads, frames, ours = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for ev in out.split("jdk.ExecutionSample")[1:]:
        m = re.search(r'sampledThread = "([^"]*)"', ev)
        st = re.findall(r"^\s{4}(\S.*?)\s+line:", ev, re.M)
        if not m or not st:
            continue
        total += 1
        threads[re.sub(r"\d+", "N", m.group(1))] += 1
        frames[st[0]] += 1
        cp = next((f for f in st if "callpark" in f), None)
        if cp:
            ours[cp] += 1
    return {"samples": total, "threads": threads.most_common(k), "top_frames": frames.most_common(k),
            "callpark_frames": ours.most_common(k)}


if __name__ == "__main__":
    import json
    print(json.dumps(top(sys.argv[1]), indent=1))
