/** Why a run is being stopped. */
export type StopReason = 'SIGTERM' | 'SIGINT' | 'deadline';

/** Exit code of a run stopped for this reason: 128 + the signal's number, as shells and schedulers expect. */
export function exitCodeOfStop(reason: StopReason): number {
  return reason === 'SIGTERM' ? 143 : reason === 'SIGINT' ? 130 : 1;
}

/**
 * How a run stops, whatever I/O is hanging: first softly (no new reads or tenants; uploads in flight
 * go on and the checkpoint is saved), then, after the grace period, hard (uploads are cut off and
 * their records dead-lettered), and finally the process exits even if something still hangs.
 */
export class StopControl {
  private readonly softController = new AbortController();
  private readonly hardController = new AbortController();
  private stopped: StopReason | undefined;
  /** Set by the command once its configuration is known. */
  graceMs = 25_000;

  constructor(private readonly onForcedExit: (reason: StopReason) => void) {}

  /** Aborted at the stop: stops reading. */
  get soft(): AbortSignal {
    return this.softController.signal;
  }

  /** Aborted when the grace period is over: cuts off uploads. */
  get hard(): AbortSignal {
    return this.hardController.signal;
  }

  get reason(): StopReason | undefined {
    return this.stopped;
  }

  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.softController.abort(new Error(reason));
    // unref: a run that finishes in time exits at once, not when these timers fire.
    setTimeout(() => this.hardController.abort(new Error(`${reason}: the grace period is over`)), this.graceMs).unref();
    setTimeout(() => this.onForcedExit(reason), this.graceMs + 5_000).unref();
  }
}
