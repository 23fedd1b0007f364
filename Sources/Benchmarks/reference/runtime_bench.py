"""Measures whole invocations of several runtimes behind the same Runtime API, interleaved.

Each runtime runs under its own `lambda-emulator serve`; every round invokes each runtime once
with the same event, in turn, so that they share the machine's state. Per invocation it records
the runtime process's CPU time, the on-CPU time of all its threads (/proc/PID/task/*/schedstat:
what a Lambda function below 1,769 MB pays for), and the wall time of the round trip; and per
runtime its peak RSS.

usage: runtime_bench.py EMULATOR WARMUP --event NAME=FILE=ROUNDS... --runtime NAME=DIR=CMD...
                        [--floor NAME] [--json PATH]
  CMD is split on spaces and run in DIR; `-` is the emulator's default runtime (`bootstrap`).
  Prints a table; CPU is compared with the runtime named by --floor, and each runtime's
  transport cost per MB is estimated from its first and last events. --json keeps the figures.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


class CPUTime:
    """On-CPU nanoseconds of all the threads a process has had, from /proc/PID/task/*/schedstat.

    A thread that exits takes its count with it, so each thread's last reading is kept: the total
    never goes back, and loses only what an exiting thread ran after it was last read.
    """

    def __init__(self):
        self.pid, self.threads = None, {}

    def read(self, pid):
        if pid != self.pid:  # a new process (the runtime restarted): start over
            self.pid, self.threads = pid, {}
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            tasks = []
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    self.threads[task] = int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
        return sum(self.threads.values())


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


class Served:
    """One runtime behind `lambda-emulator serve`."""

    def __init__(self, emulator, name, directory, command, scratch):
        self.name = name
        self.port_file = os.path.join(scratch, f"{name}.port")
        self.pid_file = os.path.join(scratch, f"{name}.pid")
        arguments = [emulator, "serve", "firehose-transform", "--port", "0", "--port-file", self.port_file,
                     "--runtime-pid-file", self.pid_file, "--quiet", "--memory", "1024", "--timeout", "60"]
        if command != "-":
            arguments += ["--"] + command.split()
        self.process = subprocess.Popen(arguments, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(2400):
                if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                    break
                time.sleep(0.025)
            self.connection = http.client.HTTPConnection("127.0.0.1", int(open(self.port_file).read()))
        except BaseException:
            self.stop()
            raise

    def pid(self):
        for _ in range(2400):
            if os.path.exists(self.pid_file):
                return int(open(self.pid_file).read())
            time.sleep(0.025)
        raise RuntimeError(f"{self.name}: the runtime did not start")

    def invoke(self, body):
        self.connection.request("POST", "/2015-03-31/functions/function/invocations", body)
        response = self.connection.getresponse()
        reply = response.read()
        if response.status != 200 or response.getheader("X-Amz-Function-Error"):
            raise RuntimeError(f"{self.name}: {reply[:300]!r}")
        return reply

    def stop(self):
        self.process.terminate()  # the emulator then kills the runtime it started
        self.process.wait()


def measure(emulator, warmup, events, runtimes):
    """{event: {runtime: figures}}, every runtime invoked in turn each round."""
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        served = []
        try:
            for name, directory, command in runtimes:
                served.append(Served(emulator, name, directory, command, scratch))
            for event_name, body, rounds in events:
                for runtime in served:
                    for _ in range(warmup):
                        runtime.invoke(body)
                # A runtime's CPU is read as its turn starts: from one reading to the next, it ran
                # one invocation and what follows its answer (the post's reply, freeing buffers,
                # the next `/next`), while the others took their turns. One round more than
                # counted closes the last interval.
                samples = {runtime.name: ([], []) for runtime in served}
                clocks = {runtime.name: CPUTime() for runtime in served}
                previous = {}
                for turn in range(rounds + 1):
                    for runtime in served:
                        pid = runtime.pid()
                        now = clocks[runtime.name].read(pid)
                        if runtime.name in previous:
                            samples[runtime.name][0].append((now - previous[runtime.name]) / 1e6)
                        previous[runtime.name] = now
                        if turn == rounds:
                            continue
                        start = time.perf_counter_ns()
                        runtime.invoke(body)
                        samples[runtime.name][1].append((time.perf_counter_ns() - start) / 1e6)
                results[event_name] = {
                    runtime.name: {
                        "cpu_ms": statistics.mean(samples[runtime.name][0]),
                        "cpu_ms_median": statistics.median(samples[runtime.name][0]),
                        "wall_ms": statistics.median(samples[runtime.name][1]),
                        "peak_rss_mb": round(peak_rss_mb(runtime.pid()), 1),
                        "event_mb": len(body) / 1e6,
                    } for runtime in served
                }
        finally:
            for runtime in served:
                runtime.stop()
    return results


def report(results, floor):
    events = list(results)
    runtimes = list(results[events[0]])
    print(f"{'event':<21}{'runtime':<30}{'CPU ms':>8}{'median':>8}{'vs floor':>10}{'wall ms':>9}{'peak RSS MB':>13}")
    for event in events:
        for index, runtime in enumerate(runtimes):
            r = results[event][runtime]
            ratio = r["cpu_ms"] / results[event][floor]["cpu_ms"] if floor in results[event] else float("nan")
            label = f"{event} ({r['event_mb']:.2f} MB)" if index == 0 else ""
            print(f"{label:<21}{runtime:<30}{r['cpu_ms']:>8.2f}{r['cpu_ms_median']:>8.2f}{ratio:>9.2f}x{r['wall_ms']:>9.1f}{r['peak_rss_mb']:>13.0f}")
    print(f"(floor: {floor})")
    if len(events) > 1:
        small, large = results[events[0]], results[events[-1]]
        megabytes = large[runtimes[0]]["event_mb"] - small[runtimes[0]]["event_mb"]
        print(f"\nCPU per MB of event (and its response), from '{events[0]}' to '{events[-1]}':")
        for runtime in runtimes:
            print(f"  {runtime:<34}{(large[runtime]['cpu_ms'] - small[runtime]['cpu_ms']) / megabytes:>7.2f} ms/MB")


def main():
    emulator, warmup = sys.argv[1], int(sys.argv[2])
    events, runtimes, floor, json_path = [], [], None, None
    arguments = sys.argv[3:]
    while arguments:
        flag, value = arguments[0], arguments[1]
        arguments = arguments[2:]
        if flag == "--event":
            name, path, rounds = value.split("=", 2)
            events.append((name, open(path, "rb").read(), int(rounds)))
        elif flag == "--runtime":
            name, directory, command = value.split("=", 2)
            runtimes.append((name, directory, command))
        elif flag == "--floor":
            floor = value
        elif flag == "--json":
            json_path = value
        else:
            sys.exit(f"runtime_bench.py: unknown option {flag}")
    results = measure(emulator, warmup, events, runtimes)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(results, f, indent=1)
    report(results, floor or runtimes[0][0])


if __name__ == "__main__":
    main()
