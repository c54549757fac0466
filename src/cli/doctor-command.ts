import { buildConfig, type CliArgs, type Config } from '../config/config.js';
import { describeError } from '../errors.js';
import { runDoctorChecks, type Check } from '../run/doctor.js';
import type { CommandContext } from './context.js';
import { tenantsSource } from './tenants-source.js';

/**
 * `doctor`: proves a deployment is wired right, one PASS/FAIL line per check with the fix. The
 * configuration is judged exactly as `run` judges it, so the two never disagree.
 */
export async function doctorCommand(args: CliArgs, context: CommandContext): Promise<number> {
  let config;
  try {
    config = buildConfig(args, context.env, 'doctor');
    context.setLogFormat?.(config.logFormat);
  } catch (error) {
    for (const line of describeError(error).split('\n')) context.log(`FAIL configuration: ${line}`);
    return 2;
  }
  const destination = config.ingestion
    ? `DCR ${config.ingestion.dcrImmutableId}/${config.ingestion.streamName}`
    : `NDJSON to ${config.output}`;
  context.log(
    `PASS configuration: cloud ${config.cloud}, Graph ${config.graphEndpoint}, ${destination}, state ${config.statePath ?? 'none'}`,
  );
  const checks = await checkWithTenants(config, context);
  const total = checks.length + 1;
  const failed = checks.filter((c) => !c.ok).length;
  const tenants = checks.filter((c) => c.name.startsWith('tenant '));
  const tenantsFailed = tenants.filter((c) => !c.ok).length;
  if (tenants.length === 0)
    context.log(failed === 0 ? `doctor: all ${total} checks passed` : `doctor: ${failed} of ${total} checks failed`);
  else
    context.log(
      failed === 0
        ? `doctor: all ${total} checks passed, ${tenants.length} tenant(s) among them`
        : `doctor: ${tenantsFailed} of ${tenants.length} tenant(s) failed; ${failed - tenantsFailed} of ${total - tenants.length} other check(s) failed`,
    );
  return failed === 0 ? 0 : 1;
}

/**
 * The checks, with a tenants file given as a blob read first (its own check when it cannot be), and
 * every line naming the blob rather than the local copy.
 */
async function checkWithTenants(config: Config, context: CommandContext): Promise<Check[]> {
  const print = (c: Check) => context.log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  let source;
  try {
    source = await tenantsSource(config, context.env);
  } catch (error) {
    const failed: Check = { name: 'tenants', ok: false, detail: describeError(error) };
    print(failed);
    return [failed];
  }
  try {
    return (await runDoctorChecks(source.config, context.env, (c) => print({ ...c, detail: source.rename(c.detail) }))).map((c) => ({
      ...c,
      detail: source.rename(c.detail),
    }));
  } finally {
    await source.remove();
  }
}
