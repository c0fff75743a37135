// Dataset naming per OpenLineage's naming spec (website/docs/spec/naming.md, reference/openlineage.md §5), as
// `DatasetRef`s: `platform` + `name` are DataHub's dataset key, `namespace` + the derived name are OpenLineage's,
// so one declaration serves both backends. `openLineageDataset` and `datasetRefFromOpenLineage` convert.
import type { DatasetRef } from '../model/run-event.js';
import type { OpenLineageDataset } from './types.js';

/** Fields every helper accepts: DataHub's fabric and platform instance. */
export interface DatasetRefExtras {
  /** DataHub fabric. Default `PROD` (applied by the DataHub mapper). */
  env?: string;
  /** DataHub platform instance. */
  platformInstance?: string;
}

function ref(platform: string, name: string, namespace: string, extras: DatasetRefExtras | undefined): DatasetRef {
  const r: DatasetRef = { platform, name, namespace };
  if (extras?.env !== undefined) r.env = extras.env;
  if (extras?.platformInstance !== undefined) r.platformInstance = extras.platformInstance;
  return r;
}

/** Postgres table: namespace `postgres://{host}:{port}`, name `{database}.{schema}.{table}`. Port default 5432. */
export function postgresDataset(
  o: { host: string; port?: number; database: string; schema: string; table: string } & DatasetRefExtras,
): DatasetRef {
  return ref('postgres', `${o.database}.${o.schema}.${o.table}`, `postgres://${o.host}:${o.port ?? 5432}`, o);
}

/** MySQL table: namespace `mysql://{host}:{port}`, name `{database}.{table}`. Port default 3306. */
export function mysqlDataset(o: { host: string; port?: number; database: string; table: string } & DatasetRefExtras): DatasetRef {
  return ref('mysql', `${o.database}.${o.table}`, `mysql://${o.host}:${o.port ?? 3306}`, o);
}

/** SQL Server table: namespace `mssql://{host}:{port}`, name `{database}.{schema}.{table}`. Port default 1433. */
export function mssqlDataset(
  o: { host: string; port?: number; database: string; schema: string; table: string } & DatasetRefExtras,
): DatasetRef {
  return ref('mssql', `${o.database}.${o.schema}.${o.table}`, `mssql://${o.host}:${o.port ?? 1433}`, o);
}

/**
 * Redshift table: namespace `redshift://{clusterIdentifier}.{region}:{port}`, name `{database}.{schema}.{table}`.
 * Port default 5439.
 */
export function redshiftDataset(
  o: { clusterIdentifier: string; region: string; port?: number; database: string; schema: string; table: string } & DatasetRefExtras,
): DatasetRef {
  return ref('redshift', `${o.database}.${o.schema}.${o.table}`, `redshift://${o.clusterIdentifier}.${o.region}:${o.port ?? 5439}`, o);
}

/**
 * Snowflake table: namespace `snowflake://{account}` (preferably `{org}-{account}`), name
 * `{database}.{schema}.{table}`, kept in the case given (DataHub's Snowflake source lower-cases its own names;
 * pass lower-case names to match it).
 */
export function snowflakeDataset(o: { account: string; database: string; schema: string; table: string } & DatasetRefExtras): DatasetRef {
  return ref('snowflake', `${o.database}.${o.schema}.${o.table}`, `snowflake://${o.account}`, o);
}

/** BigQuery table: namespace `bigquery`, name `{project}.{dataset}.{table}`. */
export function bigqueryDataset(o: { project: string; dataset: string; table: string } & DatasetRefExtras): DatasetRef {
  return ref('bigquery', `${o.project}.${o.dataset}.${o.table}`, 'bigquery', o);
}

/** Trino table: namespace `trino://{host}:{port}`, name `{catalog}.{schema}.{table}`. Port default 8080. */
export function trinoDataset(
  o: { host: string; port?: number; catalog: string; schema: string; table: string } & DatasetRefExtras,
): DatasetRef {
  return ref('trino', `${o.catalog}.${o.schema}.${o.table}`, `trino://${o.host}:${o.port ?? 8080}`, o);
}

/** Hive table: namespace `hive://{host}:{port}`, name `{database}.{table}`. Port default 9083. */
export function hiveDataset(o: { host: string; port?: number; database: string; table: string } & DatasetRefExtras): DatasetRef {
  return ref('hive', `${o.database}.${o.table}`, `hive://${o.host}:${o.port ?? 9083}`, o);
}

/**
 * S3 object or prefix: OpenLineage namespace `s3://{bucket}`, name `{key}`; DataHub name `{bucket}/{key}`
 * (DataHub's S3 dataset names include the bucket).
 */
export function s3Dataset(o: { bucket: string; key: string } & DatasetRefExtras): DatasetRef {
  return ref('s3', `${o.bucket}/${stripLeadingSlashes(o.key)}`, `s3://${o.bucket}`, o);
}

/** GCS object or prefix: OpenLineage namespace `gs://{bucket}`, name `{key}`; DataHub platform `gcs`, name `{bucket}/{key}`. */
export function gcsDataset(o: { bucket: string; key: string } & DatasetRefExtras): DatasetRef {
  return ref('gcs', `${o.bucket}/${stripLeadingSlashes(o.key)}`, `gs://${o.bucket}`, o);
}

/** HDFS path: namespace `hdfs://{namenodeHost}:{namenodePort}`, name `{path}`. Port default 8020. */
export function hdfsDataset(o: { host: string; port?: number; path: string } & DatasetRefExtras): DatasetRef {
  return ref('hdfs', o.path, `hdfs://${o.host}:${o.port ?? 8020}`, o);
}

/** Kafka topic: namespace `kafka://{bootstrap host}:{port}`, name `{topic}`. Port default 9092. */
export function kafkaDataset(o: { host: string; port?: number; topic: string } & DatasetRefExtras): DatasetRef {
  return ref('kafka', o.topic, `kafka://${o.host}:${o.port ?? 9092}`, o);
}

/** File: namespace `file` (local) or `file://{host}` (remote file system), name `{path}`. */
export function fileDataset(o: { path: string; host?: string } & DatasetRefExtras): DatasetRef {
  return ref('file', o.path, o.host ? `file://${o.host}` : 'file', o);
}

/** OpenLineage namespace scheme → DataHub platform id, for the stores whose names coincide (naming.md). */
const SCHEME_TO_PLATFORM: Record<string, string> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mssql: 'mssql',
  sqlserver: 'mssql',
  oracle: 'oracle',
  redshift: 'redshift',
  snowflake: 'snowflake',
  bigquery: 'bigquery',
  trino: 'trino',
  hive: 'hive',
  awsathena: 'athena',
  cassandra: 'cassandra',
  s3: 's3',
  s3a: 's3',
  gs: 'gcs',
  hdfs: 'hdfs',
  kafka: 'kafka',
  file: 'file',
  dbfs: 'dbfs',
};

/** DataHub platforms whose dataset name starts with the bucket that OpenLineage puts in the namespace. */
const BUCKET_PLATFORMS: Record<string, string> = { s3: 's3', gcs: 'gs' };

function stripLeadingSlashes(key: string): string {
  return key.replace(/^\/+/, '');
}

/**
 * OpenLineage namespace and name of a dataset. With `namespace` set, the name is `ref.name` minus the bucket
 * for S3/GCS (whose namespace carries it). Without it, the namespace is derived: `s3://{bucket}` /
 * `gs://{bucket}` from the name's first segment, `bigquery`, `file`, else `{platform}://{platformInstance}`,
 * or just `{platform}` when there is no instance (a host cannot be invented; set `namespace` for those).
 */
export function openLineageDataset(ref: DatasetRef): OpenLineageDataset {
  const scheme = BUCKET_PLATFORMS[ref.platform];
  if (scheme !== undefined) {
    const slash = ref.name.indexOf('/');
    const bucket = slash < 0 ? ref.name : ref.name.slice(0, slash);
    const key = slash < 0 ? '' : ref.name.slice(slash + 1);
    if (ref.namespace === undefined) return { namespace: `${scheme}://${bucket}`, name: key === '' ? '/' : key };
    const prefix = `${ref.namespace.replace(/^[a-z0-9]+:\/\//i, '')}/`;
    return { namespace: ref.namespace, name: ref.name.startsWith(prefix) ? ref.name.slice(prefix.length) : ref.name };
  }
  if (ref.namespace !== undefined) return { namespace: ref.namespace, name: ref.name };
  if (ref.platform === 'bigquery' || ref.platform === 'file') return { namespace: ref.platform, name: ref.name };
  return { namespace: ref.platformInstance ? `${ref.platform}://${ref.platformInstance}` : ref.platform, name: ref.name };
}

/**
 * The `DatasetRef` of an OpenLineage dataset (e.g. one read from another producer's event): the platform from
 * the namespace's scheme (`postgres://…` → `postgres`, `gs://…` → `gcs`, `bigquery` → `bigquery`; unknown schemes
 * are used as is), the bucket moved into the DataHub name for S3/GCS, and the namespace kept.
 */
export function datasetRefFromOpenLineage(dataset: Pick<OpenLineageDataset, 'namespace' | 'name'>): DatasetRef {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)/i.exec(dataset.namespace);
  const scheme = (match?.[1] ?? dataset.namespace).toLowerCase();
  const platform = SCHEME_TO_PLATFORM[scheme] ?? scheme;
  if (BUCKET_PLATFORMS[platform] !== undefined && match?.[2]) {
    return { platform, name: `${match[2]}/${stripLeadingSlashes(dataset.name)}`, namespace: dataset.namespace };
  }
  return { platform, name: dataset.name, namespace: dataset.namespace };
}
