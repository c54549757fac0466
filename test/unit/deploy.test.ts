import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envName, optionsOf } from '../../src/config/options.js';

/** Every environment variable the CLI reads: SECURESCORE_<FLAG> for each `run` flag, plus the platform's. */
function cliEnvironment(): Set<string> {
  return new Set([
    ...optionsOf('run').map((o) => envName(o.flag)),
    // @azure/identity (DefaultAzureCredential, workload and managed identity) and the job platforms.
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_CLIENT_CERTIFICATE_PATH',
    'AZURE_FEDERATED_TOKEN_FILE',
    'AZURE_STORAGE_CONNECTION_STRING',
    'JOB_COMPLETION_INDEX',
    'CONTAINER_APP_JOB_EXECUTION_NAME',
  ]);
}

/** ARM expressions mention parameters as parameters('name'). */
function usedParameters(template: Record<string, unknown>): Set<string> {
  const { parameters: _definitions, ...rest } = template;
  return new Set([...JSON.stringify(rest).matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]!));
}

describe('deployment files', () => {
  const env = cliEnvironment();

  it("knows the CLI's environment variables", () => {
    for (const name of [
      'SECURESCORE_INGESTION_ENDPOINT',
      'SECURESCORE_DCR_IMMUTABLE_ID',
      'SECURESCORE_STATE',
      'SECURESCORE_TENANTS',
      'SECURESCORE_SHARD_COUNT',
      'SECURESCORE_DEAD_LETTER',
      'SECURESCORE_DAYS',
    ]) {
      expect(env.has(name), name).toBe(true);
    }
  });

  it.each([
    'deploy/container-apps-job.json',
    'dcr-templates/securescore-dcr.json',
    'kql/deploy/analytics-rules.json',
    'kql/deploy/parsers.json',
    'kql/deploy/workbook.json',
  ])('%s is valid JSON and uses every parameter it declares', (path) => {
    const template = JSON.parse(readFileSync(path, 'utf8')) as { parameters: Record<string, unknown> };
    const used = usedParameters(template);
    expect(Object.keys(template.parameters).filter((p) => !used.has(p))).toEqual([]);
    expect([...used].filter((p) => !(p in template.parameters))).toEqual([]);
  });

  it('runs the Container Apps Job on a schedule with a managed identity, bounded time and retries, and only env vars the CLI reads', () => {
    const template = JSON.parse(readFileSync('deploy/container-apps-job.json', 'utf8'));
    const job = template.resources.find((r: { type: string }) => r.type === 'Microsoft.App/jobs');
    expect(job.identity.type).toBe('UserAssigned');
    expect(job.properties.configuration).toMatchObject({
      triggerType: 'Schedule',
      replicaTimeout: "[parameters('replicaTimeout')]",
      replicaRetryLimit: "[parameters('replicaRetryLimit')]",
    });
    expect(job.properties.configuration.scheduleTriggerConfig.cronExpression).toBe("[parameters('cronExpression')]");
    expect(template.parameters.cronExpression.defaultValue).toMatch(/^\d+ \d+ \* \* \*$/);
    const container = job.properties.template.containers[0];
    const names: string[] = container.env.map((e: { name: string }) => e.name);
    expect(names.filter((n) => !env.has(n))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining(['AZURE_CLIENT_ID', 'SECURESCORE_STATE', 'SECURESCORE_INGESTION_ENDPOINT', 'SECURESCORE_DCR_IMMUTABLE_ID']),
    );
    expect(JSON.stringify(template)).not.toMatch(/SECRET/);
    const roles = template.resources.filter((r: { type: string }) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(roles.map((r: { properties: { roleDefinitionId: string } }) => r.properties.roleDefinitionId)).toEqual([
      expect.stringContaining('ba92f5b4-2d11-453d-a403-e96b0029c9fe'),
    ]);
  });

  it('has a Kubernetes CronJob with workload identity, non-root, and only env vars the CLI reads', () => {
    const docs = parseAllDocuments(readFileSync('deploy/kubernetes/cronjob.yaml', 'utf8')).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as { kind: string; metadata: { annotations?: Record<string, string> }; data?: Record<string, string>; spec?: any };
    });
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ConfigMap', 'CronJob']);
    const [, account, config, cron] = docs;
    expect(account!.metadata.annotations).toHaveProperty('azure.workload.identity/client-id');
    expect(Object.keys(config!.data!).filter((k) => !env.has(k))).toEqual([]);
    const job = cron!.spec.jobTemplate.spec;
    expect(job.completionMode).toBe('Indexed');
    expect(job.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(job.template.spec.serviceAccountName).toBe('securescore-connector');
    expect(job.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(cron!.spec.concurrencyPolicy).toBe('Forbid');
    expect(job.template.spec.containers[0].args).toEqual(['run']);
  });

  it('has a multi-stage Dockerfile on an official Node LTS image, production deps only, non-root, the CLI as entrypoint, no secrets', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(from).toHaveLength(2);
    for (const image of from) expect(image).toMatch(/^node:(20|22|24)-/);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/dist\/cli\/index\.js"\]$/m);
    expect(dockerfile).not.toMatch(/^(ENV|ARG) .*(SECRET|PASSWORD|TOKEN|KEY)/im);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'dead-letter', '.securescore']) expect(ignored).toContain(entry);
  });
});
