"""Spark step of the streaming pipeline: Firehose objects in S3 to partitioned Parquet.

Usage (what the s3-emr-trigger Lambda adds as an EMR step):

    spark-submit [options] streaming_processor.py INPUT... OUTPUT_PREFIX

Each INPUT is one object Firehose wrote (``s3://bucket/streaming-data/year=.../obj.gz`` on EMR,
any Hadoop path such as ``file:///tmp/obj.gz`` locally). Runs on EMR 7.x (Spark 3.5), on
PySpark 4 and on Spark 3.4 (EMR 6.x); the session pins UTC, non-ANSI SQL and the other
settings the results depend on, so every version writes the same rows.

Input
    JSON Lines, gzipped when the name ends in ``.gz``, or Parquet (Firehose's format conversion),
    recognised by its ``PAR1`` magic bytes or a ``.parquet`` name. A record is one JSON object,
    by default ``{"username": ..., "timestamp": ..., "action": ...}``; blank lines are skipped.

Output, under OUTPUT_PREFIX
    events/year=YYYY/month=MM/day=DD/hour=HH/part-<source>-<n>.snappy.parquet
        One row per accepted record, partitioned by the record's own ``timestamp`` in UTC, so a
        late event lands in its own hour. Columns: ``username``, ``action``, ``timestamp`` (the
        raw text, kept), ``event_time`` (a timestamp), then the record's other fields by name
        (ignoring case). Every column except ``event_time`` is a string: a JSON string's value,
        or the JSON text of any other value (``129000``, ``[{"sku":"A-1"}]``), so files written
        by different steps never disagree on a column's type. A key repeated in one record: the
        last one wins.
        Another field whose name equals, ignoring case, a column above, a partition column or
        another field (the all-lower-case one keeps its name) gets ``_`` prefixes until unique
        (``year`` -> ``_year``, ``Page`` next to ``page`` -> ``_Page``).
    rejected/part-<source>-<n>.json
        JSON Lines, one per record that is not kept, e.g.
        ``{"source":"s3://b/k.gz","line":7,"reason":"timestamp does not parse: yesterday",
        "record":"<the line as read>"}``. Reasons: ``not a JSON object``, ``invalid JSON``,
        ``timestamp is missing``, ``timestamp is null``, ``timestamp does not parse: <text>``.
        ``line`` counts every physical line from 1 (for Parquet: the row); for Parquet,
        ``record`` is the row as JSON.
    hourly_action_counts/year=.../hour=HH/
        Parquet: ``action``, ``events`` (rows), ``users`` (distinct non-null usernames), for every
        hour this step touched, recomputed from all of that hour's rows in ``events/``.

Timestamps
    ISO 8601: ``2025-08-07T10:15:00Z``, ``T``/``t``/space, optional seconds, fraction (``.`` or
    ``,``, up to 9 digits, kept to the microsecond), ``Z``, ``+09:00`` or ``+0900``; no zone is
    UTC; a date alone is midnight. A number or numeric string is Unix time: milliseconds when
    its absolute value is at least 1e11, seconds below, floored to the millisecond (the rule of
    the Swift transform's partitionKeys step); 2.5e14 ms (about year 9900) or more does not parse.

Idempotency (S3 and the trigger deliver at least once)
    Each input's files are named after <source>, the first 16 hex digits of the SHA-256 of its
    qualified URI. The step writes its rows to OUTPUT_PREFIX/_staging-<run id>/ with <source>
    as an extra partition, then, per touched directory, deletes that source's existing files and
    moves the new ones in (Hadoop FileSystem rename). Running a step again therefore replaces
    its own rows and nothing else; another object of the same hour keeps its files. The counts
    of the touched hours are then rewritten with dynamic partition overwrite, so they always
    reflect every source of the hour. The staging directory is removed at the end. Steps of the
    same hour are assumed not to run at the same time (EMR runs steps one at a time by default);
    if they do, the counts are right again after the next step of that hour.

An input that does not exist, or is a directory, fails the step (exit 1) before any write.
"""

import functools
import hashlib
import sys
import uuid
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

USAGE = "usage: spark-submit [options] streaming_processor.py INPUT... OUTPUT_PREFIX"
PARTITIONS = ["year", "month", "day", "hour"]
SOURCE_COLUMN = "_src"
RECORD_FIELDS = ["username", "action", "timestamp"]
RESERVED_COLUMNS = {*RECORD_FIELDS, "event_time", *PARTITIONS, SOURCE_COLUMN}

ISO_8601 = r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$"
ISO_PATTERN = "yyyy-MM-dd['T'HH:mm[:ss[.SSSSSSSSS]][XXX][XX]]"
EPOCH_NUMBER = r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$"
JSON_OPTIONS = {"allowSingleQuotes": "false", "allowNonNumericNumbers": "false"}
PARQUET_ROW_JSON_OPTIONS = {"ignoreNullFields": "false", "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"}

SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.mapKeyDedupPolicy": "LAST_WIN",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "WARN",
}


class InputError(Exception):
    """An input the step cannot read."""


@dataclass(frozen=True)
class Source:
    uri: str  # as given on the command line
    key: str  # short hash of the qualified URI, used in file names
    parquet: bool


class Hadoop:
    """The few Hadoop FileSystem calls the step needs, through the driver's JVM."""

    def __init__(self, spark: SparkSession):
        self.jvm = spark.sparkContext._jvm
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()

    def path(self, parent, child=None):
        """A Hadoop Path from a URI, or from a parent (URI or Path) and a relative child."""
        fs_path = self.jvm.org.apache.hadoop.fs.Path
        return fs_path(parent) if child is None else fs_path(parent, child)

    def fs(self, path):
        return path.getFileSystem(self.conf)


def main(argv) -> int:
    if len(argv) < 2:
        print(USAGE, file=sys.stderr)
        return 2
    inputs, output = argv[:-1], argv[-1]
    if not output.endswith("/"):
        output += "/"
    spark = create_session()
    try:
        run(spark, inputs, output)
    except InputError as error:
        print(f"streaming_processor: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


def create_session() -> SparkSession:
    builder = SparkSession.builder.appName("streaming-processor")
    for name, value in SESSION_SETTINGS.items():
        builder = builder.config(name, value)
    spark = builder.getOrCreate()
    context = spark.sparkContext
    # Only distinct keys and per-hour counts are shuffled: keep that to a few tasks unless told.
    if not context.getConf().contains("spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(context.defaultParallelism))
    return spark


def run(spark: SparkSession, inputs, output: str) -> None:
    hadoop = Hadoop(spark)
    sources = resolve_sources(hadoop, inputs)
    staging = f"{output}_staging-{uuid.uuid4().hex[:12]}/"
    out_fs = hadoop.fs(hadoop.path(output))
    try:
        records = classify(read_lines(spark, sources)).persist()
        events, rejected, field_names = summarize(records)
        hours = set()
        if events:
            write_events(records, field_names, staging + "events")
            hours = publish(hadoop, staging + "events", output + "events", ".snappy.parquet", len(PARTITIONS))
            recount(spark, output, hours)
        if rejected:
            write_rejected(records, staging + "rejected")
        publish(hadoop, staging + "rejected", output + "rejected", ".json", 0, [s.key for s in sources])
    finally:
        out_fs.delete(hadoop.path(staging), True)
    print(f"streaming_processor: {len(sources)} input(s): {events} event(s) in {len(hours)} hour(s),"
          f" {rejected} rejected -> {output}")


def resolve_sources(hadoop: Hadoop, inputs) -> list:
    """Checks every input before any work and detects its format; a repeated input counts once."""
    sources = {}
    for uri in inputs:
        path = hadoop.path(uri)
        fs = hadoop.fs(path)
        if not fs.exists(path):
            raise InputError(f"input does not exist: {uri}")
        if not fs.getFileStatus(path).isFile():
            raise InputError(f"input is not a file: {uri}")
        qualified = fs.makeQualified(path).toString()
        key = hashlib.sha256(qualified.encode()).hexdigest()[:16]
        is_parquet = uri.endswith(".parquet") or starts_with_parquet_magic(fs, path)
        sources.setdefault(key, Source(uri, key, is_parquet))
    return list(sources.values())


def starts_with_parquet_magic(fs, path) -> bool:
    stream = fs.open(path)
    try:
        return bytes(max(stream.read(), 0) for _ in range(4)) == b"PAR1"
    finally:
        stream.close()


def read_lines(spark: SparkSession, sources) -> DataFrame:
    """Every input's lines (Parquet rows as JSON text): source, _src, line, record."""
    return functools.reduce(DataFrame.unionByName, [read_source(spark, source) for source in sources])


def read_source(spark: SparkSession, source: Source) -> DataFrame:
    if source.parquet:
        raw = spark.read.parquet(source.uri)
        text = F.to_json(F.struct(F.col("*")), PARQUET_ROW_JSON_OPTIONS)
    else:
        raw = spark.read.text(source.uri)
        text = F.col("value")
    numbered = raw.select(text.alias("record"), F.monotonically_increasing_id().alias("id"))
    return numbered.select(
        F.lit(source.uri).alias("source"),
        F.lit(source.key).alias(SOURCE_COLUMN),
        line_number(numbered).alias("line"),
        "record",
    )


def line_number(numbered: DataFrame) -> Column:
    """1-based line numbers from monotonically_increasing_id (partition << 33 | row in partition).

    One partition (any gzip object, most others) needs nothing more; several need the row count
    of each partition, one extra pass over the input.
    """
    partition = F.shiftright("id", 33)
    row = F.col("id").bitwiseAND((1 << 33) - 1) + 1
    partitions = numbered.rdd.getNumPartitions()
    if partitions <= 1:
        return row
    counts = dict(numbered.groupBy(partition).count().collect())
    offsets, total = [], 0
    for index in range(partitions):
        offsets.append(total)
        total += counts.get(index, 0)
    offset = F.element_at(F.array(*[F.lit(offset) for offset in offsets]), (partition + 1).cast("int"))
    return offset + row


def classify(lines: DataFrame) -> DataFrame:
    """Adds ``fields`` (the object as a map of strings), ``event_time`` and ``reason`` (null: kept)."""
    is_object = F.col("record").rlike(r"^\s*\{")
    parsed = F.from_json("record", "MAP<STRING, STRING>", JSON_OPTIONS)
    fields = F.when(is_object, F.map_from_entries(F.map_entries(parsed)))  # repeated key: last wins
    timestamp = F.col("fields")["timestamp"]
    reason = (
        F.when(~is_object, F.lit("not a JSON object"))
        .when(F.col("fields").isNull(), F.lit("invalid JSON"))
        .when(~F.map_contains_key("fields", "timestamp"), F.lit("timestamp is missing"))
        .when(timestamp.isNull(), F.lit("timestamp is null"))
        .when(F.col("event_time").isNull(), F.concat(F.lit("timestamp does not parse: "), timestamp))
    )
    return (
        lines.where(~F.col("record").rlike(r"^\s*$"))
        .withColumn("fields", fields)
        .withColumn("event_time", parse_timestamp(timestamp))
        .withColumn("reason", reason)
    )


def parse_timestamp(text: Column) -> Column:
    """ISO 8601 text, or Unix seconds/milliseconds; null when it is neither."""
    iso = F.to_timestamp(F.translate(text, "t ,z", "TT.Z"), ISO_PATTERN)  # null when invalid (not ANSI)
    number = text.cast("double")
    millis = F.floor(F.when(F.abs(number) >= 1e11, number).otherwise(number * 1000))
    epoch = F.when(F.abs(millis) < 2.5e14, F.timestamp_seconds(millis.cast("decimal(18,0)") / 1000))
    return F.when(text.rlike(ISO_8601), iso).when(text.rlike(EPOCH_NUMBER), epoch)


def summarize(records: DataFrame):
    """(kept, rejected, field names of the kept records), in one pass that also fills the cache."""
    kept = F.col("reason").isNull()
    row = records.agg(
        F.count(F.when(kept, 1)),
        F.count("reason"),
        F.flatten(F.collect_set(F.when(kept, F.map_keys("fields")))),
    ).first()
    return row[0], row[1], set(row[2])


def extra_columns(field_names) -> list:
    """(field, column) for the fields after the fixed ones, renamed where they would collide."""
    taken = set(RESERVED_COLUMNS)
    columns = []
    # By name ignoring case; of names equal but for case, the all-lower-case one keeps its name.
    for key in sorted(set(field_names) - set(RECORD_FIELDS), key=lambda k: (k.lower(), k != k.lower(), k)):
        name = key
        while name.lower() in taken:
            name = "_" + name
        taken.add(name.lower())
        columns.append((key, name))
    return columns


def write_events(records: DataFrame, field_names, path: str) -> None:
    fields = F.col("fields")
    events = records.where(F.col("reason").isNull()).select(
        fields["username"].alias("username"),
        fields["action"].alias("action"),
        fields["timestamp"].alias("timestamp"),
        "event_time",
        *[fields[key].alias(name) for key, name in extra_columns(field_names)],
        *[F.date_format("event_time", pattern).alias(name)
          for name, pattern in zip(PARTITIONS, ["yyyy", "MM", "dd", "HH"])],
        SOURCE_COLUMN,
    )
    events.write.partitionBy(*PARTITIONS, SOURCE_COLUMN).option("compression", "snappy").parquet(path)


def write_rejected(records: DataFrame, path: str) -> None:
    rejected = records.where(F.col("reason").isNotNull())
    rejected = rejected.select("source", "line", "reason", "record", SOURCE_COLUMN)
    rejected.write.partitionBy(SOURCE_COLUMN).json(path)


def publish(hadoop: Hadoop, staged: str, target: str, suffix: str, depth: int, sources=()) -> set:
    """Moves staged files into ``target``, replacing each source's files in each directory.

    Staged files sit at <staged>/<``depth`` partition directories>/_src=<source>/part-*. The
    ``sources`` given lose their old files in ``target`` itself even when nothing new was staged
    for them. Returns the partition directories written, relative to ``target``.
    """
    groups = {("", source): [] for source in sources}
    staged_path = hadoop.path(staged)
    fs = hadoop.fs(staged_path)
    if fs.exists(staged_path):
        files = fs.listFiles(staged_path, True)
        while files.hasNext():
            status = files.next()
            path = status.getPath()
            if path.getName().startswith("part-") and status.getLen() > 0:
                source_dir = path.getParent()
                key = source_dir.getName().split("=", 1)[1]
                groups.setdefault((partition_dir(source_dir, depth), key), []).append(path)
    for (directory, source), paths in groups.items():
        replace_source_files(hadoop, hadoop.path(f"{target}/{directory}"), source, paths, suffix)
    return {directory for directory, _ in groups if directory}


def partition_dir(source_dir, depth: int) -> str:
    """The ``depth`` directory names above ``source_dir``, as a relative path."""
    names, current = [], source_dir
    for _ in range(depth):
        current = current.getParent()
        names.append(current.getName())
    return "/".join(reversed(names))


def replace_source_files(hadoop: Hadoop, directory, source: str, paths, suffix: str) -> None:
    """Deletes ``directory``'s files of ``source``, then moves ``paths`` in as its new files."""
    fs = hadoop.fs(directory)
    for old in fs.globStatus(hadoop.path(directory, f"part-{source}-*")) or []:
        fs.delete(old.getPath(), False)
    if paths:
        fs.mkdirs(directory)
    for index, path in enumerate(sorted(paths, key=lambda p: p.getName())):
        destination = hadoop.path(directory, f"part-{source}-{index}{suffix}")
        if not fs.rename(path, destination):
            raise RuntimeError(f"could not move {path.toString()} to {destination.toString()}")


def recount(spark: SparkSession, output: str, hours) -> None:
    """Rewrites hourly_action_counts for ``hours`` from every row those hours have in events/."""
    events_root = output + "events/"
    events = (
        spark.read.schema("username STRING, action STRING")
        .option("basePath", events_root)
        .parquet(*[events_root + hour for hour in sorted(hours)])
    )
    counts = events.groupBy(*PARTITIONS, "action").agg(
        F.count(F.lit(1)).alias("events"), F.countDistinct("username").alias("users"))
    counts = counts.coalesce(1)  # tiny: one file per hour
    counts.write.mode("overwrite").partitionBy(*PARTITIONS).parquet(output + "hourly_action_counts")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
