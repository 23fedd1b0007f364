#!/usr/bin/env bash
# Build, run, test and benchmark the Swift Lambda functions. `./build.sh help` lists the verbs.
set -euo pipefail
cd "$(dirname "$0")"

RELEASE_DIR=.build/release
BENCH_VENV=.build/bench-venv
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
  bench                      benchmarks: per-invocation overhead of the runtime loop, side by side
                             with AWS's Python runtime client (awslambdaric)
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

cmd_bench() {
    build_release
    bench_python
    local count=${BENCH_INVOCATIONS:-3000} event=events/firehose-one-record.json reference=Sources/Benchmarks/reference
    say "runtime overhead: $count invocations of $event through lambda-emulator, each runtime in turn"
    local swift_json python_json
    swift_json=$("$RELEASE_DIR/lambda-emulator" bench firehose-transform "$event" --count "$count" --warmup 200)
    python_json=$(cd "$reference" && "../../../$RELEASE_DIR/lambda-emulator" bench seeds_transform.lambda_handler "../../../$event" \
        --count "$count" --warmup 200 -- "../../../$BENCH_VENV/bin/python" -m awslambdaric seeds_transform.lambda_handler)
    python3 - "$swift_json" "$python_json" "$AWSLAMBDARIC_VERSION" <<'EOF'
import json, sys
swift, python, version = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print("Runtime overhead per invocation (round trip through the Runtime API, one-record Firehose event)")
print(f"{'runtime':<34}{'mean µs':>10}{'p50 µs':>10}{'p90 µs':>10}{'p99 µs':>10}{'max RSS MB':>12}")
for name, r in ((f"bootstrap (Swift, URLSession)", swift), (f"awslambdaric {version} (Python)", python)):
    print(f"{name:<34}{r['mean_us']:>10.0f}{r['p50_us']:>10.0f}{r['p90_us']:>10.0f}{r['p99_us']:>10.0f}{r['max_memory_mb']:>12}")
ratio = swift["mean_us"] / python["mean_us"]
print(f"Swift / awslambdaric mean: {ratio:.2f}x (target: within 3x)")
EOF
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
