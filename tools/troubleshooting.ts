/**
 * The "Troubleshooting by symptom" table of docs/troubleshooting.md, rendered from the fix catalogue
 * (src/fixes.ts) so the two cannot drift; `npm run generate` writes them between the markers.
 */
import { FIX_RULES, type FixRule } from '../src/fixes.js';

/** The page that holds the generated table (the README links it). */
export const TROUBLESHOOTING_PATH = 'docs/troubleshooting.md';

const START_MARKER = '<!-- troubleshooting:generated:start -->';
const END_MARKER = '<!-- troubleshooting:generated:end -->';

const PREFIX: Record<FixRule['service'], string> = {
  graph: 'Graph …: HTTP',
  ingestion: 'Logs Ingestion: … HTTP',
  storage: 'State: could not … (HTTP',
  identity: 'Authentication: no token for …:',
  network: 'Network: cannot reach …',
};

function symptom(rule: FixRule): string {
  const match = rule.match ? ` … ${rule.match.source.replace(/\\s\*/g, ' ').replace(/\\/g, '')}` : '';
  return `\`${PREFIX[rule.service]}${rule.status ? ` ${rule.status}` : ''}${match}\``;
}

/** Symptoms that are not one service answer. */
const OTHER_ROWS: ReadonlyArray<readonly [string, string, string]> = [
  [
    'records missing in the table, no error',
    'columns not declared in the stream are dropped silently by the service',
    'Redeploy the DCR template; never edit the stream by hand',
  ],
  ['`Dead letter: … saved to FILE`', 'records were refused after retries', 'Fix the cause, then `securescore-connector replay FILE`'],
  [
    '`State: … is in use by another run` / `is held by another run`',
    'two schedules overlap',
    "Nothing is lost; make the schedule's interval longer than a run",
  ],
];

/** The generated table: one row per catalogue rule, then the other symptoms. */
function renderTroubleshootingTable(): string {
  const rows = [...FIX_RULES.map((r) => [symptom(r), r.problem, r.fix] as const), ...OTHER_ROWS].map(
    (cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`,
  );
  return ['| symptom | cause | fix |', '|---|---|---|', ...rows].join('\n');
}

/** The page's text with the generated rows replaced. */
export function spliceTroubleshooting(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`${TROUBLESHOOTING_PATH} lacks the ${START_MARKER} … ${END_MARKER} markers`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${renderTroubleshootingTable()}\n${readme.slice(end)}`;
}
