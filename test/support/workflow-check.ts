import { execFileSync } from 'node:child_process';
import { parseDocument } from 'yaml';

/**
 * A GitHub Actions workflow checked for what GitHub would refuse or run wrong, without GitHub: the
 * YAML (duplicate keys included), the keys allowed at each level of the workflow syntax, triggers,
 * permissions, `needs` (known jobs, no cycle), steps (exactly one of uses/run, actions pinned to a
 * version), every `${{ }}` expression (balanced, known contexts, `needs.X` only for a job it needs,
 * `steps.X` only for an earlier step of its job), and every `run:` script through `bash -n`.
 *
 * Why our own: GitHub's parser (@actions/workflow-parser) does not load on Node 20 (it imports its
 * JSON schema without an import attribute), and @action-validator/core is GPL-3.0-only with a 2024
 * copy of the schema; this checks the subset of the syntax our workflows use, strictly.
 */

const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
const JOB_KEYS = [
  'name',
  'needs',
  'permissions',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'if',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
];
const STEP_KEYS = ['id', 'if', 'name', 'uses', 'run', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes', 'working-directory'];
const EVENTS = ['push', 'pull_request', 'workflow_dispatch', 'release', 'schedule', 'workflow_call', 'workflow_run'];
const PERMISSIONS = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'discussions',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
];
const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];
const FUNCTIONS = [
  'contains',
  'startsWith',
  'endsWith',
  'format',
  'join',
  'toJSON',
  'fromJSON',
  'hashFiles',
  'success',
  'always',
  'cancelled',
  'failure',
];
const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

type Node = Record<string, unknown>;
const isMap = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Every `${{ … }}` in a text: its inside, or undefined for one that never closes. */
function expressions(text: string): Array<string | undefined> {
  const found: Array<string | undefined> = [];
  let at = text.indexOf('${{');
  while (at >= 0) {
    const end = text.indexOf('}}', at + 3);
    if (end < 0) {
      found.push(undefined);
      break;
    }
    found.push(text.slice(at + 3, end).trim());
    at = text.indexOf('${{', end + 2);
  }
  return found;
}

/** Every string inside a value, with where it is. */
function strings(value: unknown, path: string): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (isMap(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

/** What is wrong with one expression, in the scope of a job (its needs, its steps so far). */
function expressionProblems(expression: string, scope: { needs: string[]; steps: string[] | undefined }): string[] {
  const problems: string[] = [];
  let depth = 0;
  for (const c of expression.replace(/'[^']*'/g, "''")) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) break;
  }
  if (depth !== 0) problems.push(`unbalanced parentheses in \${{ ${expression} }}`);
  const code = expression.replace(/'[^']*'/g, "''");
  for (const m of code.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)(\s*\(|(?:\.[\w-]+|\[[^\]]*\])*)/g)) {
    const [, name, rest] = m;
    if (['true', 'false', 'null'].includes(name!)) continue;
    if (rest!.trim().startsWith('(')) {
      if (!FUNCTIONS.includes(name!)) problems.push(`unknown function ${name}() in \${{ ${expression} }}`);
      continue;
    }
    if (!CONTEXTS.includes(name!)) {
      problems.push(`unknown context ${name} in \${{ ${expression} }}`);
      continue;
    }
    const member = /^\.([\w-]+)/.exec(rest!)?.[1];
    if (name === 'needs' && member && !scope.needs.includes(member))
      problems.push(`needs.${member} without needs: ${member} in \${{ ${expression} }}`);
    if (name === 'steps' && member && scope.steps && !scope.steps.includes(member))
      problems.push(`steps.${member} is no earlier step's id in \${{ ${expression} }}`);
  }
  return problems;
}

/** `bash -n` of a run script, its expressions replaced by a word (GitHub substitutes them first). */
function shellProblem(script: string): string | undefined {
  try {
    execFileSync('bash', ['-n'], { input: script.replace(/\$\{\{[^}]*\}\}/g, 'EXPR'), stdio: ['pipe', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
}

/** The problems of a workflow's text; empty when GitHub would take it as meant. */
export function checkWorkflow(text: string): string[] {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) return document.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`);
  const workflow = document.toJS() as unknown;
  if (!isMap(workflow)) return ['the workflow is not a mapping'];
  const problems: string[] = [];
  const unknownKeys = (node: Node, allowed: string[], where: string) => {
    for (const key of Object.keys(node)) if (!allowed.includes(key)) problems.push(`${where}: unknown key ${key}`);
  };
  unknownKeys(workflow, WORKFLOW_KEYS, 'workflow');
  if (!('on' in workflow)) problems.push('workflow: no on');
  const on = workflow.on;
  for (const event of isMap(on) ? Object.keys(on) : asList(on)) if (!EVENTS.includes(event)) problems.push(`on: unknown event ${event}`);
  const checkPermissions = (value: unknown, where: string) => {
    if (value === undefined || value === 'read-all' || value === 'write-all') return;
    if (!isMap(value)) return problems.push(`${where}: permissions is neither a mapping nor read-all/write-all`);
    for (const [key, level] of Object.entries(value)) {
      if (!PERMISSIONS.includes(key)) problems.push(`${where}: unknown permission ${key}`);
      if (!['read', 'write', 'none'].includes(String(level)))
        problems.push(`${where}: permission ${key}: ${String(level)} is not read, write or none`);
    }
  };
  checkPermissions(workflow.permissions, 'workflow');
  for (const [where, value] of strings({ name: workflow['run-name'], env: workflow.env, concurrency: workflow.concurrency }, 'workflow'))
    for (const e of expressions(value))
      problems.push(...(e === undefined ? [`${where}: \${{ never closed`] : expressionProblems(e, { needs: [], steps: undefined })));

  const jobs = workflow.jobs;
  if (!isMap(jobs) || Object.keys(jobs).length === 0) return [...problems, 'workflow: no jobs'];
  const needsOf = new Map<string, string[]>();
  for (const [id, job] of Object.entries(jobs)) {
    const where = `jobs.${id}`;
    if (!ID.test(id)) problems.push(`${where}: the id must start with a letter or _ and hold only letters, digits, - and _`);
    if (!isMap(job)) {
      problems.push(`${where}: not a mapping`);
      continue;
    }
    unknownKeys(job, JOB_KEYS, where);
    checkPermissions(job.permissions, where);
    const needs = asList(job.needs);
    needsOf.set(id, needs);
    for (const need of needs) if (!(need in jobs)) problems.push(`${where}: needs ${need}, which is no job`);
    if (job['runs-on'] === undefined) problems.push(`${where}: no runs-on`);
    const steps = job.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      problems.push(`${where}: no steps`);
      continue;
    }
    for (const [path, value] of strings(
      { 'runs-on': job['runs-on'], if: job.if, env: job.env, outputs: job.outputs, environment: job.environment },
      where,
    ))
      for (const e of expressions(value))
        problems.push(...(e === undefined ? [`${path}: \${{ never closed`] : expressionProblems(e, { needs, steps: undefined })));
    const ids: string[] = [];
    steps.forEach((step: unknown, i) => {
      const at = `${where}.steps[${i}]`;
      if (!isMap(step)) return problems.push(`${at}: not a mapping`);
      unknownKeys(step, STEP_KEYS, at);
      if ('uses' in step === 'run' in step) problems.push(`${at}: needs exactly one of uses and run`);
      if (typeof step.uses === 'string' && !/^[\w.-]+\/[\w./-]+@[\w.-]+$/.test(step.uses) && !step.uses.startsWith('./'))
        problems.push(`${at}: uses ${step.uses} is not owner/repo@version`);
      if ('with' in step && !isMap(step.with)) problems.push(`${at}: with is not a mapping`);
      for (const [path, value] of strings(step, at))
        for (const e of expressions(value))
          problems.push(...(e === undefined ? [`${path}: \${{ never closed`] : expressionProblems(e, { needs, steps: ids })));
      if (typeof step.run === 'string' && (step.shell === undefined || step.shell === 'bash')) {
        const shell = shellProblem(step.run);
        if (shell) problems.push(`${at}: run is not valid bash: ${shell}`);
      }
      if (typeof step.id === 'string') {
        if (ids.includes(step.id)) problems.push(`${at}: id ${step.id} is used twice`);
        ids.push(step.id);
      }
    });
  }
  // A cycle of needs never starts.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (done.has(id)) return;
    if (visiting.has(id)) return void problems.push(`jobs: needs go round: ${[...path, id].join(' -> ')}`);
    visiting.add(id);
    for (const need of needsOf.get(id) ?? []) if (needsOf.has(need)) visit(need, [...path, id]);
    visiting.delete(id);
    done.add(id);
  };
  for (const id of needsOf.keys()) visit(id, []);
  return problems;
}
