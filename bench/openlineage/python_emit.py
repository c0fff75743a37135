# The official Python client (openlineage-python, pinned in /work/main/.tools/ol-venv) emitting the same kind of
# event as the runtrail benchmark, one per request over its keep-alive requests session:
#   .tools/ol-venv/bin/python bench/openlineage/python_emit.py <base url> <events> [gzip]
# Prints {"events": n, "seconds": s} on stdout.
import json
import logging
import sys
import time

from openlineage.client import OpenLineageClient, __version__
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.generated import job_type_job, parent_run, processing_engine_run, tags_run
from openlineage.client.transport.http import HttpCompression, HttpConfig, HttpTransport
from openlineage.client.uuid import generate_static_uuid
from datetime import datetime, timezone

logging.disable(logging.CRITICAL)
url, n = sys.argv[1], int(sys.argv[2])
compression = HttpCompression.GZIP if len(sys.argv) > 3 and sys.argv[3] == "gzip" else None
client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, compression=compression)))
producer = "https://github.com/runtrail/runtrail/tree/v0.1.0/packages/core"
t0 = datetime(2026, 8, 20, 12, 0, 0, tzinfo=timezone.utc)
parent_id = str(generate_static_uuid(t0, b"default.default.order-sync-42.7f0c7a3e.1"))


def event(i: int) -> RunEvent:
    # A new run per event, like the runtrail side (one deterministic UUIDv7 per attempt).
    run_id = str(generate_static_uuid(t0, f"default.default.order-sync-42.7f0c7a3e.{i}.1".encode()))
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=parent_id),
        job=parent_run.Job(namespace="default", name="OrderSyncWorkflow"),
        root=parent_run.Root(
            run=parent_run.RootRun(runId=parent_id), job=parent_run.RootJob(namespace="default", name="OrderSyncWorkflow")
        ),
        producer=producer,
    )
    return RunEvent(
        eventType=RunState.START,
        eventTime=datetime.now(timezone.utc).isoformat(),
        producer=producer,
        run=Run(
            runId=run_id,
            facets={
                "parent": parent,
                "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                    version="1.24.0", name="Temporal", openlineageAdapterVersion="0.1.0", producer=producer
                ),
                "tags": tags_run.TagsRunFacet(
                    tags=[
                        tags_run.TagsRunFacetFields(key="runtrail.attempt", value="1", source="INTEGRATION"),
                        tags_run.TagsRunFacetFields(key="runtrail.maxAttempts", value="3", source="INTEGRATION"),
                        tags_run.TagsRunFacetFields(key="runtrail.firstAttemptRunId", value=run_id, source="INTEGRATION"),
                    ],
                    producer=producer,
                ),
            },
        ),
        job=Job(
            namespace="default",
            name="OrderSyncWorkflow.loadOrders",
            facets={
                "jobType": job_type_job.JobTypeJobFacet(
                    processingType="BATCH", integration="TEMPORAL", jobType="ACTIVITY", producer=producer
                )
            },
        ),
        inputs=[InputDataset(namespace="postgres://orders-db.internal:5432", name="shop.public.orders")],
        outputs=[OutputDataset(namespace="s3://acme-lake", name="raw/orders/2026-08-20.parquet")],
    )


for i in range(min(200, n)):  # warm-up: connection, caches
    client.emit(event(i))
started = time.perf_counter()
for i in range(n):
    client.emit(event(i))
seconds = time.perf_counter() - started
print(json.dumps({"events": n, "seconds": seconds, "client": f"openlineage-python {__version__}"}))
