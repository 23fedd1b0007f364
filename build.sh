#!/usr/bin/env bash
# Build, run, test and benchmark the Swift Lambda functions. `./build.sh help` lists the verbs.
set -euo pipefail
cd "$(dirname "$0")"

ROOT=$PWD
RELEASE_DIR=$ROOT/.build/release
BENCH_VENV=$ROOT/.build/bench-venv
REFERENCE=$ROOT/Sources/Benchmarks/reference
AWSLAMBDARIC_VERSION=3.1.1

say() { printf '%s\n' "$*" >&2; }
die() { say "build.sh: $*"; exit 1; }

usage() {
    cat <<'EOF'
usage: ./build.sh [VERB] [ARGS...]

  build                      release build of bootstrap and lambda-emulator (the default verb)
  invoke HANDLER EVENT_FILE  run the real bootstrap on one event through the local Runtime API
                             emulator; prints the response (exit 0) or the error JSON (exit 1).
                             Extra options go to lambda-emulator, e.g. --timeout 60 --env K=V.
  serve HANDLER              keep the function running behind the Runtime Interface Emulator's
                             invoke endpoint (default port 9000), for curl
  test                       the whole test suite (RUN_SLOW_TESTS=1 adds the 65-second idle test)
  bench                      benchmarks, side by side with AWS's Python runtime client (awslambdaric):
                             the runtime loop's overhead per invocation, and firehose-transform on
                             a 10,000-record batch against the seeds' Python and a Foundation version
  help                       this text
EOF
}

# Compiler output goes to stderr so that stdout carries only results.
build_release() {
    swift build -c release --product bootstrap >&2
    swift build -c release --product lambda-emulator >&2
}

cmd_invoke() {
    [ $# -ge 2 ] || die "usage: ./build.sh invoke HANDLER EVENT_FILE [lambda-emulator options]"
    local handler=$1 event=$2
    shift 2
    [ "$event" = "-" ] || [ -f "$event" ] || die "no such event file: $event"
    build_release
    exec "$RELEASE_DIR/lambda-emulator" invoke "$handler" "$event" "$@"
}

cmd_serve() {
    [ $# -ge 1 ] || die "usage: ./build.sh serve HANDLER [lambda-emulator options]"
    build_release
    exec "$RELEASE_DIR/lambda-emulator" serve "$@"
}

cmd_test() {
    swift build --build-tests >&2
    swift test
}

# A Python environment with awslambdaric, for side-by-side measurements.
bench_python() {
    if [ ! -x "$BENCH_VENV/bin/python" ] || ! "$BENCH_VENV/bin/python" -c "import awslambdaric" 2>/dev/null; then
        say "setting up $BENCH_VENV with awslambdaric $AWSLAMBDARIC_VERSION"
        python3 -m venv "$BENCH_VENV"
        "$BENCH_VENV/bin/pip" install --quiet "awslambdaric==$AWSLAMBDARIC_VERSION"
    fi
}

# One emulator benchmark as a JSON line; the runtime's own logs are discarded.
emulator_bench() {
    local handler=$1 event=$2 count=$3 warmup=$4
    shift 4
    "$RELEASE_DIR/lambda-emulator" bench "$handler" "$event" --count "$count" --warmup "$warmup" "$@" 2>/dev/null
}

bench_runtime_overhead() {
    local count=${BENCH_INVOCATIONS:-3000} event=$PWD/events/firehose-one-record.json
    say "runtime overhead: $count invocations of a one-record batch, each runtime in turn"
    local swift python
    swift=$(emulator_bench firehose-transform "$event" "$count" 200)
    python=$(cd "$REFERENCE" && emulator_bench seeds_transform.lambda_handler "$event" "$count" 200 \
        -- "$BENCH_VENV/bin/python" -m awslambdaric seeds_transform.lambda_handler)
    python3 - "$swift" "$python" "$AWSLAMBDARIC_VERSION" <<'EOF_PY'
import json, sys
swift, python, version = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print("\nRuntime overhead per invocation (round trip through the Runtime API, one-record Firehose batch)")
print(f"{'runtime':<36}{'mean µs':>10}{'p50 µs':>10}{'p90 µs':>10}{'p99 µs':>10}{'max RSS MB':>12}")
for name, r in (("bootstrap (Swift, URLSession)", swift), (f"awslambdaric {version} (Python)", python)):
    print(f"{name:<36}{r['mean_us']:>10.0f}{r['p50_us']:>10.0f}{r['p90_us']:>10.0f}{r['p99_us']:>10.0f}{r['max_memory_mb']:>12}")
print(f"Swift / awslambdaric: {swift['mean_us'] / python['mean_us']:.2f}x (target: within 3x)")
EOF_PY
}

bench_firehose() {
    local records=${BENCH_RECORDS:-10000}
    local batch=$ROOT/.build/bench/batch-$records.json
    mkdir -p "$ROOT/.build/bench"
    [ -f "$batch" ] || "$RELEASE_DIR/firehose-bench" generate "$batch" "$records"
    say "firehose-transform: $records records, default pipeline, in process and through the Runtime API"
    local handlers python invocations reference_invocations
    handlers=$("$RELEASE_DIR/firehose-bench" measure "$batch" 21)
    python=$(cd "$REFERENCE" && "$BENCH_VENV/bin/python" bench_seeds.py "$batch" 7)
    invocations=$(emulator_bench firehose-transform "$batch" 10 1)
    reference_invocations=$(cd "$REFERENCE" && emulator_bench seeds_transform.lambda_handler "$batch" 5 1 \
        -- "$BENCH_VENV/bin/python" -m awslambdaric seeds_transform.lambda_handler)
    python3 - "$handlers" "$python" "$invocations" "$reference_invocations" <<'EOF_PY'
import json, sys
handlers, python = json.loads(sys.argv[1]), float(sys.argv[2])
swift_run, python_run = json.loads(sys.argv[3]), json.loads(sys.argv[4])
swift, one_thread = handlers["swift_ms"], handlers["swift_one_thread_ms"]
print(f"\nfirehose-transform on {handlers['records']:,} records ({handlers['event_bytes'] / 1e6:.1f} MB event), default pipeline")
print("Handler time, event bytes in -> response bytes out (median):")
print(f"{'implementation':<52}{'ms':>9}{'vs Swift':>11}")
for name, ms in (("Swift (FirehoseTransform, this package)", swift),
                 ("Swift on one thread (Lambda below 1,769 MB)", one_thread),
                 ("Swift with Foundation JSONDecoder/JSONSerialization", handlers["foundation_ms"]),
                 ("The seeds' Python handler (json.loads -> dumps)", python)):
    print(f"{name:<52}{ms:>9.1f}{ms / swift:>10.1f}x")
print("Targets: the seeds' Python at least 10x slower, Foundation at least 5x slower.")
print("Whole invocations through the Runtime API (lambda-emulator; includes moving the event and response):")
print(f"{'runtime':<52}{'mean ms':>9}{'max RSS MB':>12}")
print(f"{'bootstrap':<52}{swift_run['mean_us'] / 1000:>9.1f}{swift_run['max_memory_mb']:>12}")
print(f"{'awslambdaric running the seeds handler':<52}{python_run['mean_us'] / 1000:>9.1f}{python_run['max_memory_mb']:>12}")
print("Target: bootstrap's peak memory at most 80 MB.")
EOF_PY
}

cmd_bench() {
    build_release
    swift build -c release --product firehose-bench >&2
    bench_python
    bench_runtime_overhead
    bench_firehose
}

verb=${1:-build}
[ $# -gt 0 ] && shift
case "$verb" in
    build) build_release ;;
    invoke) cmd_invoke "$@" ;;
    serve) cmd_serve "$@" ;;
    test) cmd_test ;;
    bench) cmd_bench ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown verb: $verb" ;;
esac
