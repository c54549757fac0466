/** Records per RecordType, for comparing what a stand-in received with hand-computed counts. */
export function countByType(records: Array<Record<string, unknown>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.RecordType as string] = (counts[r.RecordType as string] ?? 0) + 1;
  return counts;
}
