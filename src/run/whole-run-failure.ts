import { ConnectorError } from '../errors.js';

/** How many tenants must fail to reach the authority, with none getting a token, before the run stops asking. */
export const FIRST_TENANTS = 3;

/** Added to the problem of a tenant the run did not ask for a token; the CLI groups it with the others. */
export const NOT_ASKED = ` (not asked: the first ${FIRST_TENANTS} tenants of the run could not reach it)`;

/**
 * Recognises a run that cannot reach the authority at all (DNS down, a proxy or firewall in the way):
 * when the first FIRST_TENANTS token requests to end all failed with the same network problem and
 * none succeeded, the tenants not yet asked are not asked, each failing at once with that problem
 * (and its own ConnectorRun), instead of every tenant waiting out its own time-outs, 200 times the
 * same. Requests already on their way end as they do. A token issued before that never stops it.
 */
export class UnreachableAuthority {
  private readonly first: string[] = [];
  private issued = false;
  private problem: string | undefined;

  /** Runs a token request, or refuses it at once once the run knows the authority cannot be reached. */
  async guard<T>(ask: () => Promise<T>): Promise<T> {
    if (this.problem !== undefined) throw new ConnectorError('NETWORK', `${this.problem}${NOT_ASKED}`);
    try {
      const answer = await ask();
      this.issued = true;
      return answer;
    } catch (error) {
      this.observe(error);
      throw error;
    }
  }

  private observe(error: unknown): void {
    if (this.issued || this.problem !== undefined || this.first.length >= FIRST_TENANTS) return;
    // A stop is not the network's fault; other errors are the tenant's own.
    const network = error instanceof ConnectorError && error.code === 'NETWORK' && !error.message.startsWith('Interrupted');
    this.first.push(network ? error.message : '');
    if (this.first.length === FIRST_TENANTS && this.first[0] !== '' && this.first.every((m) => m === this.first[0]))
      this.problem = this.first[0];
  }
}
