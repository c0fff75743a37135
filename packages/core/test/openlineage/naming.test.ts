// Dataset naming: one DatasetRef serves DataHub (platform + name) and OpenLineage (namespace + name), per
// OpenLineage's naming spec (reference/openlineage.md §5).
import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '../../src/model/run-event.js';
import {
  bigqueryDataset,
  datasetRefFromOpenLineage,
  fileDataset,
  gcsDataset,
  hdfsDataset,
  hiveDataset,
  kafkaDataset,
  mssqlDataset,
  mysqlDataset,
  openLineageDataset,
  postgresDataset,
  redshiftDataset,
  s3Dataset,
  snowflakeDataset,
  trinoDataset,
} from '../../src/openlineage/naming.js';

describe('dataset naming helpers', () => {
  it.each<[string, DatasetRef, { platform: string; name: string }, { namespace: string; name: string }]>([
    [
      'postgres',
      postgresDataset({ host: 'db', database: 'shop', schema: 'public', table: 'orders' }),
      { platform: 'postgres', name: 'shop.public.orders' },
      { namespace: 'postgres://db:5432', name: 'shop.public.orders' },
    ],
    [
      'mysql',
      mysqlDataset({ host: 'db', port: 3307, database: 'shop', table: 'orders' }),
      { platform: 'mysql', name: 'shop.orders' },
      { namespace: 'mysql://db:3307', name: 'shop.orders' },
    ],
    [
      'mssql',
      mssqlDataset({ host: 'sql', database: 'dw', schema: 'dbo', table: 'facts' }),
      { platform: 'mssql', name: 'dw.dbo.facts' },
      { namespace: 'mssql://sql:1433', name: 'dw.dbo.facts' },
    ],
    [
      'redshift',
      redshiftDataset({ clusterIdentifier: 'c1', region: 'eu-west-1', database: 'dev', schema: 'public', table: 't' }),
      { platform: 'redshift', name: 'dev.public.t' },
      { namespace: 'redshift://c1.eu-west-1:5439', name: 'dev.public.t' },
    ],
    [
      'snowflake',
      snowflakeDataset({ account: 'acme-prod', database: 'DB', schema: 'PUBLIC', table: 'ORDERS' }),
      { platform: 'snowflake', name: 'DB.PUBLIC.ORDERS' },
      { namespace: 'snowflake://acme-prod', name: 'DB.PUBLIC.ORDERS' },
    ],
    [
      'bigquery',
      bigqueryDataset({ project: 'p', dataset: 'd', table: 't' }),
      { platform: 'bigquery', name: 'p.d.t' },
      { namespace: 'bigquery', name: 'p.d.t' },
    ],
    [
      'trino',
      trinoDataset({ host: 'trino', catalog: 'hive', schema: 's', table: 't' }),
      { platform: 'trino', name: 'hive.s.t' },
      { namespace: 'trino://trino:8080', name: 'hive.s.t' },
    ],
    [
      'hive',
      hiveDataset({ host: 'meta', database: 'db', table: 't' }),
      { platform: 'hive', name: 'db.t' },
      { namespace: 'hive://meta:9083', name: 'db.t' },
    ],
    [
      's3',
      s3Dataset({ bucket: 'acme-lake', key: '/raw/orders.parquet' }),
      { platform: 's3', name: 'acme-lake/raw/orders.parquet' },
      { namespace: 's3://acme-lake', name: 'raw/orders.parquet' },
    ],
    [
      'gcs',
      gcsDataset({ bucket: 'acme', key: 'raw/x.csv' }),
      { platform: 'gcs', name: 'acme/raw/x.csv' },
      { namespace: 'gs://acme', name: 'raw/x.csv' },
    ],
    [
      'hdfs',
      hdfsDataset({ host: 'nn', path: '/data/x' }),
      { platform: 'hdfs', name: '/data/x' },
      { namespace: 'hdfs://nn:8020', name: '/data/x' },
    ],
    [
      'kafka',
      kafkaDataset({ host: 'broker', topic: 'orders' }),
      { platform: 'kafka', name: 'orders' },
      { namespace: 'kafka://broker:9092', name: 'orders' },
    ],
    [
      'local file',
      fileDataset({ path: '/tmp/out.csv' }),
      { platform: 'file', name: '/tmp/out.csv' },
      { namespace: 'file', name: '/tmp/out.csv' },
    ],
    [
      'remote file',
      fileDataset({ path: '/srv/x', host: 'nfs1' }),
      { platform: 'file', name: '/srv/x' },
      { namespace: 'file://nfs1', name: '/srv/x' },
    ],
  ])('%s: DataHub key and OpenLineage name from one declaration', (_store, ref, datahub, openlineage) => {
    expect({ platform: ref.platform, name: ref.name }).toEqual(datahub);
    expect(openLineageDataset(ref)).toEqual(openlineage);
    // The reverse mapping gives back the same DataHub key.
    expect(datasetRefFromOpenLineage(openlineage)).toMatchObject(datahub);
  });

  it('carries DataHub env and platform instance through', () => {
    expect(postgresDataset({ host: 'db', database: 'a', schema: 'b', table: 'c', env: 'DEV', platformInstance: 'eu' })).toMatchObject({
      env: 'DEV',
      platformInstance: 'eu',
    });
  });
});

describe('openLineageDataset without a namespace', () => {
  it('derives s3://{bucket} and gs://{bucket} from the DataHub name', () => {
    expect(openLineageDataset({ platform: 's3', name: 'b/k/x' })).toEqual({ namespace: 's3://b', name: 'k/x' });
    expect(openLineageDataset({ platform: 'gcs', name: 'b' })).toEqual({ namespace: 'gs://b', name: '/' });
  });

  it('uses {platform}://{platformInstance}, else {platform}, when no host is known', () => {
    expect(openLineageDataset({ platform: 'postgres', name: 'a.b.c', platformInstance: 'db1' })).toEqual({
      namespace: 'postgres://db1',
      name: 'a.b.c',
    });
    expect(openLineageDataset({ platform: 'postgres', name: 'a.b.c' })).toEqual({ namespace: 'postgres', name: 'a.b.c' });
    expect(openLineageDataset({ platform: 'bigquery', name: 'p.d.t' })).toEqual({ namespace: 'bigquery', name: 'p.d.t' });
  });
});

describe('datasetRefFromOpenLineage', () => {
  it('maps scheme aliases to DataHub platforms and keeps unknown schemes', () => {
    expect(datasetRefFromOpenLineage({ namespace: 'postgresql://h:5432', name: 'a.b.c' }).platform).toBe('postgres');
    expect(datasetRefFromOpenLineage({ namespace: 'awsathena://athena.eu-west-1.amazonaws.com', name: 'c.d.t' }).platform).toBe('athena');
    expect(datasetRefFromOpenLineage({ namespace: 'redis://cache:6379', name: '0.bull.emails' })).toEqual({
      platform: 'redis',
      name: '0.bull.emails',
      namespace: 'redis://cache:6379',
    });
  });
});
