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

/** One line of a dead letter: its bytes as they were (without the newline), and its record if it is one. */
interface DeadLetterLine {
  readonly bytes: Buffer;
  readonly record: TableRecord | undefined;
}

const NEWLINE = 0x0a;
// Fatal: a line that is not UTF-8 is not a record, and is kept as it is rather than sent altered.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a dead letter into its lines that are not blank, each with its record, or none for a line
 * that is not a record (not UTF-8, not JSON, or no RecordId and RecordType). Lines stay bytes: what
 * is written back is what was read, byte for byte.
 */
function parseDeadLetter(bytes: Buffer): DeadLetterLine[] {
  const lines: DeadLetterLine[] = [];
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    const line = bytes.subarray(start, end);
    start = end + 1;
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      lines.push({ bytes: line, record: undefined });
      continue;
    }
    if (text.trim() === '') continue;
    lines.push({ bytes: line, record: recordOf(text) });
  }
  return lines;
}

function recordOf(text: string): TableRecord | undefined {
  try {
    const record = JSON.parse(text) as TableRecord;
    return typeof record?.RecordId === 'string' && typeof record.RecordType === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines a dead letter keeps after a send, in their order and as they were read: those that are
 * not records, and those of the records refused (found by RecordId, since the sink hands back copies,
 * possibly cut to fit).
 */
function linesLeft(lines: readonly DeadLetterLine[], refused: readonly TableRecord[]): Buffer[] {
  const byId = new Map<string, DeadLetterLine[]>();
  for (const line of lines) if (line.record) byId.set(line.record.RecordId, [...(byId.get(line.record.RecordId) ?? []), line]);
  const kept = new Set<DeadLetterLine>();
  const unmatched: Buffer[] = [];
  for (const record of refused) {
    const line = byId.get(record.RecordId)?.shift();
    if (line) kept.add(line);
    else unmatched.push(Buffer.from(JSON.stringify(record)));
  }
  return [...lines.filter((l) => !l.record || kept.has(l)).map((l) => l.bytes), ...unmatched];
}

/**
 * Sends a dead letter again. Accepted records leave it (it is deleted when none is left); refused
 * records and lines that are not records stay, byte for byte. When nothing was accepted it is left
 * untouched. A dead letter that cannot be read, or updated after a send, is reported and left as it was.
 */
export async function replayDeadLetter(deadLetter: DeadLetter, sink: RecordSink): Promise<ReplayOutcome> {
  const outcome = { location: deadLetter.location, records: 0, accepted: 0, kept: 0, unreadable: 0, removed: false, unread: false };
  let bytes: Buffer;
  try {
    bytes = await deadLetter.read();
  } catch (error) {
    return { ...outcome, unread: true, problems: [(error as Error).message] };
  }
  const lines = parseDeadLetter(bytes);
  const records = lines.flatMap((l) => (l.record ? [l.record] : []));
  const unreadable = lines.length - records.length;
  const result = await sendAll(sink, records);
  const left = linesLeft(lines, result.rejected);
  const sent = { ...outcome, records: records.length, accepted: result.accepted, unreadable };
  try {
    if (left.length === 0) await deadLetter.remove();
    else if (result.accepted > 0) await deadLetter.replace(Buffer.concat(left.flatMap((line) => [line, Buffer.of(NEWLINE)])));
  } catch (error) {
    const twice =
      result.accepted > 0 ? ` Its ${result.accepted} accepted record(s) are still in it: replaying it again sends them twice` : '';
    return { ...sent, kept: lines.length, problems: [...result.problems, `${(error as Error).message}.${twice}`] };
  }
  return { ...sent, kept: left.length, removed: left.length === 0, problems: result.problems };
}
