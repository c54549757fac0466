import { ConnectorError } from '../errors.js';

/** A flag as the command line knows it: whether it takes a value, its one-letter form. */
export interface UsageFlag {
  readonly flag: string;
  readonly takesValue: boolean;
  readonly alias?: string | undefined;
  /** What to do when the value is missing. */
  readonly valueHint?: string | undefined;
}

/** A command as the command line knows it. */
export interface UsageCommand {
  readonly name: string;
  readonly flags: readonly UsageFlag[];
  /** How many words besides options it takes (files); Infinity for a list. */
  readonly positionals: number;
  /** What to do with a word too many, when it takes some. */
  readonly tooMany?: string;
}

/** Old spellings still accepted, each with a note: one spelling per idea in every command. */
const RENAMED: Readonly<Record<string, string>> = { out: 'output', 'approvers-out': 'approvers-output' };

const GLOBAL: readonly UsageFlag[] = [
  { flag: 'help', takesValue: false, alias: 'h' },
  { flag: 'version', takesValue: false },
];

/** What the command line means once checked: the words for yargs (old spellings replaced) and the notes to print. */
export interface CheckedCommandLine {
  readonly argv: string[];
  readonly notes: string[];
}

const usage = (message: string) => new ConnectorError('CONFIG', message);

/** Edit distance with transpositions (optimal string alignment): `outptu` is one step from `output`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  return d[a.length]![b.length]!;
}

/**
 * The candidate a misspelling most likely meant: the same word in other case, an old spelling's new
 * one, the only candidate it begins (3 letters at least), else the nearest within 1 edit (short
 * words) or 2; undefined when nothing is that close.
 */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === w);
  if (exact) return exact;
  const renamed = RENAMED[w];
  if (renamed && candidates.includes(renamed)) return renamed;
  const prefixed = candidates.filter((c) => c.startsWith(w));
  if (w.length >= 3 && prefixed.length === 1) return prefixed[0];
  const limit = w.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const distance = editDistance(w, c);
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  return best;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** A word that is an option, not a value: `--x`, `-x`; not `-` (stdout) nor a negative number. */
const isOption = (word: string) => word.startsWith('-') && word !== '-' && !/^-\d/.test(word);

/**
 * Reads the command line as the user typed it, before yargs does, so every mistake is said in one
 * line in the project's own words with the likely intent (the closest spelling; `-out` is not taken
 * apart into letters). Old spellings are replaced, with a note. Throws a CONFIG error on the first mistake.
 */
export function checkCommandLine(argv: readonly string[], commands: readonly UsageCommand[]): CheckedCommandLine {
  const names = commands.map((c) => c.name);
  const cut = argv.indexOf('--');
  const options = cut < 0 ? argv : argv.slice(0, cut);
  // Help and the version are answered by yargs whatever else is there.
  if (options.some((w) => w === '--help' || w === '-h' || w === '--version')) return { argv: [...argv], notes: [] };
  const [first, ...rest] = argv;
  if (first === undefined || isOption(first))
    throw usage(`securescore-connector: no command. Name one: ${names.slice(0, -1).join(', ')} or ${names.at(-1)} (see --help)`);
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const near = closest(first, names);
    throw usage(`${first}: not a command. ${near ? `Did you mean ${near}? ` : ''}Commands: ${names.join(', ')}`);
  }
  const flags = [...command.flags, ...GLOBAL];
  const help = `See securescore-connector ${command.name} --help`;
  const byName = (name: string) => flags.find((f) => f.flag === name);
  const byAlias = (letter: string) => flags.find((f) => f.alias === letter);
  const suggest = (word: string) => {
    const near = closest(
      word,
      flags.map((f) => f.flag),
    );
    return near ? `Did you mean --${near}?` : help;
  };

  const out: string[] = [first];
  const notes: string[] = [];
  let words = 0;
  let onlyWords = false;
  for (let i = 0; i < rest.length; i++) {
    let word = rest[i]!;
    if (onlyWords || !isOption(word)) {
      words++;
      if (words > command.positionals) {
        if (command.positionals > 0) throw usage(`${command.name}: "${word}" is one word too many. ${command.tooMany ?? help}`);
        const near = closest(
          word,
          flags.map((f) => f.flag),
        );
        throw usage(
          `${command.name}: "${word}" is not an option. ${near ? `Did you mean --${near}?` : `Options start with -- (see securescore-connector ${command.name} --help)`}`,
        );
      }
      out.push(word);
      continue;
    }
    if (word === '--') {
      onlyWords = true;
      out.push(word);
      continue;
    }
    let flag: UsageFlag | undefined;
    let label: string;
    let inline = false;
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      const typed = equals < 0 ? word.slice(2) : word.slice(2, equals);
      inline = equals >= 0;
      let name = kebab(typed);
      const renamed = RENAMED[name];
      if (renamed && byName(renamed)) {
        const alias = byName(renamed)!.alias;
        notes.push(
          `--${name}: renamed --${renamed}${alias ? ` (-${alias})` : ''}, one spelling in every command. Write --${renamed}; --${name} still works`,
        );
        word = `--${renamed}${inline ? word.slice(equals) : ''}`;
        name = renamed;
      }
      flag = byName(name) ?? (name.startsWith('no-') ? flags.find((f) => f.flag === name.slice(3) && !f.takesValue) : undefined);
      label = `--${typed}`;
      if (!flag) throw usage(`--${typed}: not an option of ${command.name}. ${suggest(typed)}`);
    } else {
      const letters = word.slice(1);
      label = word;
      if (letters.length > 1) {
        // -qv is two switches; -out is --out typed with one dash, not -o -u -t nor -o "ut".
        if ([...letters].every((l) => byAlias(l) && !byAlias(l)!.takesValue)) {
          out.push(word);
          continue;
        }
        throw usage(`${word}: one dash takes a one-letter option. ${suggest(letters.split('=')[0]!)}`);
      }
      flag = byAlias(letters);
      if (!flag) throw usage(`${word}: not an option of ${command.name}. ${help}`);
    }
    out.push(word);
    if (flag.takesValue && !inline) {
      const value = rest[i + 1];
      if (value === undefined || isOption(value)) throw usage(`${label}: no value given. ${flag.valueHint ?? help}`);
      out.push(value);
      i++;
    }
  }
  return { argv: out, notes };
}
