"""Runs an EMR step's spark-submit on this machine, as command-runner.jar runs it on the cluster.

Local Spark has no S3 connector, so the bucket lives in a folder too (``BucketMirror``): each
``s3://BUCKET/key`` argument of the step becomes ``file://FOLDER/key``, and ``--deploy-mode
cluster`` becomes local mode (``--master local[2]``, a quick-starting JVM, no web UI). Everything
else in the step's arguments is kept as the trigger wrote it.

    python local_emr.py step --bucket NAME --folder DIR -- spark-submit --deploy-mode cluster s3://NAME/...
    python local_emr.py results DIR/processed-data [--json]

run one step on DIR as it is, and spark/check_results.py on its output (the Spark tests use
these). Spark comes from the Python environment running this script (``.build/venv``); each
command runs in its own process group, which ends with it.
"""

import argparse
import hashlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOCAL_OPTIONS = ["--master", "local[2]", "--driver-java-options", "-XX:TieredStopAtLevel=1",
                 "--conf", "spark.ui.enabled=false"]
CHECK_RESULTS = Path(__file__).resolve().parents[3] / "spark" / "check_results.py"
# What Hadoop's local file system writes beside each file; S3 has no such objects.
LOCAL_ONLY_SUFFIX = ".crc"


class StepError(Exception):
    """A step this machine cannot run as EMR would."""


def local_command(args, bucket: str, folder: Path) -> list:
    """The step's arguments as a local spark-submit command line."""
    if not args or args[0] != "spark-submit":
        raise StepError(f"not a spark-submit step: {args[:3]}")
    rest = list(args[1:])
    if rest[:2] == ["--deploy-mode", "cluster"]:
        rest = rest[2:]
    else:
        raise StepError(f"the trigger's steps start with --deploy-mode cluster; this one: {args[:3]}")
    prefix = f"s3://{bucket}/"
    local = []
    for arg in rest:
        if arg.startswith("s3://") and not arg.startswith(prefix):
            raise StepError(f"{arg} is outside the pipeline's bucket {bucket}, which is all this machine has")
        local.append(f"file://{folder.resolve()}/{arg[len(prefix):]}" if arg.startswith(prefix) else arg)
    return [str(Path(sys.executable).parent / "spark-submit"), *LOCAL_OPTIONS, *local]


def spark_environment() -> dict:
    """This Python environment's bin first on PATH, Spark's Python workers on this Python, and
    the local options for a Spark that a Python program starts itself (check_results.py)."""
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    environment["PYSPARK_PYTHON"] = sys.executable
    environment["PYSPARK_SUBMIT_ARGS"] = shlex.join([*LOCAL_OPTIONS, "pyspark-shell"])
    environment["SPARK_LOCAL_IP"] = "127.0.0.1"
    return environment


def run(command, *, cwd: Path, stdout=None, stderr=None, timeout: float = 600) -> int:
    """Runs a command in its own process group and returns its exit status once the whole group
    has ended: a JVM outlives its Python for a moment, to run Spark's shutdown hooks."""
    process = subprocess.Popen(command, cwd=cwd, env=spark_environment(), stdout=stdout, stderr=stderr,
                               start_new_session=True)
    try:
        return process.wait(timeout=timeout)
    except BaseException:
        os.killpg(process.pid, signal.SIGTERM)  # the JVM's shutdown hooks remove Spark's temporary files
        raise
    finally:
        end_group(process)


def end_group(process: subprocess.Popen, grace: float = 10) -> None:
    """Waits up to ``grace`` seconds for the process group led by ``process`` to end, then kills the rest."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        process.poll()  # reaps the leader, whose zombie would keep the group alive
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def results(processed_data: Path, *, as_json: bool, stdout=None, stderr=None) -> int:
    """Runs spark/check_results.py (the seeds' Step 7 check) on a folder of the job's output."""
    command = [sys.executable, str(CHECK_RESULTS), str(processed_data.resolve())] + (["--json"] if as_json else [])
    with tempfile.TemporaryDirectory() as scratch:  # for whatever Spark leaves in its working folder
        return run(command, cwd=Path(scratch), stdout=stdout, stderr=stderr)


class BucketMirror:
    """A folder that holds what one S3 bucket holds, so that local Spark can read and write it."""

    def __init__(self, s3, bucket: str, folder: Path):
        self.s3, self.bucket, self.folder = s3, bucket, folder

    def objects(self, prefix: str = "") -> dict:
        """The bucket's keys under ``prefix``, with their ETags."""
        keys = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
        return keys

    def files(self, prefix: str = "") -> dict:
        """The folder's files under ``prefix``, by key."""
        root = self.folder / prefix
        if not root.exists():
            return {}
        return {path.relative_to(self.folder).as_posix(): path for path in root.rglob("*") if path.is_file()}

    def pull(self) -> None:
        """Makes the folder hold exactly what the bucket holds."""
        objects = self.objects()
        for key, path in self.files().items():
            if key not in objects:
                path.unlink()
        for key, etag in objects.items():
            path = self.folder / key
            if not path.is_file() or md5(path) != etag:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(self.bucket, key, str(path))
        remove_empty_folders(self.folder)

    def push(self, prefix: str) -> None:
        """Makes the bucket hold exactly the folder's files under ``prefix`` (Hadoop's .crc files aside)."""
        files = {key: path for key, path in self.files(prefix).items() if not key.endswith(LOCAL_ONLY_SUFFIX)}
        objects = self.objects(prefix)
        for key, path in files.items():
            if objects.get(key) != md5(path):
                self.s3.upload_file(str(path), self.bucket, key)
        stale = [key for key in objects if key not in files]
        for start in range(0, len(stale), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})


def exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C does, so that every ``finally`` stops what it started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def md5(path: Path) -> str:
    """S3's ETag of a file uploaded in one part."""
    return hashlib.md5(path.read_bytes()).hexdigest()


def remove_empty_folders(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description="Spark as EMR runs it, on a folder that holds the bucket.")
    commands = parser.add_subparsers(dest="command", required=True)
    step = commands.add_parser("step", help="run one EMR step's spark-submit locally")
    step.add_argument("--bucket", required=True, help="the bucket the step's s3:// URIs name")
    step.add_argument("--folder", required=True, type=Path, help="the folder that holds the bucket's objects")
    step.add_argument("args", nargs=argparse.REMAINDER, help="-- then the step's arguments, spark-submit first")
    check = commands.add_parser("results", help="spark/check_results.py on a copy of processed-data/")
    check.add_argument("folder", type=Path)
    check.add_argument("--json", action="store_true")
    options = parser.parse_args()
    exit_on_sigterm()
    if options.command == "results":
        return results(options.folder, as_json=options.json)
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    try:
        command = local_command(args, options.bucket, options.folder)
    except StepError as error:
        print(f"local_emr: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        return run(command, cwd=Path(scratch))


if __name__ == "__main__":
    sys.exit(main())
