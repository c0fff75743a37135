# Regenerates uuid-vectors.json with the official OpenLineage Python client (pinned in /work/main/.tools/ol-venv):
#   .tools/ol-venv/bin/python packages/core/test/openlineage/golden/make-uuid-vectors.py
# The TypeScript staticUuidV7 must reproduce every vector byte for byte.
import json
import pathlib
import random
from datetime import datetime, timezone

from openlineage.client import __version__ as client_version
from openlineage.client.uuid import generate_static_uuid

rng = random.Random(20260820)
cases = [
    (1787227200000, "default.orders_etl.0"),
    (1787227200000, "default.orders_etl.load.1.-1"),
    (1787227200000, "default.orders_etl.load.2.-1"),
    (1787227200123, "x"),
    (1787227200000, "temporal-prod.default.order-sync-42.7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11"),
    (1787227201000, "temporal-prod.default.order-sync-42.7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11.3.1"),
    (1787227201000, "temporal-prod.default.order-sync-42.7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11.3.2"),
    (0, "epoch"),
    (1787227200001, "ünïcødé ✓ 𝄞"),
    (1787227200999, ""),
]
for _ in range(200):
    ms = rng.randrange(0, 4102444800000)  # 1970 .. 2100
    data = "".join(rng.choice("abc./-_0123456789é✓") for _ in range(rng.randrange(0, 40)))
    cases.append((ms, data))

vectors = []
for ms, data in cases:
    instant = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).replace(microsecond=(ms % 1000) * 1000)
    vectors.append({"epochMillis": ms, "data": data, "uuid": str(generate_static_uuid(instant, data.encode("utf-8")))})

out = pathlib.Path(__file__).with_name("uuid-vectors.json")
out.write_text(json.dumps({"generator": f"openlineage-python {client_version} generate_static_uuid", "vectors": vectors}, ensure_ascii=False, indent=1) + "\n")
print(f"wrote {len(vectors)} vectors to {out}")
