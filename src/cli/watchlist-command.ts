import { readFile, writeFile } from 'node:fs/promises';
import { loadTenants } from '../config/tenants.js';
import { ConnectorError } from '../errors.js';
import {
  approversTemplate,
  EXPECTED_TENANTS_WATCHLIST,
  expectedTenantsTemplate,
  parseApprovers,
  type ExpectedTenant,
} from '../sentinel/watchlists.js';
import type { CommandContext } from './context.js';
import { pruneScript } from './prune-script.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Arguments of `watchlist`, as yargs parses them. */
export interface WatchlistArgs {
  readonly tenants?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly displayName?: string | undefined;
  readonly output?: string | undefined;
  readonly approvers?: string | undefined;
  readonly approversOutput?: string | undefined;
  readonly pruneScript?: string | undefined;
}

async function expectedTenants(args: WatchlistArgs): Promise<ExpectedTenant[]> {
  if (args.tenants && args.tenantId)
    throw new ConnectorError(
      'CONFIG',
      'watchlist: --tenants and --tenant-id are both given. Name the tenants file or the single tenant, not both',
    );
  if (args.tenants) return loadTenants(args.tenants);
  if (!args.tenantId)
    throw new ConnectorError(
      'CONFIG',
      'watchlist: no tenants given. Pass --tenants FILE, or --tenant-id GUID --display-name NAME for one tenant',
    );
  if (!GUID.test(args.tenantId))
    throw new ConnectorError(
      'CONFIG',
      `--tenant-id "${args.tenantId}" is not a tenant id (GUID). Use the Directory (tenant) ID from Entra ID, not the domain name`,
    );
  return [{ tenantId: args.tenantId, displayName: args.displayName }];
}

async function readApprovers(file: string | undefined): Promise<string[]> {
  if (!file) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConnectorError('CONFIG', `--approvers ${file}: cannot be read. Check the path`);
  }
  return parseApprovers(text, file);
}

const render = (template: unknown) => `${JSON.stringify(template, null, 2)}\n`;

/**
 * `watchlist`: writes the ARM template of the expected-tenants watchlist (and, with --approvers-output,
 * of the approvers watchlist) for `az deployment group create ... --parameters workspaceName=...`.
 */
export async function watchlistCommand(args: WatchlistArgs, context: CommandContext): Promise<number> {
  const tenants = await expectedTenants(args);
  const approvers = await readApprovers(args.approvers);
  if (args.approvers && !args.approversOutput)
    throw new ConnectorError('CONFIG', 'watchlist: --approvers needs --approvers-output FILE. Name where to write the approvers template');
  if (args.output) {
    await writeFile(args.output, render(expectedTenantsTemplate(tenants)));
    context.log(`watchlist: ${tenants.length} expected tenant(s) written to ${args.output}`);
  } else {
    process.stdout.write(render(expectedTenantsTemplate(tenants)));
  }
  if (args.approversOutput) {
    await writeFile(args.approversOutput, render(approversTemplate(approvers)));
    context.log(`watchlist: ${approvers.length} approver(s) written to ${args.approversOutput}`);
  }
  if (args.pruneScript) {
    const source = args.tenants ?? `--tenant-id ${tenants[0]!.tenantId}`;
    await writeFile(
      args.pruneScript,
      pruneScript(
        tenants.map((t) => t.tenantId),
        source,
      ),
      { mode: 0o755 },
    );
    context.log(
      `watchlist: ${args.pruneScript} removes every tenant not among these ${tenants.length} from ${EXPECTED_TENANTS_WATCHLIST.alias}; run it with: bash ${args.pruneScript} SUBSCRIPTION_ID RESOURCE_GROUP WORKSPACE`,
    );
  }
  return 0;
}
