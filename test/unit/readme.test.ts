import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);

describe('the README is for users (issue: operators can see, trust and fix a run)', () => {
  it('says plainly that TimeGenerated is the collection time and which columns hold the event time', () => {
    expect(readme).toMatch(/`TimeGenerated` is when the connector collected the record/);
    expect(readme).toMatch(/event time is\s+`SnapshotDate`[^.]*`UpdatedDateTime`/);
  });

  it('keeps developer material in docs/ and links it', () => {
    for (const developer of ['Dependencies', 'Layout']) expect(headings).not.toContain(developer);
    expect(readme).toContain('docs/DEVELOPING.md');
  });

  it('has the sections a user needs, in a reading order', () => {
    const wanted = [
      'Try it (no Azure needed)',
      'Set up in Azure',
      'Sentinel content (`kql/`)',
      'Configuration',
      'Deploy as a scheduled job',
      'Troubleshooting by symptom',
    ];
    const positions = wanted.map((h) => headings.indexOf(h));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('makes no claim the product contradicts (the demo ingests 30 days)', () => {
    expect(readme).not.toMatch(/40 days/);
    expect(readme).toMatch(/30 days ingested/);
  });
});
