#!/usr/bin/env bash
# Build, run, test and benchmark the Swift Lambda functions. `./build.sh help` lists the verbs.
set -euo pipefail
cd "$(dirname "$0")"

ROOT=$PWD
RELEASE_DIR=$ROOT/.build/release
# PyPI tools for tests, benchmarks and local runs (never for the functions), kept out of the user's Python.
VENV=$ROOT/.build/venv
REFERENCE=$ROOT/Sources/Benchmarks/reference
LAMBDA_BUILD=$ROOT/.build-lambda
PACKAGE_DIR=$ROOT/.build/lambda
ZIP=$PACKAGE_DIR/function.zip
# Lambda's own limits for a zip deployment package.
ZIP_LIMIT=$((50 * 1024 * 1024))
UNZIPPED_LIMIT=$((250 * 1024 * 1024))
AWSLAMBDARIC_VERSION=3.1.1

# What each verb needs beyond the Swift toolchain. Debian packages: libcurl4-openssl-dev to link
# FoundationNetworking statically, zip and binutils (strip) to make the zip; unzip, busybox-static
# and openssl for verify-package's empty root and its HTTPS stand-in.
PACKAGE_DEBS=(libcurl4-openssl-dev zip binutils)
VERIFY_DEBS=("${PACKAGE_DEBS[@]}" unzip busybox-static openssl)
# `pipeline` and the Spark tests run PySpark, which needs Java 17.
PIPELINE_DEBS=(openjdk-17-jre-headless)
# PyPI test tools: moto's server mode plays AWS, cfn-lint checks template.json, PySpark runs the
# Spark application in local mode.
MOTO="moto[server]==5.2.5"
PYSPARK="pyspark==4.3.0"
TEST_PYPI=("$MOTO" "cfn-lint==1.58.0" "$PYSPARK")
PIPELINE_PYPI=("$MOTO" "$PYSPARK")

say() { printf '%s\n' "$*" >&2; }
die() { say "build.sh: $*"; exit 1; }

# The Debian packages among "$@" that are not installed (none can be told without dpkg).
missing_debs() {
    command -v dpkg-query >/dev/null || return 0
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
    done
}

# Installs the missing Debian packages among "$@" when this user can (root, apt-get, a network),
# then prints those still missing.
install_debs() {
    local missing
    missing=$(missing_debs "$@")
    if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "build.sh: installing Debian packages:" $missing
        # shellcheck disable=SC2086 # one word per package
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } >&2 ||
            say "build.sh: apt-get could not install them"
        missing=$(missing_debs "$@")
    fi
    [ -z "$missing" ] || echo "$missing"
}

# Stops at once, in one line, when VERB lacks a Debian package it cannot install.
require_debs() {
    local verb=$1 missing
    shift
    missing=$(install_debs "$@")
    [ -z "$missing" ] || die "$verb needs the Debian packages $(echo $missing) (as root: apt-get install $(echo $missing))"
}

# The PyPI requirements among "$@" (pinned: name==version) that .build/venv lacks (all without it).
missing_pypi() {
    if [ ! -x "$VENV/bin/python" ]; then
        printf '%s\n' "$@"
        return
    fi
    "$VENV/bin/python" - "$@" <<'EOF_PY'
import importlib.metadata, sys
for requirement in sys.argv[1:]:
    name, _, version = requirement.partition("==")
    try:
        if importlib.metadata.version(name.split("[")[0]) == version:
            continue
    except importlib.metadata.PackageNotFoundError:
        pass
    print(requirement)
EOF_PY
}

# Installs the PyPI requirements among "$@" that .build/venv lacks; pip shows its progress on a
# terminal (pyspark is a download of some 450 MB).
install_pypi() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >&2 || { say "build.sh: python3 -m venv failed"; return 1; }
    local missing quiet=--quiet
    missing=$(missing_pypi "$@")
    [ -n "$missing" ] || return 0
    [ ! -t 2 ] || quiet=
    say "build.sh: installing into .build/venv:" $missing
    # shellcheck disable=SC2086 # one word per requirement; no option when $quiet is empty
    "$VENV/bin/python" -m pip install $quiet --disable-pip-version-check $missing >&2 ||
        { say "build.sh: pip could not install" $missing; return 1; }
}

usage() {
    cat <<'EOF'
usage: ./build.sh [VERB] [ARGS...]

  build                      release build of streaming-lambdas (the functions' binary, `bootstrap` on
                             Lambda) and lambda-emulator (the default verb)
  invoke HANDLER EVENT_FILE  run the real bootstrap on one event through the local Runtime API
                             emulator; prints the response (exit 0) or the error JSON (exit 1).
                             Extra options go to lambda-emulator, e.g. --timeout 60 --env K=V;
                             --package-path DIR runs DIR's bootstrap (e.g. Examples/CustomTransformer)
  serve HANDLER              keep the function running behind the Runtime Interface Emulator's
                             invoke endpoint (default port 9000), for curl
  test                       the whole test suite (RUN_SLOW_TESTS=1 adds the 65-second idle test);
                             first installs what the tests need and this machine lacks: Debian
                             packages (as root, with apt-get) and PyPI tools (into .build/venv)
  bench                      benchmarks: firehose-transform alone (against the seeds' Python and a
                             Foundation version), then whole invocations of one record, 1 MB and
                             6.1 MB: CPU per invocation, wall time and peak RSS of bootstrap, bare
                             URLSession loops and the seeds' handler under awslambdaric
  package [--package-path DIR]
                             build .build/lambda/function.zip for provided.al2 (x86_64): bootstrap with
                             the Swift runtime linked in, plus its own loader, libraries and CA bundle;
                             of DIR's bootstrap into DIR/.build/lambda/function.zip with --package-path
  verify-package             unzip it into an empty root (the zip's files, a static busybox, /proc),
                             chroot into it with Lambda's environment and run both handlers (needs root)
  deploy STACK ARTIFACT_BUCKET [Name=Value...]
                             package, then `aws cloudformation package` and `deploy` template.json,
                             then upload spark/streaming_processor.py to the stack's SparkScript
                             (needs the AWS CLI and credentials; parameters as in the README)
  pipeline [--buffer-bytes N] [--buffer-seconds S] [--work DIR]
                             the whole pipeline on this machine, nothing from AWS: a producer, Kinesis
                             and S3 and EMR in moto, a Firehose stand-in calling the real transform,
                             the real trigger, its steps on local Spark; prints the results and leaves
                             the bucket in .build/pipeline/bucket/. First installs Java 17 (Debian,
                             as root) and moto and pyspark (PyPI, into .build/venv) when missing
  missing VERB               what package, verify-package, deploy or pipeline needs and this machine lacks
  help                       this text
EOF
}

# Compiler output goes to stderr so that stdout carries only results.
build_release() {
    swift build -c release --product streaming-lambdas >&2
    swift build -c release --product lambda-emulator >&2
}

# The package whose functions a verb builds: this one (product `streaming-lambdas`), or
# `--package-path DIR`, an example or your own package built on this one (product `bootstrap`).
# Sets FUNCTION_PACKAGE and FUNCTION_PRODUCT, and leaves the other arguments in ARGS.
take_package_path() {
    FUNCTION_PACKAGE=$ROOT
    FUNCTION_PRODUCT=streaming-lambdas
    ARGS=()
    while [ $# -gt 0 ]; do
        if [ "$1" = "--package-path" ]; then
            [ $# -ge 2 ] && [ -f "$2/Package.swift" ] || die "--package-path needs a folder with a Package.swift"
            FUNCTION_PACKAGE=$(cd "$2" && pwd)
            FUNCTION_PRODUCT=bootstrap
            shift 2
        else
            ARGS+=("$1")
            shift
        fi
    done
}

# Builds FUNCTION_PACKAGE's bootstrap in release mode and sets RUNTIME to the emulator's
# arguments that run it (none for this package's own, which the emulator finds beside itself).
build_runtime() {
    RUNTIME=()
    [ "$FUNCTION_PACKAGE" != "$ROOT" ] || return 0
    swift build -c release --product "$FUNCTION_PRODUCT" --package-path "$FUNCTION_PACKAGE" >&2
    RUNTIME=(-- "$FUNCTION_PACKAGE/.build/release/$FUNCTION_PRODUCT")
}

cmd_invoke() {
    take_package_path "$@"
    set -- "${ARGS[@]}"
    [ $# -ge 2 ] || die "usage: ./build.sh invoke HANDLER EVENT_FILE [--package-path DIR] [lambda-emulator options]"
    local handler=$1 event=$2
    shift 2
    [ "$event" = "-" ] || [ -f "$event" ] || die "no such event file: $event"
    build_release
    build_runtime
    exec "$RELEASE_DIR/lambda-emulator" invoke "$handler" "$event" "$@" "${RUNTIME[@]}"
}

cmd_serve() {
    take_package_path "$@"
    set -- "${ARGS[@]}"
    [ $# -ge 1 ] || die "usage: ./build.sh serve HANDLER [--package-path DIR] [lambda-emulator options]"
    build_release
    build_runtime
    exec "$RELEASE_DIR/lambda-emulator" serve "$@" "${RUNTIME[@]}"
}

# Sets up what the tests need, each part only when missing and only where this machine allows;
# a test whose tool is still missing skips and says so (REQUIRE_INTEGRATION=1 makes that a failure).
cmd_test() {
    local missing
    missing=$(install_debs "${VERIFY_DEBS[@]}" "${PIPELINE_DEBS[@]}")
    [ -z "$missing" ] || say "build.sh: not installed (the tests that need them will skip):" $missing
    install_pypi "${TEST_PYPI[@]}" || say "build.sh: the tests that need ${TEST_PYPI[*]} will skip"
    swift build --build-tests >&2
    swift test
    # The byte scanners read through unsafe pointers, some up to a sentinel without checking the
    # end: their tests run again under the address sanitizer, which catches a read out of bounds.
    # (Leak checking is off: XCTest and Foundation keep allocations until exit.)
    say "build.sh: the JSON, base64 and Firehose tests again under the address sanitizer"
    ASAN_OPTIONS=detect_leaks=0 swift test --sanitize=address --scratch-path "$ROOT/.build-asan" --filter 'ByteJSONTests|FirehoseTests'
    say "build.sh: Examples/CustomTransformer, a package built on this one"
    swift build --build-tests --package-path Examples/CustomTransformer >&2
    swift test --package-path Examples/CustomTransformer
}

# Prints what VERB needs and this machine lacks, one item per line (for the tests' skip messages).
cmd_missing() {
    case "${1:-}" in
        package | deploy) missing_debs "${PACKAGE_DEBS[@]}" ;;
        verify-package)
            missing_debs "${VERIFY_DEBS[@]}"
            [ "$(id -u)" = 0 ] || echo root
            ;;
        pipeline)
            missing_debs "${PIPELINE_DEBS[@]}"
            missing_pypi "${PIPELINE_PYPI[@]}"
            ;;
        *) die "usage: ./build.sh missing package|verify-package|deploy|pipeline" ;;
    esac
}

cmd_package() {
    take_package_path "$@"
    [ ${#ARGS[@]} -eq 0 ] || die "usage: ./build.sh package [--package-path DIR]"
    require_debs package "${PACKAGE_DEBS[@]}"
    local scratch=$LAMBDA_BUILD package_dir=$PACKAGE_DIR
    if [ "$FUNCTION_PACKAGE" != "$ROOT" ]; then
        scratch=$FUNCTION_PACKAGE/.build-lambda package_dir=$FUNCTION_PACKAGE/.build/lambda
    fi
    local zip=$package_dir/function.zip
    say "building $FUNCTION_PRODUCT ($FUNCTION_PACKAGE) for Lambda: release, Swift runtime linked statically"
    swift build -c release --product "$FUNCTION_PRODUCT" --static-swift-stdlib --package-path "$FUNCTION_PACKAGE" --scratch-path "$scratch" >&2
    local stage=$package_dir/stage
    rm -rf "$stage"
    mkdir -p "$stage/bin" "$stage/lib" "$stage/ssl"
    cp "$scratch/release/$FUNCTION_PRODUCT" "$stage/bin/bootstrap"
    strip --strip-all "$stage/bin/bootstrap"

    # Every shared library the binary needs, under its soname, and the dynamic loader itself.
    ldd "$stage/bin/bootstrap" | awk '/=> \//{ print $1, $3 } /ld-linux/{ print "ld-linux-x86-64.so.2", $1 }' |
        while read -r name path; do cp -L "$path" "$stage/lib/$name"; done
    [ -x "$stage/lib/ld-linux-x86-64.so.2" ] || die "ldd found no dynamic loader for bootstrap"
    strip --strip-unneeded "$stage"/lib/*.so*

    # libcurl reads CA certificates from the path it was built with (Debian's); point it at the
    # link lambda-bootstrap.sh makes to the system's bundle, or to the one shipped in ssl/.
    python3 - "$stage/lib/libcurl.so.4" <<'EOF_PY'
import sys
path, old, new = sys.argv[1], b"/etc/ssl/certs/ca-certificates.crt\0", b"/tmp/.lambda-ca-bundle.crt"
data = open(path, "rb").read()
if old not in data:
    sys.exit("build.sh: libcurl has no compiled-in CA bundle path to redirect")
open(path, "wb").write(data.replace(old, new + b"\0" * (len(old) - len(new))))
EOF_PY
    cp /etc/ssl/certs/ca-certificates.crt "$stage/ssl/ca-bundle.crt"
    install -m 755 Sources/Functions/lambda-bootstrap.sh "$stage/bootstrap"

    rm -f "$zip"
    (cd "$stage" && zip -q -r -9 -X "$zip" bootstrap bin lib ssl)
    local zipped unzipped
    zipped=$(stat -c %s "$zip")
    unzipped=$(du -sb "$stage" | cut -f1)
    [ "$zipped" -le "$ZIP_LIMIT" ] || die "function.zip is $zipped bytes, over Lambda's $ZIP_LIMIT"
    [ "$unzipped" -le "$UNZIPPED_LIMIT" ] || die "the unzipped package is $unzipped bytes, over Lambda's $UNZIPPED_LIMIT"
    printf '%s\n' "$zip: $(numfmt --to=iec "$zipped") zipped (Lambda's limit: 50 MiB), $(numfmt --to=iec "$unzipped") unzipped (limit: 250 MiB)"
}

cmd_verify_package() {
    [ "$(id -u)" = 0 ] || die "verify-package needs root, to chroot and mount /proc"
    require_debs verify-package "${VERIFY_DEBS[@]}"
    local busybox=/bin/busybox
    cmd_package
    swift build -c release --product lambda-emulator --static-swift-stdlib --scratch-path "$LAMBDA_BUILD" >&2

    # Script-level, for the exit trap.
    VERIFY_ROOT=$(mktemp -d /tmp/lambda-root.XXXXXX)
    VERIFY_WORK=$(mktemp -d /tmp/lambda-verify.XXXXXX)
    VERIFY_STUB=""
    trap cleanup_verification EXIT
    local root=$VERIFY_ROOT work=$VERIFY_WORK

    # The root holds the zip's files, a static shell and /proc, plus the two things of Lambda's
    # environment the zip relies on: a writable /tmp, and Amazon Linux's CA bundle path.
    mkdir -p "$root/var/task" "$root/bin" "$root/proc" "$root/tmp" "$root/etc/pki/tls/certs"
    unzip -q "$ZIP" -d "$root/var/task"
    cp "$busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    mount -t proc proc "$root/proc"
    # Amazon Linux's /lib64 comes first in Lambda's LD_LIBRARY_PATH, with an older glibc and libcurl.
    # Here it holds a decoy of every bundled library: loading any of them would fail the run.
    mkdir -p "$root/lib64"
    for lib in "$root"/var/task/lib/*; do printf 'not a library\n' > "$root/lib64/${lib##*/}"; done

    # An HTTPS stand-in for EMR, with a certificate from a CA that exists only in the root's
    # Amazon Linux bundle: the trigger reaches it only if the CA redirection works.
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=verify-package CA" \
        -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > "$work/san.ext"
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
        -extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
    cp "$work/ca.crt" "$root/etc/pki/tls/certs/ca-bundle.crt"
    python3 Tests/IntegrationTests/emr_stub.py "$work/server.crt" "$work/server.key" "$work/port" > "$work/stub.log" 2>&1 &
    VERIFY_STUB=$!
    for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
    [ -s "$work/port" ] || die "the EMR stand-in did not start"

    # Lambda's PATH and LD_LIBRARY_PATH (system /lib64 first); the emulator adds the rest of its variables.
    local lambda_env=(--clean-env --env PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin
        --env LD_LIBRARY_PATH=/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib
        --env LAMBDA_TASK_ROOT=/var/task)
    local runtime=(-- chroot "$root" /var/task/bootstrap)
    say "firehose-transform inside the root"
    "$LAMBDA_BUILD/release/lambda-emulator" invoke firehose-transform events/firehose-batch.json "${lambda_env[@]}" "${runtime[@]}" > "$work/transform.json"
    say "s3-emr-trigger inside the root, over HTTPS"
    "$LAMBDA_BUILD/release/lambda-emulator" invoke s3-emr-trigger events/s3-put-firehose-object.json "${lambda_env[@]}" \
        --env EMR_CLUSTER_ID=j-VERIFY --env AWS_ACCESS_KEY_ID=AKIDVERIFY --env AWS_SECRET_ACCESS_KEY=verify-secret \
        --env "AWS_ENDPOINT_URL_EMR=https://127.0.0.1:$(cat "$work/port")" "${runtime[@]}" > "$work/trigger.json"
    python3 - "$work/transform.json" "$work/trigger.json" <<'EOF_PY'
import json, sys
transform, trigger = (json.load(open(path)) for path in sys.argv[1:3])
assert [r["result"] for r in transform["records"]] == ["Ok"] * 4, transform
assert trigger["added"][0]["stepId"] == "s-VERIFIED", trigger
EOF_PY
    echo "verified: both handlers ran from the zip alone, with only busybox and /proc beside it"
}

cleanup_verification() {
    # SIGKILL: a test runner may have blocked SIGTERM for everything it starts.
    if [ -n "${VERIFY_STUB:-}" ]; then kill -KILL "$VERIFY_STUB" 2>/dev/null; wait "$VERIFY_STUB" 2>/dev/null || true; fi
    umount "$VERIFY_ROOT/proc" 2>/dev/null || true
    rm -rf --one-file-system "$VERIFY_ROOT" "$VERIFY_WORK"
}

cmd_deploy() {
    [ $# -ge 2 ] || die "usage: ./build.sh deploy STACK_NAME ARTIFACT_BUCKET [Name=Value...] (parameters: see the README)"
    local stack=$1 bucket=$2
    shift 2
    command -v aws >/dev/null || die "the AWS CLI is not installed"
    aws sts get-caller-identity >/dev/null || die "no usable AWS credentials (aws sts get-caller-identity failed)"
    cmd_package
    aws cloudformation package --template-file template.json --s3-bucket "$bucket" \
        --output-template-file "$PACKAGE_DIR/packaged.json" --use-json
    local overrides=()
    if [ $# -gt 0 ]; then overrides=(--parameter-overrides "$@"); fi
    # An update that changes nothing is no failure: the script below may still have changed.
    aws cloudformation deploy --template-file "$PACKAGE_DIR/packaged.json" --stack-name "$stack" \
        --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset "${overrides[@]}"

    # The stack does not carry the Spark application: put it where its steps will look, SparkScript,
    # `{bucket}` being the stack's bucket (CloudFormation cannot substitute it there).
    local data_bucket script
    data_bucket=$(stack_output "$stack" BucketName)
    script=$(stack_output "$stack" SparkScript)
    script=${script//\{bucket\}/$data_bucket}
    case "$script" in
        s3://?*/?*) ;;
        *) die "the stack's SparkScript output is not an s3:// object URI: '$script'" ;;
    esac
    aws s3 cp spark/streaming_processor.py "$script"
    say "build.sh: the Spark application is at $script"
}

# One output of a stack; stops the script when the stack does not have it.
stack_output() {
    local value
    value=$(aws cloudformation describe-stacks --stack-name "$1" \
        --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text)
    [ -n "$value" ] && [ "$value" != None ] || die "the stack $1 has no output $2"
    printf '%s\n' "$value"
}

# The seeds' Steps 6 and 7 with nothing from AWS (Tests/IntegrationTests/Pipeline/pipeline.py says
# how): installs what it needs when missing, builds, then runs the pipeline.
cmd_pipeline() {
    require_debs pipeline "${PIPELINE_DEBS[@]}"
    install_pypi "${PIPELINE_PYPI[@]}" || die "pipeline needs ${PIPELINE_PYPI[*]} from PyPI"
    say "build.sh: building the functions and lambda-emulator (release)"
    build_release
    PATH="$VENV/bin:$PATH" exec "$VENV/bin/python" Tests/IntegrationTests/Pipeline/pipeline.py "$@"
}

# The benchmarks' events: the seeds' one record; generated batches of seeds-like logs of 1,700
# records (1 MB, the template's default buffer) and 10,000 (6.1 MB, as many as Lambda's
# 6 MB invocation limit takes); and, for the handler alone, 10,000 with nested fields (6.7 MB).
BENCH=$ROOT/.build/bench

# The path of a generated batch of $1 records ($2 `lean`: without nested fields), made if missing.
bench_batch() {
    local records=$1 lean=${2-}
    local path=$BENCH/batch-$records${lean:+-lean}.json
    [ -f "$path" ] || "$RELEASE_DIR/firehose-bench" generate "$path" "$records" $lean || return 1
    printf '%s' "$path"
}

# The handler alone, event bytes in to response bytes out, in one process.
bench_handler() {
    local batch
    batch=$(bench_batch 10000)
    say "firehose-transform alone: 10,000 records (6.7 MB), default pipeline"
    local swift python
    swift=$("$RELEASE_DIR/firehose-bench" measure "$batch" 21)
    python=$(cd "$REFERENCE" && "$VENV/bin/python" bench_seeds.py "$batch" 7)
    python3 - "$swift" "$python" <<'EOF_PY'
import json, sys
swift, python = json.loads(sys.argv[1]), float(sys.argv[2])
mb = swift["event_bytes"] / 1e6
print(f"\nfirehose-transform alone on {swift['records']:,} records ({mb:.1f} MB event), event bytes in -> response bytes out (median)")
print(f"{'implementation':<58}{'ms':>8}{'GB/s':>7}")
for name, ms in (("Swift, one thread, CPU time (Lambda below 1,769 MB)", swift["swift_one_thread_ms"]),
                 ("Swift, two threads, wall time", swift["swift_ms"]),
                 ("Swift with Foundation JSONDecoder/JSONSerialization", swift["foundation_ms"]),
                 ("the seeds' Python handler (json.loads -> dumps)", python)):
    print(f"{name:<58}{ms:>8.1f}{mb / ms:>7.2f}")
print("Target: one thread within 5 ms (1.3 GB/s).")
EOF_PY
}

# Whole invocations through the Runtime API: bootstrap, the bare URLSession loops (each way of
# making the two calls) and the seeds' handler under awslambdaric, interleaved.
bench_invocations() {
    local one=$ROOT/events/firehose-one-record.json mb large event
    mb=$(bench_batch 1700 lean)
    large=$(bench_batch 10000 lean)
    # The bare loops answer each event with what bootstrap answers it, so both move the same bytes.
    local responses=$BENCH/responses
    rm -rf "$responses"
    mkdir -p "$responses"
    for event in "$one" "$mb" "$large"; do
        "$RELEASE_DIR/lambda-emulator" invoke firehose-transform "$event" --memory 1024 >"$responses/$(wc -c <"$event")" 2>/dev/null ||
            die "bench: firehose-transform failed on $event"
    done
    local loop=$RELEASE_DIR/bare-runtime-loop style
    local runtimes=(--runtime "bootstrap=$ROOT=-")
    for style in completion async delegate upload stream completion-close; do
        runtimes+=(--runtime "bare: $style=$ROOT=$loop $style $responses")
    done
    runtimes+=(--runtime "seeds' Python (awslambdaric)=$REFERENCE=$VENV/bin/python -m awslambdaric seeds_transform.lambda_handler")
    say "whole invocations: each runtime in turn, behind its own lambda-emulator (1,024 MB: one thread)"
    echo
    echo "Whole invocations: CPU time of all the runtime's threads per invocation (mean, median), round trip (median), peak RSS"
    python3 "$REFERENCE/runtime_bench.py" "$RELEASE_DIR/lambda-emulator" 10 \
        --event "one record=$one=${BENCH_ROUNDS:-2000}" --event "1 MB=$mb=200" --event "6.1 MB=$large=30" \
        "${runtimes[@]}" --floor "bare: completion" --json "$BENCH/invocations.json"
    echo "bare: a URLSession loop that only gets /next and posts what bootstrap answers, its calls made with"
    echo "  completion: dataTask completion handlers, as bootstrap | async: data(for:) | delegate: a data"
    echo "  delegate filling a buffer sized from Content-Length | upload: uploadTask(from:) for the post |"
    echo "  stream: the post's body as httpBodyStream | completion-close: Connection: close on each /next"
    echo "Targets: bootstrap within 1.1x of the bare loop on one record, 1.3x on the batches; peak RSS at most 64 MB."
}

cmd_bench() {
    build_release
    swift build -c release --product firehose-bench >&2
    swift build -c release --product bare-runtime-loop >&2
    install_pypi "awslambdaric==$AWSLAMBDARIC_VERSION" || die "the benchmarks need awslambdaric from PyPI"
    mkdir -p "$BENCH"
    bench_handler
    bench_invocations
}

verb=${1:-build}
[ $# -gt 0 ] && shift
case "$verb" in
    build) build_release ;;
    invoke) cmd_invoke "$@" ;;
    serve) cmd_serve "$@" ;;
    test) cmd_test ;;
    bench) cmd_bench ;;
    missing) cmd_missing "$@" ;;
    package) cmd_package "$@" ;;
    verify-package) cmd_verify_package ;;
    deploy) cmd_deploy "$@" ;;
    pipeline) cmd_pipeline "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown verb: $verb" ;;
esac
