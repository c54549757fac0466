import type { TenantStatus } from './run-tenant.js';

/** The tenant an event is about: every line the CLI prints from an event names it. */
export interface TenantRef {
  readonly tenantId: string;
  readonly tenantName: string | undefined;
}

/**
 * What a run reports while it goes, for progress on a terminal and one log line per event
 * otherwise. The run never prints: the CLI decides what to show (cli/run-log.ts).
 */
export type RunEvent =
  | { readonly event: 'tenant-started'; readonly tenant: TenantRef }
  /** Reading Graph (records normalized so far) or sending a batch. */
  | {
      readonly event: 'progress';
      readonly tenant: TenantRef;
      readonly stage: 'reading' | 'sending';
      readonly produced: number;
      readonly delivered: number;
    }
  | {
      readonly event: 'batch-sent';
      readonly tenant: TenantRef;
      readonly records: number;
      readonly accepted: number;
      readonly rejected: number;
    }
  | {
      readonly event: 'retry';
      readonly tenant: TenantRef;
      readonly host: string;
      readonly reason: string;
      readonly delayMs: number;
      readonly attempt: number;
    }
  | { readonly event: 'dead-letter'; readonly tenant: TenantRef; readonly path: string }
  | { readonly event: 'checkpoint-moved'; readonly tenant: TenantRef; readonly newestSnapshotDate: string | undefined }
  | {
      readonly event: 'tenant-finished';
      readonly tenant: TenantRef;
      readonly status: TenantStatus;
      readonly counts: Readonly<Record<string, number>>;
      readonly produced: number;
      readonly delivered: number;
      readonly problems: readonly string[];
      readonly durationMs: number;
    };

/** Receives a run's events; must not throw. */
export type RunEventSink = (event: RunEvent) => void;
