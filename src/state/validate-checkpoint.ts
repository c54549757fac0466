/**
 * Checks the values of one stored tenant checkpoint. The stores refuse a checkpoint with a problem
 * rather than run on it: a date that does not parse once made every run read `$top=NaN` snapshots,
 * read none and still report Succeeded.
 */

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

function isDay(value: unknown): boolean {
  return typeof value === 'string' && DAY.test(value) && !Number.isNaN(Date.parse(value));
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The problems of a stored tenant checkpoint, each as `<where>: <field> <problem>`; empty when it
 * can be used. `where` names the file or blob and the tenant.
 */
export function validateTenantCheckpoint(value: unknown, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: is ${show(value)}, not an object`];
  const c = value as Record<string, unknown>;
  const problems: string[] = [];
  const field = (name: string, problem: string) => problems.push(`${where}: ${name} ${problem}`);

  if (c.newestSnapshotDate !== undefined && !isIsoDate(c.newestSnapshotDate))
    field('newestSnapshotDate', `is ${show(c.newestSnapshotDate)}, not an ISO date`);
  if (c.deliveredSnapshots !== undefined) {
    if (!Array.isArray(c.deliveredSnapshots)) field('deliveredSnapshots', `is ${show(c.deliveredSnapshots)}, not a list of days`);
    else {
      const bad = c.deliveredSnapshots.filter((d) => !isDay(d));
      if (bad.length > 0) field('deliveredSnapshots', `holds ${show(bad[0])}, not a YYYY-MM-DD day`);
    }
  }
  if (c.floorDay !== undefined && !isDay(c.floorDay)) field('floorDay', `is ${show(c.floorDay)}, not a YYYY-MM-DD day`);
  if (!Array.isArray(c.deliveredStateUpdates))
    field('deliveredStateUpdates', `is ${show(c.deliveredStateUpdates)}, not a list of RecordIds`);
  else {
    const bad = c.deliveredStateUpdates.find((id) => typeof id !== 'string');
    if (bad !== undefined) field('deliveredStateUpdates', `holds ${show(bad)}, not a RecordId`);
  }
  if (!isIsoDate(c.updatedAt)) field('updatedAt', `is ${show(c.updatedAt)}, not an ISO date`);
  if (typeof c.runId !== 'string') field('runId', `is ${show(c.runId)}, not a string`);
  if (c.execution !== undefined && typeof c.execution !== 'string') field('execution', `is ${show(c.execution)}, not a string`);
  return problems;
}
