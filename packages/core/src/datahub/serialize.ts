// MCP → DataHub request bodies, byte for byte as DataHub's Python SDK writes them (reference/datahub.md §4.1–4.2):
// Python's default separators and ensure_ascii everywhere; Rest.li carries the aspect as a JSON *string*,
// OpenAPI v3 as an object; `async` is a string on Rest.li and a query parameter on OpenAPI.
import { pythonJson } from './python-json.js';
import type { DataHubMcp, DataHubSystemMetadata } from './types.js';

/** The Rest.li proposal object (key order: entityType, entityUrn, changeType, aspectName, aspect, systemMetadata). */
export function restliProposal(mcp: DataHubMcp, systemMetadata: DataHubSystemMetadata | undefined): Record<string, unknown> {
  return {
    entityType: mcp.entityType,
    entityUrn: mcp.entityUrn,
    changeType: mcp.changeType,
    aspectName: mcp.aspectName,
    aspect: { value: pythonJson(mcp.aspect), contentType: 'application/json' },
    systemMetadata,
  };
}

/** Body of `POST /aspects?action=ingestProposal`. */
export function restliSingleBody(mcp: DataHubMcp, systemMetadata: DataHubSystemMetadata | undefined, async: boolean): string {
  return pythonJson({ proposal: restliProposal(mcp, systemMetadata), async: async ? 'true' : 'false' });
}

/** Body of `POST /aspects?action=ingestProposalBatch`. */
export function restliBatchBody(mcps: readonly DataHubMcp[], systemMetadata: DataHubSystemMetadata | undefined, async: boolean): string {
  return pythonJson({ proposals: mcps.map((m) => restliProposal(m, systemMetadata)), async: async ? 'true' : 'false' });
}

/** One item of an OpenAPI v3 `POST /openapi/v3/entity/{entityType}` array body. */
export function openApiItem(
  mcp: DataHubMcp,
  systemMetadata: DataHubSystemMetadata | undefined,
  syncIndex = false,
): Record<string, unknown> {
  return {
    urn: mcp.entityUrn,
    [mcp.aspectName]: {
      value: mcp.aspect,
      systemMetadata,
      headers: syncIndex ? { 'X-DataHub-Sync-Index-Update': 'true' } : {},
    },
  };
}

/** Body of one OpenAPI v3 request (all MCPs of one entity type). */
export function openApiBody(mcps: readonly DataHubMcp[], systemMetadata: DataHubSystemMetadata | undefined): string {
  return pythonJson(mcps.map((m) => openApiItem(m, systemMetadata)));
}
