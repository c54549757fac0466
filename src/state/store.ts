import type { CheckpointDocument } from './checkpoint.js';

/**
 * Where checkpoints live. A run holds the store exclusively from `acquire` to `release`, so two
 * overlapping runs cannot both advance it; `save` is also conditional on what `load` saw.
 */
export interface CheckpointStore {
  readonly description: string;
  /** Takes the exclusive hold; throws a LOCKED ConnectorError when another run has it. */
  acquire(): Promise<void>;
  load(): Promise<CheckpointDocument>;
  save(doc: CheckpointDocument): Promise<void>;
  release(): Promise<void>;
}
