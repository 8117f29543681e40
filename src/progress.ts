/**
 * Progress events: the library reports, the CLI renders (bar on a TTY, periodic log lines
 * otherwise, JSON lines with --json). Library functions take an optional `onProgress`.
 */
export interface ProgressEvent {
  /** Short name of the running step, e.g. `prepare`, `tensor`, `shard 3/32`. */
  stage: string;
  /** Items done so far (documents, images, tensors…). */
  done: number;
  /** Total items if known. */
  total?: number;
  /** Bytes processed so far (input side unless the stage says otherwise). */
  bytes?: number;
  /** Total bytes if known (drives the ETA when items are unknown). */
  totalBytes?: number;
  /** Errors (quarantined records) so far. */
  errors?: number;
  /** Unit of `done`, e.g. `docs`, `tensors`. */
  unit?: string;
  /** Free-form detail (current file, tensor name). */
  detail?: string;
}

export type ProgressFn = (event: ProgressEvent) => void;

export const noProgress: ProgressFn = () => {};
