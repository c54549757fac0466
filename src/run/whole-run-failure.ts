import { ConnectorError } from '../errors.js';

/** How many tenants ask the authority first; when all fail to reach it, no other tenant asks. */
export const FIRST_TENANTS = 3;

/** Added to the problem of a tenant the run did not ask a token for; the CLI groups it with the others. */
export const NOT_ASKED = ` (not asked: the first ${FIRST_TENANTS} tenants of the run could not reach it)`;

/**
 * Recognises a run that cannot reach the authority at all (DNS down, a proxy or firewall in the way)
 * from its first FIRST_TENANTS token requests, and then asks no more. Until a token is issued or
 * those first requests have ended, at most FIRST_TENANTS token requests are on their way (the others
 * wait for the answer); when they all failed with the same network problem, every other tenant fails
 * at once with it (and has its own ConnectorRun), instead of 200 tenants each waiting out the same
 * time-outs and retries. One token issued, or a first failure of another kind, lets every tenant ask.
 */
export class UnreachableAuthority {
  private readonly first: string[] = [];
  private issued = false;
  private problem: string | undefined;
  private asking = 0;
  private waiting: Array<() => void> = [];

  /** Known either way: a token was issued, or the first requests have ended. */
  private get known(): boolean {
    return this.issued || this.first.length >= FIRST_TENANTS;
  }

  /** Runs a token request once the run may ask, or refuses it at once when the authority cannot be reached. */
  async guard<T>(ask: () => Promise<T>): Promise<T> {
    while (!this.known && this.asking + this.first.length >= FIRST_TENANTS) await new Promise<void>((wake) => this.waiting.push(wake));
    if (this.problem !== undefined) throw new ConnectorError('NETWORK', `${this.problem}${NOT_ASKED}`);
    this.asking++;
    try {
      const answer = await ask();
      this.issued = true;
      return answer;
    } catch (error) {
      this.observe(error);
      throw error;
    } finally {
      this.asking--;
      for (const wake of this.waiting.splice(0)) wake();
    }
  }

  private observe(error: unknown): void {
    if (this.known) return;
    // A stop is not the network's fault; other errors are the tenant's own.
    const network = error instanceof ConnectorError && error.code === 'NETWORK' && !error.message.startsWith('Interrupted');
    this.first.push(network ? error.message : '');
    if (this.first.length === FIRST_TENANTS && this.first[0] !== '' && this.first.every((m) => m === this.first[0]))
      this.problem = this.first[0];
  }
}
