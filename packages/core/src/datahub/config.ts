// DataHub settings from the environment, named as DataHub's own CLI names them (DESIGN.md §6).
import { ConfigError } from '../errors.js';
import { DataHubTransport, type DataHubTransportOptions } from './transport.js';

/**
 * Options from `DATAHUB_GMS_URL` (required for a result), `DATAHUB_GMS_TOKEN`, `RUNTRAIL_DATAHUB_MODE`
 * (`restli` | `openapi`), `RUNTRAIL_DATAHUB_PLATFORM_INSTANCE`; `undefined` when no GMS URL is set.
 * @throws ConfigError for an unknown mode.
 */
export function dataHubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DataHubTransportOptions | undefined {
  const url = env.DATAHUB_GMS_URL?.trim();
  if (!url) return undefined;
  const options: DataHubTransportOptions = { url };
  if (env.DATAHUB_GMS_TOKEN) options.token = env.DATAHUB_GMS_TOKEN;
  const mode = env.RUNTRAIL_DATAHUB_MODE?.trim().toLowerCase();
  if (mode) {
    if (mode !== 'restli' && mode !== 'openapi')
      throw new ConfigError(`RUNTRAIL_DATAHUB_MODE must be "restli" or "openapi", got ${JSON.stringify(mode)}`);
    options.mode = mode;
  }
  if (env.RUNTRAIL_DATAHUB_PLATFORM_INSTANCE) options.platformInstance = env.RUNTRAIL_DATAHUB_PLATFORM_INSTANCE;
  return options;
}

/** The DataHub transport the environment asks for, or `undefined` without `DATAHUB_GMS_URL`. @throws ConfigError */
export function dataHubTransportFromEnv(env: NodeJS.ProcessEnv = process.env): DataHubTransport | undefined {
  const options = dataHubOptionsFromEnv(env);
  return options === undefined ? undefined : new DataHubTransport(options);
}
