"""Parses Prometheus text (stdin) with the real client library's parser and prints every sample as one JSON line.

Used by MetricsST: the Debian package python3-prometheus-client. A text the parser rejects exits non-zero.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        print(json.dumps({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels,
                          "value": s.value}))
