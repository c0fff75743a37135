"""DataHub's own SDK (acryl-datahub) as an oracle for runtrail's DataHub output.

Reads a JSON object on stdin:
  {"proposals": [<Rest.li proposal as runtrail serialized it>, ...],
   "instances": [{"orchestrator", "cluster", "id", "urn"}, ...],
   "templates": [{"orchestrator", "flow", "cluster", "job"?, "urn"}, ...],
   "datasets": [{"platform", "name", "env", "urn"}, ...]}
and prints a JSON report: every proposal must load with MetadataChangeProposalWrapper.from_obj, validate(), and
re-serialize to the same bytes; every URN must equal the one DataHub's SDK builds.
"""
import json
import sys

from datahub.api.entities.dataprocess.dataprocess_instance import DataProcessInstance
from datahub.emitter.mce_builder import make_data_flow_urn, make_data_job_urn_with_flow, make_dataset_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper

request = json.load(sys.stdin)
problems = []
checked = 0

for proposal in request.get("proposals", []):
    checked += 1
    where = f"{proposal.get('aspectName')} of {proposal.get('entityUrn')}"
    try:
        mcpw = MetadataChangeProposalWrapper.from_obj(proposal)
    except Exception as e:  # noqa: BLE001 - any failure to load is a finding
        problems.append(f"{where}: from_obj failed: {e}")
        continue
    if not mcpw.validate():
        problems.append(f"{where}: validate() returned False")
        continue
    ours = proposal["aspect"]["value"]
    try:
        theirs = mcpw.to_obj()["aspect"]["value"]
    except Exception as e:  # noqa: BLE001
        problems.append(f"{where}: the SDK cannot serialize it: {e}")
        continue
    if ours != theirs:
        problems.append(f"{where}: aspect bytes differ\n  runtrail: {ours}\n  datahub:  {theirs}")

for inst in request.get("instances", []):
    checked += 1
    urn = str(DataProcessInstance(id=inst["id"], orchestrator=inst["orchestrator"], cluster=inst["cluster"]).urn)
    if urn != inst["urn"]:
        problems.append(f"DPI {inst['id']!r}: runtrail {inst['urn']} != datahub {urn}")

for t in request.get("templates", []):
    checked += 1
    flow = make_data_flow_urn(t["orchestrator"], t["flow"], t["cluster"])
    urn = make_data_job_urn_with_flow(flow, t["job"]) if t.get("job") is not None else flow
    if urn != t["urn"]:
        problems.append(f"template {t!r}: datahub {urn}")

for d in request.get("datasets", []):
    checked += 1
    urn = make_dataset_urn(d["platform"], d["name"], d["env"])
    if urn != d["urn"]:
        problems.append(f"dataset {d!r}: datahub {urn}")

json.dump({"checked": checked, "problems": problems}, sys.stdout)
