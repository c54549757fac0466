import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envName, optionsOf } from '../../src/config/options.js';
import { loadTenants } from '../../src/config/tenants.js';

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

interface Template {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  resources: { type: string; properties?: { template?: Template } }[];
  [section: string]: unknown;
}

/**
 * Parameters an ARM template mentions as parameters('name'), and its nested inner templates (which
 * have parameters of their own and are checked separately).
 */
function parameterUse(template: Template): { used: Set<string>; nested: Template[] } {
  const nested = template.resources.flatMap((r) =>
    r.type === 'Microsoft.Resources/deployments' && r.properties?.template ? [r.properties.template] : [],
  );
  const text = JSON.stringify({ ...template, parameters: undefined }, (key, value: unknown) =>
    key === 'template' && nested.includes(value as Template) ? undefined : value,
  );
  return { used: new Set([...text.matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]!)), nested };
}

function unusedAndUndeclared(template: Template): string[] {
  const { used, nested } = parameterUse(template);
  return [
    ...Object.keys(template.parameters)
      .filter((p) => !used.has(p))
      .map((p) => `declared, never used: ${p}`),
    ...[...used].filter((p) => !(p in template.parameters)).map((p) => `used, never declared: ${p}`),
    ...nested.flatMap(unusedAndUndeclared),
  ];
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Names of a Container Apps container's env entries: literal objects, and createObject('name', 'X', ...) expressions. */
const envNames = (env: unknown[]): string[] =>
  env.flatMap((e) =>
    typeof e === 'string' ? [...e.matchAll(/createObject\('name', '([A-Z_]+)'/g)].map((m) => m[1]!) : [(e as { name: string }).name],
  );

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
};

describe('deployment files', () => {
  const env = cliEnvironment();
  const temporary: string[] = [];
  afterAll(() => {
    for (const path of temporary) rmSync(path, { recursive: true, force: true });
  });

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
  ])('%s is valid JSON and uses every parameter it declares, nested templates included', (path) => {
    expect(unusedAndUndeclared(readJson(path))).toEqual([]);
  });

  describe('the Container Apps Job template', () => {
    const template = readJson('deploy/container-apps-job.json');
    const job = template.resources.find((r: { type: string }) => r.type === 'Microsoft.App/jobs');
    const container = job.properties.template.containers[0];
    const value = (name: string): string => container.env.find((e: { name?: string }) => e.name === name)?.value;

    it('runs on a schedule with a managed identity, bounded time and retries', () => {
      expect(job.identity.type).toBe('UserAssigned');
      expect(job.properties.configuration).toMatchObject({
        triggerType: 'Schedule',
        replicaTimeout: "[parameters('replicaTimeout')]",
        replicaRetryLimit: "[parameters('replicaRetryLimit')]",
      });
      expect(job.properties.configuration.scheduleTriggerConfig.cronExpression).toBe("[parameters('cronExpression')]");
      expect(template.parameters.cronExpression.defaultValue).toMatch(/^\d+ \d+ \* \* \*$/);
      expect(container.args).toEqual(['run']);
    });

    it('sets only environment variables the CLI reads', () => {
      const names = envNames(container.env);
      expect(names).toEqual(
        expect.arrayContaining(['AZURE_CLIENT_ID', 'SECURESCORE_STATE', 'SECURESCORE_INGESTION_ENDPOINT', 'SECURESCORE_DCR_IMMUTABLE_ID']),
      );
      expect(names.filter((n) => !env.has(n))).toEqual([]);
    });

    it('keeps dead letters in the blob container of the state, logs JSON lines, and stops before the replica time-out', () => {
      expect(value('SECURESCORE_STATE')).toBe("[format('{0}/checkpoints', variables('containerUrl'))]");
      expect(value('SECURESCORE_DEAD_LETTER')).toBe("[format('{0}/dead-letter', variables('containerUrl'))]");
      expect(template.variables.containerUrl).toBe(
        "[format('https://{0}.blob.{1}/{2}', parameters('storageAccountName'), environment().suffixes.storage, parameters('stateContainer'))]",
      );
      expect(value('SECURESCORE_LOG_FORMAT')).toBe('json');
      expect(value('SECURESCORE_MAX_RUN_MINUTES')).toBe("[string(max(1, sub(div(parameters('replicaTimeout'), 60), 5)))]");
      expect(template.parameters.replicaTimeout.minValue).toBeGreaterThanOrEqual(6 * 60);
    });

    it('creates or takes the storage account and always creates the state container', () => {
      const account = template.resources.find((r: { type: string }) => r.type === 'Microsoft.Storage/storageAccounts');
      expect(account.condition).toBe("[parameters('createStorageAccount')]");
      expect(account.properties).toMatchObject({ allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
      const blobContainer = template.resources.find(
        (r: { type: string }) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers',
      );
      expect(blobContainer.condition).toBeUndefined();
    });

    it("sends the environment's logs to the Sentinel workspace with its customer id and shared key", () => {
      const environment = template.resources.find((r: { type: string }) => r.type === 'Microsoft.App/managedEnvironments');
      expect(environment.properties.appLogsConfiguration).toEqual({
        destination: 'log-analytics',
        logAnalyticsConfiguration: {
          customerId: "[reference(variables('workspaceId'), '2022-10-01').customerId]",
          sharedKey: "[listKeys(variables('workspaceId'), '2022-10-01').primarySharedKey]",
        },
      });
      expect(template.variables.workspaceId).toContain("'Microsoft.OperationalInsights/workspaces', parameters('workspaceName')");
    });

    it('grants the data roles to the connector identity and AcrPull and Key Vault access to the managed identity', () => {
      const connector =
        "[if(variables('useApp'), parameters('appPrincipalId'), reference(variables('identityId'), '2023-01-31').principalId)]";
      const managedIdentity = "[reference(variables('identityId'), '2023-01-31').principalId]";
      const grants = template.resources.flatMap((r: any) =>
        r.type === 'Microsoft.Authorization/roleAssignments'
          ? [[r.properties.roleDefinitionId, r.properties.principalId]]
          : r.type === 'Microsoft.Resources/deployments'
            ? [[r.properties.template.resources[0].properties.roleDefinitionId, r.properties.parameters.principalId.value]]
            : [],
      );
      expect(grants).toEqual(
        expect.arrayContaining([
          [expect.stringContaining(ROLE.storageBlobDataContributor), connector],
          [expect.stringContaining(ROLE.monitoringMetricsPublisher), connector],
          [expect.stringContaining(ROLE.acrPull), managedIdentity],
          [expect.stringContaining(ROLE.keyVaultSecretsUser), managedIdentity],
        ]),
      );
      expect(grants).toHaveLength(4);
      expect(template.outputs.connectorPrincipalId.value).toBe(connector);
    });

    it('takes a multi-tenant app whose secret or certificate comes from Key Vault, never from the template', () => {
      for (const name of ['appClientId', 'appPrincipalId', 'appClientSecretUrl', 'appCertificateUrl']) {
        expect(template.parameters[name], name).toMatchObject({ type: 'string', defaultValue: '' });
      }
      expect(template.parameters.tenants).toMatchObject({ type: 'array', defaultValue: [] });
      expect(value('AZURE_CLIENT_ID')).toContain("parameters('appClientId')");
      const secretEntry = container.env.find((e: unknown) => typeof e === 'string' && e.includes('AZURE_CLIENT_SECRET'));
      expect(secretEntry).toBe(
        "[if(empty(parameters('appClientSecretUrl')), createObject('name', 'AZURE_CLIENT_SECRET', 'value', ''), createObject('name', 'AZURE_CLIENT_SECRET', 'secretRef', 'app-client-secret'))]",
      );
      const secrets: string = job.properties.configuration.secrets;
      expect(secrets).toContain(
        "createObject('name', 'app-client-secret', 'keyVaultUrl', parameters('appClientSecretUrl'), 'identity', variables('identityId'))",
      );
      expect(secrets).toContain(
        "createObject('name', 'app-certificate', 'keyVaultUrl', parameters('appCertificateUrl'), 'identity', variables('identityId'))",
      );
      // Only the tenant list (no secrets by contract) is a literal value.
      expect([...secrets.matchAll(/'value', /g)]).toHaveLength(1);
      expect(value('AZURE_CLIENT_CERTIFICATE_PATH')).toContain('/config/app-certificate.pem');
      expect(job.properties.template.volumes[0].secrets).toContain(
        "createObject('secretRef', 'app-certificate', 'path', 'app-certificate.pem')",
      );
    });

    it('mounts the tenant list where SECURESCORE_TENANTS points, in a shape the connector reads', async () => {
      expect(value('SECURESCORE_TENANTS')).toBe(
        "[if(empty(parameters('tenantsBlob')), if(empty(parameters('tenants')), '', '/config/tenants.json'), format('{0}/{1}', variables('containerUrl'), parameters('tenantsBlob')))]",
      );
      expect(container.volumeMounts).toEqual([{ volumeName: 'config', mountPath: '/config' }]);
      expect(job.properties.template.volumes[0].secrets).toContain("createObject('secretRef', 'tenants', 'path', 'tenants.json')");
      expect(job.properties.configuration.secrets).toContain("string(createObject('tenants', parameters('tenants')))");
      // What ARM's string(createObject('tenants', [...])) writes for a documented tenants.json.
      const documented = /cat > tenants.json <<'EOF'\n([\s\S]*?)\nEOF/.exec(readFileSync('docs/deploy.md', 'utf8'))![1]!;
      const folder = mkdtempSync(join(tmpdir(), 'securescore-deploy-'));
      temporary.push(folder);
      writeFileSync(join(folder, 'tenants.json'), JSON.stringify({ tenants: JSON.parse(documented) }));
      expect((await loadTenants(join(folder, 'tenants.json'))).map((t) => t.displayName)).toEqual(['Contoso', 'Fabrikam']);
    });
  });

  describe('the Kubernetes manifests', () => {
    const folder = 'deploy/kubernetes';
    const files = ['00-namespace.yaml', '10-service-account.yaml', '20-settings.yaml', '30-tenants.yaml', '40-cronjob.yaml'];
    const docs = files.flatMap((file) =>
      parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as {
          kind: string;
          metadata: { name: string; annotations?: Record<string, string> };
          data?: Record<string, string>;
          spec?: any;
        };
      }),
    );
    const [, account, settings, tenants, cron] = docs;
    const job = cron!.spec.jobTemplate.spec;

    it('come in the order kubectl must apply them: namespace, service account, settings, tenants, CronJob', () => {
      expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ConfigMap', 'ConfigMap', 'CronJob']);
    });

    it('run an Indexed CronJob as a non-root workload identity, one run at a time', () => {
      expect(account!.metadata.annotations).toHaveProperty('azure.workload.identity/client-id');
      expect(job.completionMode).toBe('Indexed');
      expect(job.template.metadata.labels['azure.workload.identity/use']).toBe('true');
      expect(job.template.spec.serviceAccountName).toBe(account!.metadata.name);
      expect(job.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(cron!.spec.concurrencyPolicy).toBe('Forbid');
      expect(job.template.spec.containers[0].args).toEqual(['run']);
      expect(job.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: settings!.metadata.name } }]);
    });

    it('set only environment variables the CLI reads', () => {
      expect(Object.keys(settings!.data!).filter((k) => !env.has(k))).toEqual([]);
    });

    it('keep dead letters in the blob container of the state, log JSON lines, and stop before the active deadline', () => {
      const container = (url: string) => new URL(url.replace('<account>', 'account')).pathname.split('/')[1];
      expect(container(settings!.data!.SECURESCORE_DEAD_LETTER!)).toBe(container(settings!.data!.SECURESCORE_STATE!));
      expect(new URL(settings!.data!.SECURESCORE_DEAD_LETTER!.replace('<account>', 'account')).hostname).toMatch(
        /\.blob\.core\.windows\.net$/,
      );
      expect(settings!.data!.SECURESCORE_LOG_FORMAT).toBe('json');
      expect(Number(settings!.data!.SECURESCORE_MAX_RUN_MINUTES) * 60).toBeLessThan(job.activeDeadlineSeconds);
    });

    it('mount a tenants ConfigMap the connector reads at the path the settings name', async () => {
      const mount = job.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'tenants');
      const volume = job.template.spec.volumes.find((v: { name: string }) => v.name === 'tenants');
      expect(volume.configMap.name).toBe(tenants!.metadata.name);
      const [file] = Object.keys(tenants!.data!);
      expect(readFileSync(join(folder, '20-settings.yaml'), 'utf8')).toContain(`set ${mount.mountPath}/${file}`);
      const temp = mkdtempSync(join(tmpdir(), 'securescore-deploy-'));
      temporary.push(temp);
      writeFileSync(join(temp, file!), tenants!.data![file!]!);
      expect((await loadTenants(join(temp, file!))).map((t) => t.displayName)).toEqual(['Contoso', 'Fabrikam']);
    });
  });

  it('has a multi-stage Dockerfile on an official Node LTS image, production deps only, non-root, the CLI as entrypoint, no secrets', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(from).toHaveLength(2);
    for (const image of from) expect(image).toMatch(/^node:(20|22|24)-/);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toMatch(/^USER node$/m);
    // The heap caps keep peak memory near the live set (V8 collects lazily under a large default heap,
    // and grows the young generation in long runs).
    expect(dockerfile).toMatch(
      /^ENTRYPOINT \["node", "--max-old-space-size=\d+", "--max-semi-space-size=\d+", "\/app\/dist\/cli\/index\.js"\]$/m,
    );
    expect(dockerfile).not.toMatch(/^(ENV|ARG) .*(SECRET|PASSWORD|TOKEN|KEY)/im);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'dead-letter', '.securescore']) expect(ignored).toContain(entry);
  });
});
