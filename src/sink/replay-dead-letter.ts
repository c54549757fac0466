import type { TableRecord } from '../schema/records.js';
import type { DeadLetter } from './dead-letter-store.js';
import { sendAll, type RecordSink } from './sink.js';

/** What replaying one dead letter did. */
export interface ReplayOutcome {
  readonly location: string;
  /** Records found in it. */
  readonly records: number;
  readonly accepted: number;
  /** Lines still in it: refused records and lines that are not records. */
  readonly kept: number;
  /** Lines that are not records (kept for a person to inspect). */
  readonly unreadable: number;
  /** True when nothing was left and it was deleted. */
  readonly removed: boolean;
  /** True when it could not be read (and was left as it was). */
  readonly unread: boolean;
  /** The sink's problems, and why the dead letter could not be read or updated. */
  readonly problems: string[];
}

/** Splits a dead letter into records and the lines that are not records (kept as they are). */
export function parseDeadLetter(text: string): { records: TableRecord[]; unreadable: string[] } {
  const records: TableRecord[] = [];
  const unreadable: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as TableRecord;
      if (typeof record?.RecordId !== 'string' || typeof record.RecordType !== 'string') throw new Error('not a record');
      records.push(record);
    } catch {
      unreadable.push(line);
    }
  }
  return { records, unreadable };
}

/**
 * Sends a dead letter again. Accepted records leave it (it is deleted when none is left); refused
 * records and lines that are not records stay. When nothing was accepted it is left untouched. A
 * dead letter that cannot be read, or updated after a send, is reported and left as it was.
 */
export async function replayDeadLetter(deadLetter: DeadLetter, sink: RecordSink): Promise<ReplayOutcome> {
  const outcome = { location: deadLetter.location, records: 0, accepted: 0, kept: 0, unreadable: 0, removed: false, unread: false };
  let text: string;
  try {
    text = await deadLetter.read();
  } catch (error) {
    return { ...outcome, unread: true, problems: [(error as Error).message] };
  }
  const { records, unreadable } = parseDeadLetter(text);
  const result = await sendAll(sink, records);
  const left = [...result.rejected.map((r) => JSON.stringify(r)), ...unreadable];
  const sent = { ...outcome, records: records.length, accepted: result.accepted, unreadable: unreadable.length };
  try {
    if (left.length === 0) await deadLetter.remove();
    else if (result.accepted > 0) await deadLetter.replace(`${left.join('\n')}\n`);
  } catch (error) {
    const twice =
      result.accepted > 0 ? ` Its ${result.accepted} accepted record(s) are still in it: replaying it again sends them twice` : '';
    return { ...sent, kept: records.length + unreadable.length, problems: [...result.problems, `${(error as Error).message}.${twice}`] };
  }
  return { ...sent, kept: left.length, removed: left.length === 0, problems: result.problems };
}
