"""Shows what streaming_processor.py wrote (the seeds' Step 7 check).

    python check_results.py [PROCESSED_DATA] [--json]

PROCESSED_DATA is the job's OUTPUT_PREFIX or a copy of it (default ``./pipeline-results/``, where
``aws s3 sync s3://$BUCKET_NAME/processed-data/ ./pipeline-results/`` puts it); any Hadoop URI
works. Prints rows per hour, the hourly counts per action and the rejected records as tables, or
with ``--json`` one JSON object, every row sorted:

    {"events": [{"username": ..., "action": ..., "timestamp": ..., "event_time": "2025-08-07T10:15:00Z",
                 ...other fields..., "year": "2025", "month": "08", "day": "07", "hour": "10"}],
     "rejected": [{"source": ..., "line": 7, "reason": ..., "record": ...}],
     "hourly_action_counts": [{"action": ..., "events": 2, "users": 1, "year": ..., "hour": ...}]}

``event_time`` is UTC with as many fraction digits as it needs (none, 3 or 6). Events files
written by different steps may have different other fields; they are merged, missing ones null.
"""

import argparse
import json
from datetime import datetime, timedelta, timezone

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

PARTITIONS = ["year", "month", "day", "hour"]
REJECTED_SCHEMA = "source STRING, line BIGINT, reason STRING, record STRING"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description="Show the Spark step's results.")
    parser.add_argument("path", nargs="?", default="./pipeline-results/",
                        help="the job's OUTPUT_PREFIX, or a copy of it (directory or URI)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    root = args.path if args.path.endswith("/") else args.path + "/"

    spark = (
        SparkSession.builder.appName("check-results")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "WARN")
        .getOrCreate()
    )
    try:
        events = read(spark, root + "events", lambda r: r.option("mergeSchema", "true").parquet)
        rejected = read(spark, root + "rejected", lambda r: r.schema(REJECTED_SCHEMA).json)
        counts = read(spark, root + "hourly_action_counts", lambda r: r.parquet)
        if args.json:
            print_json(events, rejected, counts)
        else:
            print_tables(events, rejected, counts)
    finally:
        spark.stop()


def read(spark: SparkSession, uri: str, reader):
    """The dataset at ``uri``, or None when the job never wrote it."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    if not path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(path):
        return None
    return reader(spark.read)(uri)


def print_tables(events, rejected, counts) -> None:
    print(f"events: {events.count() if events is not None else 0} rows")
    if events is not None:
        per_hour = events.groupBy(*PARTITIONS).agg(F.count(F.lit(1)).alias("rows"))
        per_hour.orderBy(*PARTITIONS).show(1000, truncate=False)
    print("hourly_action_counts:")
    if counts is not None:
        counts = counts.select(*PARTITIONS, "action", "events", "users")
        counts.orderBy(*PARTITIONS, "action").show(1000, truncate=False)
    print(f"rejected: {rejected.count() if rejected is not None else 0} records")
    if rejected is not None:
        rejected.orderBy("source", "line").show(100, truncate=False)


def print_json(events, rejected, counts) -> None:
    result = {
        "events": rows(events, [*PARTITIONS, "event_time", "username", "action", "timestamp"], "event_time"),
        "rejected": rows(rejected, ["source", "line"]),
        "hourly_action_counts": rows(counts, [*PARTITIONS, "action"]),
    }
    print(json.dumps(result))


def rows(frame: DataFrame, order, time_column=None) -> list:
    if frame is None:
        return []
    if time_column:  # as microseconds: PySpark would convert timestamps to the local time zone
        frame = frame.withColumn(time_column, F.expr(f"unix_micros(`{time_column}`)"))
    result = [row.asDict() for row in frame.orderBy(*order).collect()]
    for row in result:
        if time_column and row[time_column] is not None:
            row[time_column] = iso8601(row[time_column])
    return result


def iso8601(micros: int) -> str:
    """``2025-08-07T10:15:00Z``, ``...00.250Z`` or ``...00.123456Z``."""
    time = EPOCH + timedelta(microseconds=micros)
    fraction = f"{time.microsecond:06d}"
    fraction = "" if fraction == "000000" else "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return time.replace(microsecond=0, tzinfo=None).isoformat() + fraction + "Z"


if __name__ == "__main__":
    main()
