/**
 * ChatValidationError: one bad chat line. `reason` is a short code (see CHAT_ERROR_REASONS),
 * `path` the JSON path of the offending value in the input (e.g. `messages[1].content[0].type`).
 */
import { InputError, type InputLocation } from '../errors.js';

export const CHAT_ERROR_REASONS = [
  'invalid-json',
  'invalid-utf8',
  'unknown-shape',
  'bad-conversation',
  'bad-turn',
  'unknown-role',
  'unsupported-role',
  'bad-content',
  'bad-part',
  'unknown-content-type',
  'bad-text',
  'bad-image-url',
  'lone-surrogate',
  'bad-data-url',
  'not-base64',
  'bad-base64',
  'not-an-image',
] as const;
export type ChatErrorReason = (typeof CHAT_ERROR_REASONS)[number];

export class ChatValidationError extends InputError {
  /** JSON path of the bad value ('' for the whole line). */
  readonly path: string;
  /** The message without location and path prefixes. */
  readonly detail: string;
  constructor(reason: ChatErrorReason | string, detail: string, path: string, location?: InputLocation, options?: { cause?: unknown }) {
    super(reason, path ? `${path}: ${detail}` : detail, location, options);
    this.name = 'ChatValidationError';
    this.path = path;
    this.detail = detail;
  }

  /** The same error with a location attached. */
  at(location: InputLocation): ChatValidationError {
    return new ChatValidationError(this.reason, this.detail, this.path, location, { cause: this.cause });
  }
}
