/**
 * The unified chat document: OpenAI chat-completion messages. `content` is a string or a list of
 * `text` / `image_url` parts; images are data URLs (`data:image/png;base64,...`).
 */
export type ChatRole = 'system' | 'user' | 'assistant';
/** Roles the Megatron reference also accepts (pathological; only with `acceptReferenceRoles`). */
export type ReferenceOnlyRole = 'image' | 'PACK_SEP';
export const CHAT_ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];
export const REFERENCE_ONLY_ROLES: readonly ReferenceOnlyRole[] = ['image', 'PACK_SEP'];

export interface ChatTextPart {
  type: 'text';
  text: string;
}
export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string };
}
export type ChatPart = ChatTextPart | ChatImagePart;
export type ChatContent = string | ChatPart[];
export interface ChatMessage {
  /** One of ChatRole; a ReferenceOnlyRole only when parsed with `acceptReferenceRoles`. */
  role: ChatRole;
  content: ChatContent;
}
/** Which top-level line shape a document was read from. */
export type ChatShape = 'list' | 'conversations' | 'messages' | 'single';
export interface ChatDocument {
  id?: string;
  messages: ChatMessage[];
}
