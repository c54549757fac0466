import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The tunable `let` lines at the top of each analytics rule in kql/analytics-rules, read from the
 * rule files themselves, so anything that explains what the rules do (the demo digest, the scenario
 * tests) uses the thresholds and windows the deployed rules use, not a copy of them.
 */

const MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A KQL or Sentinel duration (`15m`, `1h`, `14d`) in milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`duration "${text}" is not like 15m, 1h or 14d`);
  return Number(match[1]) * MS[match[2]!]!;
}

/** What one rule declares: its schedule and its `let` settings by kind. */
export interface RuleSettings {
  /** File name without `.yaml`, e.g. `SecureScoreRiskAccepted`. */
  readonly name: string;
  readonly displayName: string;
  readonly frequencyMs: number;
  readonly periodMs: number;
  /** `let x = 3d;` */
  readonly durations: ReadonlyMap<string, number>;
  /** `let x = 0.5;` */
  readonly numbers: ReadonlyMap<string, number>;
  /** `let x = dynamic(["a", "b"]);` */
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly query: string;
}

/** The `let` lines of a query whose value is a duration, a number or a list of string literals. */
export function readLets(query: string): Pick<RuleSettings, 'durations' | 'numbers' | 'lists'> {
  const durations = new Map<string, number>();
  const numbers = new Map<string, number>();
  const lists = new Map<string, string[]>();
  for (const match of query.matchAll(/^\s*let (\w+) = ([^;]+);/gm)) {
    const [, name, value] = match as unknown as [string, string, string];
    if (/^\d+(\.\d+)?[mhd]$/.test(value)) durations.set(name, durationMs(value));
    else if (/^-?\d+(\.\d+)?$/.test(value)) numbers.set(name, Number(value));
    else if (/^dynamic\(\[.*\]\)$/.test(value))
      lists.set(
        name,
        [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]!),
      );
  }
  return { durations, numbers, lists };
}

/** Reads a required setting, saying which rule lacks it. */
export function setting<T>(rule: RuleSettings, kind: 'durations' | 'numbers' | 'lists', name: string): T {
  const value = (rule[kind] as ReadonlyMap<string, unknown>).get(name);
  if (value === undefined)
    throw new Error(`rule ${rule.name}: no "let ${name} = ...;" line. Restore it in kql/analytics-rules/${rule.name}.yaml`);
  return value as T;
}

/** Where the shipped rules are: kql/ next to dist/ in the package, next to src/ in the repository. */
const RULES_DIR = fileURLToPath(new URL('../../kql/analytics-rules/', import.meta.url));

interface RuleYaml {
  name: string;
  query: string;
  queryFrequency: string;
  queryPeriod: string;
}

/** Every analytics rule's settings, by file name. */
export function loadRuleSettings(dir = RULES_DIR): Map<string, RuleSettings> {
  const rules = new Map<string, RuleSettings>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const yaml = parse(readFileSync(`${dir}/${file}`, 'utf8')) as RuleYaml;
    const name = file.replace(/\.yaml$/, '');
    rules.set(name, {
      name,
      displayName: yaml.name,
      frequencyMs: durationMs(yaml.queryFrequency),
      periodMs: durationMs(yaml.queryPeriod),
      ...readLets(yaml.query),
      query: yaml.query,
    });
  }
  return rules;
}
