# DataHub's own SDK (acryl-datahub, pinned in scripts/lib/datahub-oracle.mjs, venv .tools/datahub-venv) doing what
# the runtrail benchmark does: build a run's MCPs the way DataProcessInstance.emit_process_start / _end do (one
# inlet, one outlet) and deliver them with DatahubRestEmitter.emit_mcps (Rest.li ingestProposalBatch).
#   .tools/datahub-venv/bin/python bench/datahub/python_emit.py <gms url> <runs> <map|emit>
# Prints {"runs": n, "mcps": m, "seconds": s, "maxrss_kib": k} on stdout.
import json
import logging
import resource
import sys
import time

from datahub.api.entities.dataprocess.dataprocess_instance import DataProcessInstance, InstanceRunResult
from datahub.emitter.mce_builder import make_data_flow_urn, make_data_job_urn_with_flow, make_dataset_urn
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.utilities.urns.data_job_urn import DataJobUrn
from datahub.utilities.urns.dataset_urn import DatasetUrn

logging.disable(logging.CRITICAL)
url, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flow = make_data_flow_urn("temporal", "order-workflow", "prod")
job = DataJobUrn.from_string(make_data_job_urn_with_flow(flow, "chargeCard"))
inlet = DatasetUrn.from_string(make_dataset_urn("postgres", "shop.public.orders", "PROD"))
outlet = DatasetUrn.from_string(make_dataset_urn("s3", "receipts/2024", "PROD"))
T0 = 1705312800000


class Collect:
    """An emitter stand-in that keeps what emit_process_* hand it (they call emit once per MCP)."""

    def __init__(self):
        self.mcps = []

    def emit(self, mcp, callback=None):
        self.mcps.append(mcp)


def run_mcps(i):
    dpi = DataProcessInstance(id=f"default/order-{i}/run/chargeCard", orchestrator="temporal", cluster="prod", template_urn=job)
    dpi.inlets = [inlet]
    dpi.outlets = [outlet]
    dpi.properties = {"workflowId": f"order-{i}", "taskQueue": "payments"}
    sink = Collect()
    dpi.emit_process_start(sink, T0 + i, attempt=1, emit_template=False)
    dpi.emit_process_end(sink, T0 + i + 5250, result=InstanceRunResult.SUCCESS, result_type="temporal", attempt=1, start_timestamp_millis=T0 + i)
    return sink.mcps


t = time.perf_counter()
if mode == "map":
    count = 0
    for i in range(n):
        for mcp in run_mcps(i):
            json.dumps(mcp.to_obj())
            count += 1
else:
    emitter = DatahubRestEmitter(gms_server=url)
    mcps = [m for i in range(n) for m in run_mcps(i)]
    t = time.perf_counter()
    for k in range(0, len(mcps), 200):
        emitter.emit_mcps(mcps[k : k + 200])
    count = len(mcps)
seconds = time.perf_counter() - t
print(json.dumps({"runs": n, "mcps": count, "seconds": seconds, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
