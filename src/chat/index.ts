// Public API of src/chat: the unified chat document, its parser and validation tools.
export * from './types.js';
export { ChatValidationError, CHAT_ERROR_REASONS, type ChatErrorReason } from './errors.js';
export { parseChatDocument, parseChatLine, chatShapeOf, type ParseChatOptions } from './parse.js';
export { parsePythonJson } from './json.js';
export { parseDataUrl, decodeImageDataUrl, toDataUrl, type ParsedDataUrl, type DecodedImageUrl } from './data-url.js';
export { pythonB64Decode, Base64Error } from './base64.js';
export { sniffImageType, type SniffedImage } from './sniff.js';
export { hasLoneSurrogate, findLoneSurrogate, codePointLength } from './surrogates.js';
export {
  validateChatFiles,
  chatStats,
  type ChatScanOptions,
  type ChatValidateOptions,
  type ChatLineError,
  type ChatStats,
  type ChatValidationReport,
} from './scan.js';
