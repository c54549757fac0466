import { readFileSync } from 'node:fs';
import { approversTemplate, expectedTenantsTemplate } from '../../src/sentinel/watchlists.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { shellCommands } from '../support/markdown.js';

/**
 * "Deploys by reading": what Resource Manager, kubectl and a user pasting the documented commands would
 * trip over, found without Azure. ARM only orders what `dependsOn` says, so a resource that reads
 * another one, or a job that needs a role, must wait for it explicitly.
 */

interface ArmResource {
  type: string;
  name: string;
  condition?: string;
  scope?: string;
  dependsOn?: string[];
  properties?: { template?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

interface ArmTemplate {
  parameters: Record<string, { defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs?: Record<string, unknown>;
}

/** Templates the docs deploy after writing them with `securescore-connector watchlist --output FILE`. */
const GENERATED: Record<string, () => unknown> = {
  'expected-tenants.json': () => expectedTenantsTemplate([{ tenantId: '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', displayName: 'Contoso' }]),
  'approvers.json': () => approversTemplate(['ciso@contoso.com']),
};
const readTemplate = (path: string): ArmTemplate => (GENERATED[path]?.() ?? JSON.parse(readFileSync(path, 'utf8'))) as ArmTemplate;

/** An ARM expression without its brackets, with every variables('x') replaced by x's own expression. */
function expand(text: string, variables: Record<string, unknown> = {}): string {
  let result = text.replace(/^\[|\]$/g, '');
  for (let depth = 0; depth < 10 && /variables\('/.test(result); depth++) {
    result = result.replace(/variables\('([^']+)'\)/g, (_, name: string) => `(${String(variables[name]).replace(/^\[|\]$/g, '')})`);
  }
  return result;
}

/** What identifies a resource inside an expression: the parameters it is named by, and the literal parts of its name. */
function nameTokens(resource: ArmResource, variables: Record<string, unknown>): string[] {
  const name = expand(resource.name, variables);
  const parameters = name.match(/parameters\('[^']+'\)/g) ?? [];
  const literals = [...name.matchAll(/'([^']*)'/g)]
    .map((m) => m[1]!)
    .filter((l) => !l.startsWith('Microsoft.') || l.includes('/'))
    .flatMap((l) => l.split(/\{\d+\}|\//))
    .filter((piece) => piece.length > 0 && !parameters.some((p) => p.includes(`'${piece}'`)));
  return [...parameters, ...literals];
}

/**
 * The declared resource an expression points at (a resourceId, a dependsOn entry), if any. An
 * extension resource's id also names the resource it extends, so the most specific match wins.
 */
function resolve(expression: string, template: ArmTemplate): ArmResource | undefined {
  const text = expand(expression, template.variables);
  const specificity = (r: ArmResource) => nameTokens(r, template.variables ?? {}).length;
  return template.resources
    .filter((r) => text.includes(`'${r.type}'`) && nameTokens(r, template.variables ?? {}).every((t) => text.includes(t)))
    .sort((a, b) => specificity(a) - specificity(b))
    .at(-1);
}

/** Every resourceId(...)/extensionResourceId(...) call in a text, with balanced parentheses. */
function resourceIdCalls(text: string): string[] {
  const calls: string[] = [];
  for (const match of text.matchAll(/(?:extensionR|r)esourceId\(/g)) {
    let depth = 0;
    for (let i = match.index + match[0].length - 1; i < text.length; i++) {
      if (text[i] === '(') depth++;
      if (text[i] === ')' && --depth === 0) {
        calls.push(text.slice(match.index, i + 1));
        break;
      }
    }
  }
  return calls;
}

/** The resources `resource` waits for, directly or through others. */
function waitsFor(resource: ArmResource, template: ArmTemplate): Set<ArmResource> {
  const seen = new Set<ArmResource>();
  const visit = (r: ArmResource) => {
    for (const entry of r.dependsOn ?? []) {
      const target = resolve(entry, template);
      if (target && !seen.has(target)) {
        seen.add(target);
        visit(target);
      }
    }
  };
  visit(resource);
  return seen;
}

/** "<resource> reads <other> without waiting for it" for every reference, scope and parent not covered by dependsOn. */
function orderingProblems(template: ArmTemplate): string[] {
  const problems: string[] = [];
  const label = (r: ArmResource) => `${r.type} ${r.name}`;
  for (const resource of template.resources) {
    const { name: _name, dependsOn: _dependsOn, properties, ...rest } = resource;
    // A nested template's own expressions are evaluated inside it; only what is passed in counts here.
    const { template: _inner, ...outerProperties } = properties ?? {};
    const body = expand(JSON.stringify({ ...rest, properties: outerProperties }), template.variables);
    const needed = new Set<ArmResource>();
    for (const call of resourceIdCalls(body)) {
      const target = resolve(call, template);
      if (target && target !== resource) needed.add(target);
    }
    for (const other of template.resources) {
      const otherSegments = other.type.split('/').slice(1);
      const tokens = nameTokens(other, template.variables ?? {});
      const scope = resource.scope ? expand(resource.scope, template.variables) : '';
      if (other !== resource && scope && otherSegments.every((s) => scope.includes(`${s}/`)) && tokens.every((t) => scope.includes(t)))
        needed.add(other);
      const isParent = resource.type.startsWith(`${other.type}/`);
      if (isParent && tokens.every((t) => expand(resource.name, template.variables).includes(t))) needed.add(other);
    }
    const waited = waitsFor(resource, template);
    for (const target of needed) if (!waited.has(target)) problems.push(`${label(resource)} reads ${label(target)} without waiting for it`);
  }
  return problems;
}

const roleGrants = (template: ArmTemplate) =>
  template.resources.filter(
    (r) =>
      r.type === 'Microsoft.Authorization/roleAssignments' ||
      (r.type === 'Microsoft.Resources/deployments' &&
        JSON.stringify(r.properties?.template).includes('Microsoft.Authorization/roleAssignments')),
  );

describe('ARM templates deploy by reading', () => {
  it.each(['deploy/container-apps-job.json', 'dcr-templates/securescore-dcr.json'])(
    '%s: every resource waits for the resources it reads, scopes to or lives in',
    (path) => {
      expect(orderingProblems(readTemplate(path))).toEqual([]);
    },
  );

  it('the Container Apps Job waits for every role assignment, AcrPull and Key Vault access included', () => {
    const template = readTemplate('deploy/container-apps-job.json');
    const job = template.resources.find((r) => r.type === 'Microsoft.App/jobs')!;
    const grants = roleGrants(template);
    expect(grants).toHaveLength(4);
    const waited = waitsFor(job, template);
    expect(grants.filter((g) => !waited.has(g)).map((g) => g.name)).toEqual([]);
  });

  it('the ordering check finds a role the job does not wait for and a role assignment made before its principal exists', () => {
    const template = readTemplate('deploy/container-apps-job.json');
    const job = template.resources.find((r) => r.type === 'Microsoft.App/jobs')!;
    job.dependsOn = job.dependsOn!.filter((d) => !d.includes('acrPullDeployment'));
    const acrPull = template.resources.find((r) => r.name.includes('acrPullDeployment'))!;
    expect(waitsFor(job, template).has(acrPull)).toBe(false);
    const storageRole = template.resources.find((r) => r.type === 'Microsoft.Authorization/roleAssignments')!;
    storageRole.dependsOn = storageRole.dependsOn!.filter((d) => !d.includes('identityId'));
    expect(orderingProblems(template)).toEqual([
      expect.stringMatching(/^Microsoft.Authorization\/roleAssignments .* reads Microsoft.ManagedIdentity\/userAssignedIdentities/),
    ]);
  });

  it('the ordering check finds a blob container created before its storage account', () => {
    const template = readTemplate('deploy/container-apps-job.json');
    const container = template.resources.find((r) => r.type.endsWith('/containers'))!;
    container.dependsOn = [];
    const problems = orderingProblems(template);
    expect(problems).toContainEqual(
      expect.stringMatching(/^Microsoft.Storage\/storageAccounts\/blobServices\/containers .* reads Microsoft.Storage\/storageAccounts /),
    );
    // The role assignment on the container no longer waits for the account either, through the container.
    for (const problem of problems) expect(problem).toMatch(/ reads Microsoft.Storage\/storageAccounts \[/);
  });
});

const documents = ['README.md', 'docs/deploy.md'];
const deploymentsIn = (path: string) =>
  shellCommands(path)
    .filter((c) => c.includes('az deployment group create'))
    .map((command) => {
      const words = command.trim().split(/\s+/);
      const file = words[words.indexOf('--template-file') + 1]!;
      const start = words.indexOf('--parameters') + 1;
      const end = words.findIndex((w, i) => i >= start && w.startsWith('--'));
      const given = words.slice(start, end === -1 ? undefined : end).map((w) => w.split('=')[0]!);
      return { command, file, given };
    });

describe('the documented commands', () => {
  it.each(documents)('%s deploys templates with parameters they declare, giving every required one', (path) => {
    const deployments = deploymentsIn(path);
    expect(deployments.length).toBeGreaterThan(0);
    for (const { command, file, given } of deployments) {
      const { parameters } = readTemplate(file);
      expect(
        given.filter((p) => !(p in parameters)),
        command,
      ).toEqual([]);
      const required = Object.keys(parameters).filter((p) => parameters[p]!.defaultValue === undefined);
      expect(
        required.filter((p) => !given.includes(p)),
        command,
      ).toEqual([]);
    }
  });

  it.each(documents)('%s reads only outputs the deployed templates have', (path) => {
    const files = new Map(deploymentsIn(path).map((d) => [d.file.replace(/^.*\//, '').replace(/\.json$/, ''), d.file]));
    for (const command of shellCommands(path).filter((c) => c.includes('az deployment group show'))) {
      const [, deployment, output] = /-n (\S+) --query properties\.outputs\.(\w+)\.value/.exec(command) ?? [];
      expect(files.has(deployment!), command).toBe(true);
      expect(Object.keys(readTemplate(files.get(deployment!)!).outputs ?? {}), command).toContain(output);
    }
  });

  it("docs/deploy.md's parameter table lists exactly the Container Apps template's parameters", () => {
    const text = readFileSync('docs/deploy.md', 'utf8');
    const table = text.slice(text.indexOf("### The job's parameters"), text.indexOf('Outputs:'));
    const listed = [...table.matchAll(/^\| (.+?) \|/gm)].flatMap(([, cell]) => [...cell!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    expect(listed.sort()).toEqual(Object.keys(readTemplate('deploy/container-apps-job.json').parameters).sort());
  });
});

describe('the Kubernetes steps match the manifests', () => {
  const manifests = ['00-namespace', '10-service-account', '20-settings', '30-tenants', '40-cronjob'].map(
    (f) => `deploy/kubernetes/${f}.yaml`,
  );
  const objects = manifests.flatMap((path) =>
    parseAllDocuments(readFileSync(path, 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string>; spec?: any },
    ),
  );
  const commands = shellCommands('docs/deploy.md');
  const account = objects.find((o) => o.kind === 'ServiceAccount')!;
  const settings = objects.find((o) => o.kind === 'ConfigMap' && o.data?.SECURESCORE_STATE)!;

  it('every federated credential trusts the service account the CronJob runs as', () => {
    const cron = objects.find((o) => o.kind === 'CronJob')!;
    expect(cron.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    const subjects = commands
      .filter((c) => c.includes('federated-credential create'))
      .map((c) => /system:serviceaccount:[\w-]+:[\w-]+/.exec(c)?.[0]);
    expect(subjects).toHaveLength(2);
    for (const subject of subjects) expect(subject).toBe(`system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`);
  });

  it('the steps create the blob container that holds the state and the dead letters, and grant the identity on it', () => {
    const create = commands.find((c) => c.includes('az storage container-rm create'))!;
    const container = /-n (\S+)/.exec(create)![1];
    for (const key of ['SECURESCORE_STATE', 'SECURESCORE_DEAD_LETTER'])
      expect(new URL(settings.data![key]!.replace('<account>', 'account')).pathname.split('/')[1]).toBe(container);
    const grant = commands.find((c) => c.includes('Storage Blob Data Contributor'))!;
    expect(grant).toMatch(new RegExp(`/blobServices/default/containers/${container}$`));
  });

  it('every placeholder the steps replace is in the manifest they edit', () => {
    const edits = commands.filter((c) => c.startsWith('sed -i'));
    expect(edits.length).toBeGreaterThan(0);
    for (const edit of edits) {
      const file = edit.split(/\s+/).at(-1)!;
      const text = readFileSync(file, 'utf8');
      for (const [, placeholder] of edit.matchAll(/s\|([^|]+)\|/g)) expect(text, edit).toContain(placeholder);
    }
  });

  it('the first run and its logs name the CronJob in its namespace', () => {
    const cron = objects.find((o) => o.kind === 'CronJob')!;
    const start = commands.find((c) => c.includes('kubectl create job'))!;
    expect(start).toContain(`-n ${cron.metadata.namespace} --from=cronjob/${cron.metadata.name}`);
  });
});
