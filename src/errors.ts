/**
 * Error classes shared by every stage.
 *
 * - `UsageError`: the caller asked for something impossible (bad flag, missing file); CLI exit code 2.
 * - `SoloError`: an operation failed on its input (corrupt file, mismatch); CLI exit code 1.
 * - `InputError`: one bad record (line, image, tar member). Stages count and quarantine these and go on.
 */
export class SoloError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SoloError';
  }
}

export class UsageError extends SoloError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a bad record came from: enough for a person to open the file at the right place. */
export interface InputLocation {
  file: string;
  /** 1-based line number, for line-oriented inputs. */
  line?: number;
  /** Byte offset of the record's start in the (decompressed) stream. */
  offset?: number;
  /** Tar member, image path, sample id… */
  member?: string;
}

export class InputError extends SoloError {
  readonly location?: InputLocation;
  /** A short machine-friendly reason code, e.g. `invalid-json`, `bad-base64`. */
  readonly reason: string;
  constructor(reason: string, message: string, location?: InputLocation, options?: { cause?: unknown }) {
    super(location ? `${formatLocation(location)}: ${message}` : message, options);
    this.name = 'InputError';
    this.reason = reason;
    this.location = location;
  }
}

export function formatLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.member !== undefined) s += `[${loc.member}]`;
  if (loc.offset !== undefined) s += ` (byte ${loc.offset})`;
  return s;
}
