"""The producer of the seeds' Step 6 (their test_pipeline.py): log records into the Kinesis stream.

Records are the seeds' ``{"user", "time", "action"}`` objects, with what a real stream also
carries: late events (one and two hours old), epoch-millisecond and ``+09:00`` times, extra fields,
non-ASCII names, times that do not parse or are missing, and records that are not JSON objects at
all. Every record's (user, time, action) is unique, so each can be found again downstream.
"""

import json
from datetime import datetime, timedelta, timezone

USERS = ["kimdh", "parksy", "leejw", "김민수", "choi.j"]
ACTIONS = ["login", "view", "purchase", "logout"]
KST = timezone(timedelta(hours=9))


def records(now: datetime, count: int = 45) -> list:
    """``count`` log records around ``now``, then the awkward ones, as the bytes put on the stream."""
    produced = []
    for index in range(count):
        # One second apart, so that no two records share a time; every third one is late.
        time = now - timedelta(seconds=index) - timedelta(hours=(index % 3 == 2) + (index % 9 == 8))
        record = {"user": USERS[index % len(USERS)], "time": iso(time), "action": ACTIONS[index % len(ACTIONS)]}
        if record["action"] == "view":
            record["page"] = f"/products/{index}"
        produced.append(json.dumps(record, ensure_ascii=False).encode())
    an_hour_ago = now - timedelta(hours=1, seconds=count + 1)
    awkward = [
        {"user": "leejw", "time": int(an_hour_ago.timestamp() * 1000), "action": "purchase", "amount": 129000},
        {"user": "parksy", "time": (now - timedelta(seconds=count + 2)).astimezone(KST).isoformat(timespec="seconds"),
         "action": "view"},
        {"user": "kimdh", "time": "yesterday", "action": "login"},
        {"user": "guest", "action": "view"},
        {"user": "guest", "time": "", "action": "logout"},
    ]
    produced += [json.dumps(record, ensure_ascii=False).encode() for record in awkward]
    produced += [b"user=kimdh action=login", b'["kimdh", "login"]', b'{"user": "nan", "time": NaN}',
                 b'{"user": "\xc3(", "action": "view"}']
    return produced


def iso(time: datetime) -> str:
    return time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def partition_key(data: bytes) -> str:
    """The user, as the seeds' producer keys its records; ``raw`` for what is not a JSON object."""
    try:
        return str(json.loads(data)["user"])
    except (ValueError, TypeError, KeyError):
        return "raw"


def put(kinesis, stream: str, batch) -> list:
    """Puts each record on the stream, one PutRecord call each; returns what Kinesis acknowledged."""
    sent = []
    for data in batch:
        reply = kinesis.put_record(StreamName=stream, Data=data, PartitionKey=partition_key(data))
        sent.append({"sequenceNumber": reply["SequenceNumber"], "shardId": reply["ShardId"], "data": data})
    return sent
