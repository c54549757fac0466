import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * What a first deployment meets on the platform (issue 26 row 11): role assignments take minutes to
 * reach Container Apps, and "daily, UTC" must not depend on the cluster's controller.
 */
interface ArmResource {
  type: string;
  condition?: string;
}
const template = JSON.parse(readFileSync('deploy/container-apps-job.json', 'utf8')) as {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  resources: ArmResource[];
};

/** The fenced sh blocks of docs/deploy.md under a heading, continuation lines joined, comments left out. */
function commandsUnder(heading: string): string[] {
  const text = readFileSync('docs/deploy.md', 'utf8');
  const start = text.indexOf(`### ${heading}`);
  const section = text.slice(start, text.indexOf('\n### ', start + 4));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, body]) =>
    body!
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#')),
  );
}

describe('a first deployment of the Container Apps Job', () => {
  it('can deploy the identity and its roles without the job, so they have reached the platform when the job reads its secret and pulls', () => {
    expect(template.parameters.deployJob).toEqual(expect.objectContaining({ type: 'bool', defaultValue: true }));
    const job = template.resources.find((r) => r.type === 'Microsoft.App/jobs')!;
    expect(job.condition).toBe("[parameters('deployJob')]");
  });

  it.each(['One tenant (managed identity)', 'Many tenants (multi-tenant app)'])(
    'docs/deploy.md, %s: the roles first (deployJob=false), the image build while they apply, then the job',
    (heading) => {
      const commands = commandsUnder(heading);
      const roles = commands.findIndex((c) => c.includes('deploy/container-apps-job.json') && c.includes('deployJob=false'));
      const build = commands.findIndex((c) => c.startsWith('az acr build'));
      const job = commands.findIndex((c, i) => i > roles && c.includes('deploy/container-apps-job.json') && !c.includes('deployJob=false'));
      expect(roles, 'the roles first').toBeGreaterThanOrEqual(0);
      expect(build, 'then the image').toBeGreaterThan(roles);
      expect(job, 'then the job').toBeGreaterThan(build);
    },
  );
});

describe('the Kubernetes CronJob', () => {
  it('runs on UTC whatever the controller’s time zone', () => {
    const [cronJob] = parseAllDocuments(readFileSync('deploy/kubernetes/40-cronjob.yaml', 'utf8')).map(
      (d) => d.toJS() as { spec: { timeZone?: string } },
    );
    expect(cronJob!.spec.timeZone).toBe('Etc/UTC');
  });
});

describe('tenants without a redeploy (issue 26 row 7)', () => {
  it('lets the Container Apps Job read its tenants file from the state container, named by tenantsBlob', () => {
    expect(template.parameters.tenantsBlob).toEqual(expect.objectContaining({ type: 'string', defaultValue: '' }));
    const text = readFileSync('deploy/container-apps-job.json', 'utf8');
    expect(text).toContain(
      "[if(empty(parameters('tenantsBlob')), if(empty(parameters('tenants')), '', '/config/tenants.json'), format('{0}/{1}', variables('containerUrl'), parameters('tenantsBlob')))]",
    );
  });

  it('docs/deploy.md uploads the tenants file to that blob, once the storage account exists, and adds a customer with one upload', () => {
    const commands = commandsUnder('Many tenants (multi-tenant app)');
    const storage = commands.findIndex((c) => c.includes('deploy/container-apps-job.json') && c.includes('tenantsBlob=tenants.json'));
    const upload = commands.findIndex((c) => /^az storage blob upload --auth-mode login .*-n tenants\.json -f tenants\.json/.test(c));
    expect(storage).toBeGreaterThanOrEqual(0);
    expect(upload).toBeGreaterThan(storage);
    const text = readFileSync('docs/deploy.md', 'utf8');
    const offboarding = text.slice(text.indexOf('## Adding or removing a customer'));
    expect(offboarding).toMatch(/az storage blob upload --auth-mode login [^\n]*-n tenants\.json -f tenants\.json --overwrite/);
  });
});
