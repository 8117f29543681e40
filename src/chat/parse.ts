/**
 * Parse one chat line into a ChatDocument, accepting every shape the reference accepts
 * (spec megatron-dataset §4.4), first match wins:
 *   a JSON array of turns · an object with `conversations` · an object with `role` and `content`
 * plus `{"messages": [...]}` (the SOLO guide's shape, which the reference rejects; pass
 * `shapes: 'reference'` to reject it too). Errors are ChatValidationErrors naming the JSON path.
 * Structure only: image payloads are checked by validateChatDocumentImages / the image stage.
 */
import type { InputLocation } from '../errors.js';
import { ChatValidationError } from './errors.js';
import { parsePythonJson } from './json.js';
import { hasLoneSurrogate } from './surrogates.js';
import { CHAT_ROLES, REFERENCE_ONLY_ROLES, type ChatDocument, type ChatMessage, type ChatPart, type ChatShape } from './types.js';

export interface ParseChatOptions {
  /** `solo` (default): also accept `{"messages": [...]}`; `reference`: only the reference's shapes. */
  shapes?: 'solo' | 'reference';
  /** Accept the reference-only roles `image` and `PACK_SEP` (default false: `unsupported-role`). */
  acceptReferenceRoles?: boolean;
  /**
   * `always` (default): every turn's role is checked. `when-content`: a turn whose content is an
   * empty list is not checked (the reference's pretrain mode).
   */
  roleCheck?: 'always' | 'when-content';
  /** Report lone surrogates in text (default true). */
  checkSurrogates?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Which shape a parsed line has, or null if none. */
export function chatShapeOf(json: unknown, shapes: 'solo' | 'reference' = 'solo'): ChatShape | null {
  if (Array.isArray(json)) return 'list';
  if (!isObject(json)) return null;
  if ('conversations' in json) return 'conversations';
  if ('content' in json && 'role' in json) return 'single';
  if (shapes === 'solo' && 'messages' in json) return 'messages';
  return null;
}

/** `a.b` path join where the root path is ''. */
function sub(p: string, key: string): string {
  return p ? `${p}.${key}` : key;
}

function parseTurn(t: unknown, p: string, o: ParseChatOptions): ChatMessage {
  if (!isObject(t)) throw new ChatValidationError('bad-turn', `a turn must be an object, got ${kind(t)}`, p);
  if (!('content' in t)) throw new ChatValidationError('bad-turn', "turn has no 'content'", p);
  const c = t.content;
  let content: ChatMessage['content'];
  if (typeof c === 'string') {
    if (o.checkSurrogates !== false && hasLoneSurrogate(c)) {
      throw new ChatValidationError('lone-surrogate', 'text contains a lone UTF-16 surrogate', sub(p, 'content'));
    }
    content = c;
  } else if (Array.isArray(c)) {
    const parts: ChatPart[] = [];
    for (let i = 0; i < c.length; i++) {
      const item = c[i];
      const ip = `${sub(p, 'content')}[${i}]`;
      if (!isObject(item)) throw new ChatValidationError('bad-part', `a content item must be an object, got ${kind(item)}`, ip);
      const type = item.type;
      if (type === 'text') {
        const text = item.text;
        if (typeof text !== 'string') throw new ChatValidationError('bad-text', `'text' must be a string, got ${kind(text)}`, `${ip}.text`);
        if (o.checkSurrogates !== false && hasLoneSurrogate(text)) {
          throw new ChatValidationError('lone-surrogate', 'text contains a lone UTF-16 surrogate', `${ip}.text`);
        }
        parts.push({ type: 'text', text });
      } else if (type === 'image_url') {
        const iu = item.image_url;
        if (!isObject(iu)) throw new ChatValidationError('bad-image-url', `'image_url' must be an object, got ${kind(iu)}`, `${ip}.image_url`);
        if (typeof iu.url !== 'string') throw new ChatValidationError('bad-image-url', `'url' must be a string, got ${kind(iu.url)}`, `${ip}.image_url.url`);
        parts.push({ type: 'image_url', image_url: { url: iu.url } });
      } else if (type === undefined) {
        throw new ChatValidationError('bad-part', "content item has no 'type'", ip);
      } else {
        throw new ChatValidationError(
          'unknown-content-type',
          `Unknown content type (only 'text' and 'image_url' are supported): ${typeof type === 'string' ? type : JSON.stringify(type)}`,
          `${ip}.type`,
        );
      }
    }
    content = parts;
  } else {
    throw new ChatValidationError('bad-content', `'content' must be a string or a list, got ${kind(c)}`, sub(p, 'content'));
  }
  const skipRole = o.roleCheck === 'when-content' && Array.isArray(content) && content.length === 0;
  if (!('role' in t)) {
    if (!skipRole) throw new ChatValidationError('bad-turn', "turn has no 'role'", p);
    return { role: undefined as unknown as ChatMessage['role'], content };
  }
  const role = t.role;
  if (!skipRole) {
    if (typeof role !== 'string') throw new ChatValidationError('unknown-role', `role must be a string, got ${kind(role)}`, sub(p, 'role'));
    if (!(CHAT_ROLES as readonly string[]).includes(role)) {
      if ((REFERENCE_ONLY_ROLES as readonly string[]).includes(role)) {
        if (!o.acceptReferenceRoles) {
          throw new ChatValidationError('unsupported-role', `role '${role}' is accepted by the reference writer but is not a chat role`, sub(p, 'role'));
        }
      } else {
        throw new ChatValidationError('unknown-role', `unknown role '${role}' (expected system, user or assistant)`, sub(p, 'role'));
      }
    }
  }
  return { role: role as ChatMessage['role'], content };
}

/** Interpret a parsed JSON value as a chat document. Throws ChatValidationError. */
export function parseChatDocument(json: unknown, opts: ParseChatOptions = {}): ChatDocument {
  const shape = chatShapeOf(json, opts.shapes ?? 'solo');
  let turns: unknown;
  let prefix: string;
  let id: string | undefined;
  switch (shape) {
    case 'list':
      turns = json;
      prefix = '';
      break;
    case 'conversations':
      turns = (json as Record<string, unknown>).conversations;
      prefix = 'conversations';
      break;
    case 'messages':
      turns = (json as Record<string, unknown>).messages;
      prefix = 'messages';
      break;
    case 'single':
      return { messages: [parseTurn(json, '', opts)] };
    default: {
      const hint = isObject(json) && 'messages' in json ? " ('messages' is not accepted in reference mode)" : '';
      throw new ChatValidationError(
        'unknown-shape',
        `expected a list of turns or an object with 'conversations', 'messages' or 'role'+'content', got ${kind(json)}${hint}`,
        '',
      );
    }
  }
  if (shape !== 'list') {
    const rawId = (json as Record<string, unknown>).id;
    if (typeof rawId === 'string' || typeof rawId === 'number') id = String(rawId);
  }
  if (!Array.isArray(turns)) throw new ChatValidationError('bad-conversation', `must be a list of turns, got ${kind(turns)}`, prefix);
  const messages = turns.map((t, i) => parseTurn(t, `${prefix}[${i}]`, opts));
  return id !== undefined ? { id, messages } : { messages };
}

/** Parse one JSONL line (Python json.loads acceptance) into a ChatDocument; errors carry `loc`. */
export function parseChatLine(text: string, loc?: InputLocation, opts: ParseChatOptions = {}): ChatDocument {
  let json: unknown;
  try {
    json = parsePythonJson(text);
  } catch (e) {
    throw new ChatValidationError('invalid-json', (e as Error).message, '', loc);
  }
  try {
    return parseChatDocument(json, opts);
  } catch (e) {
    if (e instanceof ChatValidationError && loc) throw e.at(loc);
    throw e;
  }
}
