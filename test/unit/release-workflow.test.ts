import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkWorkflow } from '../support/workflow-check.js';

/**
 * The release workflow (issue 26 item 2), checked without GitHub: its syntax, and that it builds and
 * tests, packs and publishes the CLI under its scoped name with provenance, and builds, checks and
 * pushes the image with an SBOM, each only after the tests passed.
 */
const PATH = '.github/workflows/release.yml';
const text = readFileSync(PATH, 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
const workflow = parse(text) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };
const jobs = Object.entries(workflow.jobs);
const jobWith = (test: (s: Step) => boolean) => jobs.find(([, job]) => job.steps.some(test));
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
/** The jobs `id` waits for, directly or through others. */
const upstream = (id: string): string[] => needs(workflow.jobs[id]!).flatMap((n) => [n, ...upstream(n)]);

describe('the release workflow', () => {
  it('is a workflow GitHub takes as meant', () => {
    expect(checkWorkflow(text)).toEqual([]);
  });

  it('runs on a version tag, reading the repository only unless a job says more', () => {
    expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] });
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('builds and tests with the npm scripts the README documents', () => {
    const test = jobWith((s) => /\bnpm test\b/.test(s.run ?? ''));
    expect(test).toBeDefined();
    expect(test![1].steps.some((s) => /\bnpm ci\b/.test(s.run ?? ''))).toBe(true);
    expect(test![1].steps.some((s) => s.uses?.startsWith('actions/setup-node@') && s.with?.['node-version'] === 20)).toBe(true);
  });

  it('packs the CLI, then publishes that tarball with provenance, only after the tests and only for the version tagged', () => {
    const test = jobWith((s) => /\bnpm test\b/.test(s.run ?? ''))![0];
    const publish = jobWith((s) => /\bnpm publish\b/.test(s.run ?? ''));
    expect(publish).toBeDefined();
    const [id, job] = publish!;
    expect(upstream(id)).toContain(test);
    expect(job.permissions?.['id-token']).toBe('write');
    const runs = jobs.flatMap(([, j]) => j.steps.map((s) => s.run ?? '')).join('\n');
    expect(runs).toMatch(/\bnpm pack\b/);
    expect(runs).toMatch(/npm publish [^\n]*\.tgz[^\n]*--provenance/);
    // A tag that is not the package's version publishes nothing.
    expect(runs).toMatch(/GITHUB_REF_NAME[\s\S]*npm pkg get version|npm pkg get version[\s\S]*GITHUB_REF_NAME/);
  });

  it('builds the image, runs its --version and the demo, then pushes it with an SBOM, only after the tests', () => {
    const test = jobWith((s) => /\bnpm test\b/.test(s.run ?? ''))![0];
    const image = jobWith((s) => s.uses?.startsWith('docker/build-push-action@') === true && s.with?.push === true);
    expect(image).toBeDefined();
    const [id, job] = image!;
    expect(upstream(id)).toContain(test);
    expect(job.permissions?.packages).toBe('write');
    const push = job.steps.find((s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.push === true)!;
    expect(push.with?.sbom).toBe(true);
    const order = job.steps.map((s) => s.run ?? s.uses ?? '');
    const smoke = order.findIndex((r) => /docker run [^\n]*--version/.test(r) && /run --demo/.test(r));
    expect(smoke).toBeGreaterThanOrEqual(0);
    expect(smoke).toBeLessThan(job.steps.indexOf(push));
  });

  it.each([
    ['a job that needs one that does not exist', (t: string) => t.replace('needs: test', 'needs: tests'), /needs tests, which is no job/],
    ['a misspelt step key', (t: string) => t.replace('with:', 'whith:'), /unknown key whith/],
    ['an action without a version', (t: string) => t.replace(/actions\/checkout@v\d+/, 'actions/checkout'), /is not owner\/repo@version/],
    ['an expression never closed', (t: string) => t.replace('${{ github.ref }}', '${{ github.ref }'), /never closed/],
    ['a run script bash cannot parse', (t: string) => t.replace('npm ci\n', 'if npm ci; then\n'), /not valid bash/],
    [
      'a duplicate key',
      (t: string) => t.replace('permissions:\n  contents: read', 'permissions:\n  contents: read\n  contents: write'),
      /YAML/,
    ],
    ['a permission that does not exist', (t: string) => t.replace('packages: write', 'package: write'), /unknown permission package/],
  ])('would catch %s', (_, breakIt, problem) => {
    const broken = breakIt(text);
    expect(broken).not.toBe(text);
    expect(checkWorkflow(broken)).toContainEqual(expect.stringMatching(problem));
  });
});
