// DataHub configuration from the environment (DATAHUB_GMS_URL / DATAHUB_GMS_TOKEN, as DataHub's CLI).
import { describe, expect, it } from 'vitest';
import { dataHubOptionsFromEnv, dataHubTransportFromEnv } from '../../src/datahub/config.js';
import { ConfigError } from '../../src/errors.js';

describe('dataHubOptionsFromEnv', () => {
  it('is off without DATAHUB_GMS_URL', () => {
    expect(dataHubOptionsFromEnv({})).toBeUndefined();
    expect(dataHubTransportFromEnv({ DATAHUB_GMS_URL: '  ' })).toBeUndefined();
  });

  it('reads the URL, token, mode and platform instance', () => {
    expect(
      dataHubOptionsFromEnv({
        DATAHUB_GMS_URL: 'http://gms:8080',
        DATAHUB_GMS_TOKEN: 'tok',
        RUNTRAIL_DATAHUB_MODE: 'OpenAPI',
        RUNTRAIL_DATAHUB_PLATFORM_INSTANCE: 'eu1',
      }),
    ).toEqual({ url: 'http://gms:8080', token: 'tok', mode: 'openapi', platformInstance: 'eu1' });
  });

  it('builds a transport, and refuses an unknown mode or a bad URL at construction', async () => {
    const t = dataHubTransportFromEnv({ DATAHUB_GMS_URL: 'http://gms:8080/' });
    expect(t?.url).toBe('http://gms:8080');
    await t?.close();
    expect(() => dataHubOptionsFromEnv({ DATAHUB_GMS_URL: 'http://gms', RUNTRAIL_DATAHUB_MODE: 'kafka' })).toThrow(ConfigError);
    expect(() => dataHubTransportFromEnv({ DATAHUB_GMS_URL: 'gms:8080' })).toThrow(/DATAHUB_GMS_URL/);
  });
});
