"""A stand-in for Amazon Data Firehose with a Kinesis source and a Lambda processor (template.json).

It plays AWS's managed service, as moto plays the others: it reads the stream (GetShardIterator,
GetRecords), buffers by size and by time, calls the transform with Firehose's event, checks that
every record came back exactly once, and writes GZIP objects into S3 as Firehose names them:

    streaming-data/year=YYYY/month=MM/day=DD/hour=HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.gz

with the UTC arrival time of the object's oldest record; ``.gz`` is the extension Firehose adds
for GZIP compression. The data of ``Ok`` records is concatenated as returned (the transform ends
each with a newline); ``Dropped`` records are left out; ``ProcessingFailed`` records go, as JSON
lines in Firehose's error format, under the template's ErrorOutputPrefix with
``!{firehose:error-output-type}`` = ``processing-failed``:

    streaming-errors/processing-failed/year=YYYY/month=MM/day=DD/hour=HH/<same name>.gz

One buffer serves the processor and the delivery (Firehose has one of each), so each call of
the transform makes at most one object and one error object.
"""

import base64
import gzip
import json
import time
import uuid
from datetime import datetime, timezone

DATA_PREFIX = "streaming-data/year={t:%Y}/month={t:%m}/day={t:%d}/hour={t:%H}/"
ERROR_PREFIX = "streaming-errors/processing-failed/year={t:%Y}/month={t:%m}/day={t:%d}/hour={t:%H}/"
RESULTS = {"Ok", "Dropped", "ProcessingFailed"}


class DeliveryError(Exception):
    """The transform broke Firehose's contract; Firehose would fail the batch."""


class FirehoseStandIn:
    def __init__(self, kinesis, s3, stream: str, bucket: str, transform, *, name: str, account: str, region: str,
                 buffer_bytes: int, buffer_seconds: float, on_object):
        """``transform(event) -> response`` invokes the Lambda; ``on_object(key)`` hears of each data object."""
        self.kinesis, self.s3, self.bucket, self.transform = kinesis, s3, bucket, transform
        self.name, self.region = name, region
        self.stream_arn = f"arn:aws:kinesis:{region}:{account}:stream/{stream}"
        self.delivery_arn = f"arn:aws:firehose:{region}:{account}:deliverystream/{name}"
        self.lambda_arn = f"arn:aws:lambda:{region}:{account}:function:firehose-transform:$LATEST"
        self.buffer_bytes, self.buffer_seconds, self.on_object = buffer_bytes, buffer_seconds, on_object
        self.iterators = {
            shard["ShardId"]: kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for shard in kinesis.list_shards(StreamName=stream)["Shards"]
        }
        self.buffer, self.buffered_bytes, self.buffer_started = [], 0, 0.0
        self.data_keys, self.error_keys = [], []

    def run_for(self, seconds: float) -> None:
        """Reads the stream for ``seconds``, delivering whenever a buffer hint is reached."""
        deadline = time.monotonic() + seconds
        while True:
            self.poll()
            if self.buffer and time.monotonic() - self.buffer_started >= self.buffer_seconds:
                self.deliver()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.2)

    def drain(self) -> None:
        """Reads until the stream has nothing more, and delivers the last buffer when its time is up."""
        while self.poll() or self.buffer:
            self.run_for(0.2)

    def poll(self) -> int:
        """One GetRecords call per shard; returns how many records arrived."""
        arrived = 0
        for shard, iterator in self.iterators.items():
            reply = self.kinesis.get_records(ShardIterator=iterator, Limit=10000)
            self.iterators[shard] = reply["NextShardIterator"]
            for record in reply["Records"]:
                self.add(shard, record)
                arrived += 1
        return arrived

    def add(self, shard: str, record) -> None:
        if not self.buffer:
            self.buffer_started = time.monotonic()
        arrival = int(record["ApproximateArrivalTimestamp"].timestamp() * 1000)
        sequence = record["SequenceNumber"]
        self.buffer.append({
            "recordId": f"{sequence}{0:013d}",
            "approximateArrivalTimestamp": arrival,
            "data": base64.b64encode(record["Data"]).decode(),
            "kinesisRecordMetadata": {
                "shardId": shard, "partitionKey": record["PartitionKey"], "approximateArrivalTimestamp": arrival,
                "sequenceNumber": sequence, "subsequenceNumber": 0,
            },
        })
        self.buffered_bytes += len(record["Data"])
        if self.buffered_bytes >= self.buffer_bytes:
            self.deliver()

    def deliver(self) -> None:
        """Calls the transform with the buffer and writes what it returned."""
        batch, self.buffer, self.buffered_bytes = self.buffer, [], 0
        event = {"invocationId": str(uuid.uuid4()), "sourceKinesisStreamArn": self.stream_arn,
                 "deliveryStreamArn": self.delivery_arn, "region": self.region, "records": batch}
        results = self.check(batch, self.transform(event))
        ok = [(record, base64.b64decode(results[record["recordId"]]["data"], validate=True))
              for record in batch if results[record["recordId"]]["result"] == "Ok"]
        failed = [record for record in batch if results[record["recordId"]]["result"] == "ProcessingFailed"]
        if ok:
            key = self.put(DATA_PREFIX, [record for record, _ in ok], b"".join(data for _, data in ok))
            self.data_keys.append(key)
            self.on_object(key)
        if failed:
            ended = int(time.time() * 1000)
            lines = [json.dumps({
                "attemptsMade": 1, "arrivalTimestamp": record["approximateArrivalTimestamp"],
                "errorCode": "Lambda.ProcessingFailedStatus", "errorMessage": "ProcessingFailed status set for record",
                "attemptEndingTimestamp": ended, "rawData": record["data"], "lambdaArn": self.lambda_arn,
            }) + "\n" for record in failed]
            self.error_keys.append(self.put(ERROR_PREFIX, failed, "".join(lines).encode()))

    @staticmethod
    def check(batch, response) -> dict:
        """The response's records by id, once it is certain that each record came back exactly once."""
        returned = response.get("records") if isinstance(response, dict) else None
        if not isinstance(returned, list):
            raise DeliveryError(f"the transform's response has no records array: {str(response)[:200]}")
        results = {}
        for result in returned:
            record_id = result.get("recordId")
            if record_id in results:
                raise DeliveryError(f"the transform returned record {record_id} twice")
            if result.get("result") not in RESULTS:
                raise DeliveryError(f"record {record_id}: result {result.get('result')!r} is none of {sorted(RESULTS)}")
            if result["result"] == "Ok" and not isinstance(result.get("data"), str):
                raise DeliveryError(f"record {record_id} is Ok without data")
            results[record_id] = result
        sent = {record["recordId"] for record in batch}
        if set(results) != sent:
            raise DeliveryError(f"the transform returned {len(results)} records for {len(sent)}: "
                                f"missing {sorted(sent - set(results))[:3]}, unknown {sorted(set(results) - sent)[:3]}")
        return results

    def put(self, prefix: str, records, body: bytes) -> str:
        """Writes one GZIP object, named after the arrival time of its oldest record."""
        oldest = datetime.fromtimestamp(min(r["approximateArrivalTimestamp"] for r in records) / 1000, timezone.utc)
        key = f"{prefix.format(t=oldest)}{self.name}-1-{oldest:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}.gz"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=gzip.compress(body))
        return key
