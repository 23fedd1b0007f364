"""Times the seeds' handler the way Lambda runs it: event bytes in, response bytes out.

usage: bench_seeds.py EVENT_FILE ITERATIONS  ->  prints the median in milliseconds
"""
import json
import statistics
import sys
import time

from seeds_transform import lambda_handler

event_bytes = open(sys.argv[1], "rb").read()
samples = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    response = json.dumps(lambda_handler(json.loads(event_bytes), None)).encode()
    samples.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(samples):.2f}")
