// @ts-check
// Activities of the Temporal ETL example. Each declares what it reads and writes; `clean` fails once (a
// transient error) and succeeds on its retry.
import { activityLineage } from '@runtrail/temporal';
import { DATASETS } from '../datasets.mjs';

let cleanAttempts = 0;

export const activities = {
  /** @param {string} day */
  async extract(day) {
    activityLineage().input(DATASETS.orders).output(DATASETS.cleanOrders).property('day', day).metric('rows', 1200);
    return 1200;
  },
  /** @param {number} rows */
  async clean(rows) {
    cleanAttempts++;
    if (cleanAttempts === 1) throw new Error('staging bucket briefly unavailable');
    activityLineage()
      .input(DATASETS.cleanOrders)
      .output(DATASETS.cleanOrders)
      .metric('rows', rows - 20);
    return rows - 20;
  },
  /** @param {number} rows */
  async loadWarehouse(rows) {
    activityLineage().input(DATASETS.cleanOrders).output(DATASETS.warehouse).metric('rows', rows);
  },
  /** @param {number} rows */
  async loadLake(rows) {
    activityLineage().input(DATASETS.cleanOrders).output(DATASETS.lake).metric('rows', rows);
  },
};
