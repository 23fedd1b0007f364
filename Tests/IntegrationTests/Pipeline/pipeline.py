"""The seeds' Steps 6 and 7 on this machine, with nothing from AWS (``./build.sh pipeline``).

1. moto, in server mode on a free loopback port, plays Kinesis, S3, EMR and IAM, checking
   signatures: every call is signed with the keys of an IAM user.
2. The producer (producer.py) puts log records into the Kinesis stream, in two bursts.
3. The Firehose stand-in (firehose.py) reads the stream, calls the real ``firehose-transform``
   through lambda-emulator, and writes GZIP objects under ``streaming-data/`` and the records the
   transform failed under ``streaming-errors/``.
4. Each ``streaming-data/`` object's S3 event goes to the real ``s3-emr-trigger``, which signs its
   calls to moto's EMR with the keys of a user allowed only the trigger's three EMR actions.
5. Every step the trigger added runs with real Spark in local mode, from the step's own arguments
   (local_emr.py), on a copy of the bucket; ``processed-data/`` then goes back into S3.
6. spark/check_results.py prints rows per hour, counts per action and the rejected records.

WORK (default ``.build/pipeline``) is emptied first, and then holds ``bucket/`` (the bucket's
contents at the end), ``produced.jsonl`` (each record put on the stream: ``sequenceNumber``,
``shardId``, ``data`` in base64) and ``logs/`` (the functions' and the Spark steps' output).
Every process it starts ends with it, on failure and on Ctrl-C too.
"""

import argparse
import base64
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

import local_emr
import producer
from firehose import DeliveryError, FirehoseStandIn

ROOT = Path(__file__).resolve().parents[3]
REGION, ACCOUNT = "us-east-1", "123456789012"  # moto's default account
STREAM, DELIVERY_STREAM = "log-streaming-demo", "streaming-to-s3-pipeline"  # the seeds' names
TRIGGER_ACTIONS = ["elasticmapreduce:DescribeCluster", "elasticmapreduce:ListSteps", "elasticmapreduce:AddJobFlowSteps"]


class PipelineError(Exception):
    """A part of the pipeline failed; the message says which and where its log is."""


def say(message: str) -> None:
    print(f"pipeline: {message}", file=sys.stderr, flush=True)


class Function:
    """One handler of the real bootstrap behind ``lambda-emulator serve``, with Lambda's environment only."""

    def __init__(self, emulator: Path, handler: str, environment: dict, logs: Path):
        self.handler, self.log = handler, logs / f"{handler}.log"
        port_file = logs / f"{handler}.port"
        command = [str(emulator), "serve", handler, "--port", "0", "--port-file", str(port_file), "--clean-env",
                   "--timeout", "60"]
        for name, value in environment.items():
            command += ["--env", f"{name}={value}"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        try:
            while not port_file.is_file() or not port_file.read_text().strip().isdigit():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise PipelineError(f"lambda-emulator did not start {handler}; see {self.log}")
                time.sleep(0.05)
        except BaseException:  # Ctrl-C included: nobody else will stop it yet
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{int(port_file.read_text())}/2015-03-31/functions/function/invocations"

    def invoke(self, event: dict) -> dict:
        request = urllib.request.Request(self.url, data=json.dumps(event).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=90) as reply:
            body = reply.read()
            if reply.headers.get("X-Amz-Function-Error"):
                raise PipelineError(f"{self.handler} failed: {body.decode(errors='replace')} (log: {self.log})")
        return json.loads(body)

    def stop(self) -> None:
        """SIGTERM to the emulator, which ends the runtime it started."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        local_emr.end_group(self.process)


def start_moto() -> ThreadedMotoServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def create_users(endpoint: str):
    """IAM users for the services' roles (all actions) and for the trigger (its three EMR actions),
    then signature checking on, so that unsigned or wrongly signed calls fail from here on."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup",
                       aws_secret_access_key="setup")

    def user(name: str, actions) -> tuple:
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="allowed", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    services, trigger = user("local-services", "*"), user("s3-emr-trigger", TRIGGER_ACTIONS)
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                   headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(reset, timeout=10).read()
    return services, trigger


def s3_event(bucket: str, key: str, size: int, etag: str, sequencer: int) -> dict:
    """The notification S3 sends for a new object (events/s3-put-firehose-object.json), its key URL-encoded."""
    now = datetime.now(timezone.utc)
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AROAEXAMPLE:AWSFirehoseToS3"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        "s3": {
            "s3SchemaVersion": "1.0", "configurationId": "emr-trigger-notification",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKEXAMPLE"}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": size, "eTag": etag,
                       "sequencer": f"{sequencer:018X}"},
        },
    }]}


def create_resources(kinesis, s3, emr, bucket: str) -> str:
    """The seeds' Steps 1 to 4: the stream, the bucket with the Spark application, the EMR cluster (its id)."""
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    s3.create_bucket(Bucket=bucket)
    # Where ./build.sh deploy uploads it (the template's default SparkScript).
    s3.upload_file(str(ROOT / "spark" / "streaming_processor.py"), bucket, "scripts/streaming_processor.py")
    return emr.run_job_flow(
        Name="streaming-processing-cluster", ReleaseLabel="emr-7.14.0",
        Applications=[{"Name": "Spark"}, {"Name": "Hadoop"}, {"Name": "Hive"}],
        Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge", "InstanceCount": 3,
                   "KeepJobFlowAliveWhenNoSteps": True},
        ServiceRole="EMR_DefaultRole", JobFlowRole="EMR_EC2_DefaultRole")["JobFlowId"]


def run_steps(emr, cluster: str, step_ids, mirror: local_emr.BucketMirror, logs: Path, scratch: Path) -> list:
    """Runs the steps as EMR does, one at a time in order, each from its arguments as EMR recorded
    them, on the bucket's copy; after each, processed-data/ goes back into S3. Returns the failed ones."""
    steps = {step["Id"]: step for step in emr.list_steps(ClusterId=cluster)["Steps"]}
    failed = []
    for number, step_id in enumerate(step_ids, 1):
        command = local_emr.local_command(steps[step_id]["Config"]["Args"], mirror.bucket, mirror.folder)
        mirror.pull()
        log = logs / f"step-{number}-{step_id}.log"
        started = time.monotonic()
        with open(log, "wb") as output:
            status = local_emr.run(command, cwd=scratch, stdout=output, stderr=subprocess.STDOUT)
        mirror.push("processed-data/")
        summary = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("streaming_processor:")]
        say(f"spark: step {number}/{len(step_ids)} {step_id}: exit {status} in {time.monotonic() - started:.0f} s:"
            f" {summary[-1] if summary else f'see {log}'}")
        if status != 0:
            failed.append(f"{step_id} (log: {log})")  # ActionOnFailure CONTINUE: the next step still runs
    return failed


def run(options) -> int:
    started = time.monotonic()
    work: Path = options.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))  # the Spark steps' working folder
        moto = start_moto()
        stack.callback(moto.stop)
        endpoint = "http://{}:{}".format(*moto.get_host_and_port())
        (key, secret), trigger_keys = create_users(endpoint)
        say(f"moto plays Kinesis, S3, EMR and IAM on {endpoint}, checking signatures")

        def client(service: str):
            return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                                aws_secret_access_key=secret)

        kinesis, s3, emr = client("kinesis"), client("s3"), client("emr")
        bucket = f"streaming-pipeline-{int(time.time())}"  # the seeds' name
        cluster = create_resources(kinesis, s3, emr, bucket)
        say(f"stream {STREAM}, bucket {bucket} (with scripts/streaming_processor.py), EMR cluster {cluster}")

        transform = Function(options.emulator, "firehose-transform", {}, logs)
        stack.callback(transform.stop)
        trigger = Function(options.emulator, "s3-emr-trigger", {
            "EMR_CLUSTER_ID": cluster, "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": trigger_keys[0],
            "AWS_SECRET_ACCESS_KEY": trigger_keys[1], "AWS_ENDPOINT_URL_EMR": endpoint,
        }, logs)
        stack.callback(trigger.stop)
        say(f"firehose-transform and s3-emr-trigger served by {options.emulator}")

        step_ids = []

        def notify(object_key: str) -> None:
            """S3's notification for streaming-data/, sent to the trigger as S3 would."""
            head = s3.head_object(Bucket=bucket, Key=object_key)
            reply = trigger.invoke(s3_event(bucket, object_key, head["ContentLength"], head["ETag"].strip('"'),
                                            len(step_ids) + 1))
            added = [step["stepId"] for step in reply.get("added", [])]
            if not added:
                raise PipelineError(f"s3-emr-trigger added no step for {object_key}: {json.dumps(reply)}")
            step_ids.extend(added)
            say(f"  {object_key} ({head['ContentLength']} bytes) -> trigger added step {', '.join(added)}")

        firehose = FirehoseStandIn(kinesis, s3, STREAM, bucket, transform.invoke, name=DELIVERY_STREAM,
                                   account=ACCOUNT, region=REGION, buffer_bytes=options.buffer_bytes,
                                   buffer_seconds=options.buffer_seconds, on_object=notify)
        records = producer.records(datetime.now(timezone.utc))
        produced = []
        for burst in (records[:len(records) * 2 // 3], records[len(records) * 2 // 3:]):
            produced += producer.put(kinesis, STREAM, burst)
            say(f"producer: {len(burst)} records into {STREAM}; Firehose buffers {options.buffer_bytes} bytes"
                f" or {options.buffer_seconds:g} s")
            firehose.run_for(options.buffer_seconds + 1)
        firehose.drain()
        with open(work / "produced.jsonl", "w") as file:
            for record in produced:
                file.write(json.dumps({**record, "data": base64.b64encode(record["data"]).decode()}) + "\n")
        say(f"firehose: {len(produced)} records -> {len(firehose.data_keys)} objects in streaming-data/,"
            f" {len(firehose.error_keys)} in streaming-errors/")

        mirror = local_emr.BucketMirror(s3, bucket, work / "bucket")
        failed = run_steps(emr, cluster, step_ids, mirror, logs, scratch)
        mirror.pull()

        say(f"check_results.py on {mirror.folder / 'processed-data'} (the seeds' Step 7):")
        with open(logs / "check_results.log", "wb") as output:
            checked = local_emr.results(mirror.folder / "processed-data", as_json=False, stderr=output)
    if failed or checked != 0:
        raise PipelineError(f"failed Spark steps: {', '.join(failed)}" if failed
                            else f"check_results.py failed; see {logs / 'check_results.log'}")
    say(f"done in {time.monotonic() - started:.0f} s; the bucket is in {work / 'bucket'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="The whole streaming pipeline on this machine.")
    parser.add_argument("--work", type=Path, default=ROOT / ".build" / "pipeline",
                        help="where the bucket, the produced records and the logs go (emptied first)")
    parser.add_argument("--emulator", type=Path, default=ROOT / ".build" / "release" / "lambda-emulator",
                        help="lambda-emulator, with the streaming-lambdas binary beside it")
    parser.add_argument("--buffer-bytes", type=int, default=2048, help="Firehose's buffer size (default 2048)")
    parser.add_argument("--buffer-seconds", type=float, default=2, help="Firehose's buffer interval (default 2)")
    options = parser.parse_args()
    local_emr.exit_on_sigterm()
    if not options.emulator.is_file():
        print(f"pipeline: no {options.emulator}: ./build.sh build makes it", file=sys.stderr)
        return 2
    try:
        return run(options)
    except (PipelineError, DeliveryError, local_emr.StepError) as error:
        print(f"pipeline: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pipeline: interrupted; what it started has stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
