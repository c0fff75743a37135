// @ts-check
// The datasets the examples read and write, declared once for both backends: `platform` + `name` give the
// DataHub dataset URN, `namespace` + `name` the OpenLineage dataset (OpenLineage naming spec).

/** @type {Record<string, import('@runtrail/core').DatasetRef>} */
export const DATASETS = {
  orders: { platform: 'postgres', name: 'shop.public.orders', namespace: 'postgres://orders-db:5432' },
  cleanOrders: { platform: 's3', name: 'staging/orders_clean', namespace: 's3://acme-staging' },
  warehouse: { platform: 'snowflake', name: 'analytics.public.orders_daily', namespace: 'snowflake://acme-xy123' },
  lake: { platform: 's3', name: 'lake/orders/daily', namespace: 's3://acme-lake' },
  euEvents: { platform: 'kafka', name: 'events.eu', namespace: 'kafka://broker:9092' },
  usEvents: { platform: 'kafka', name: 'events.us', namespace: 'kafka://broker:9092' },
  report: { platform: 'postgres', name: 'reporting.public.regional_report', namespace: 'postgres://reporting-db:5432' },
};

/** Connection options for BullMQ from REDIS_URL. */
export function redisConnection() {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}
