// The library entry: `import { createWebhooks, verifyRequest, parseEvent } from 'oblic-hooks'`. Nothing here touches
// the CLI, and nothing here needs a dependency beyond Node itself.
export { sign, signStream } from './signing/sign.js';
export { verify } from './signing/verify.js';
export type { Verdict, VerifyInput, FailureReason } from './signing/verify.js';
export { verifyRequest } from './signing/verify-request.js';
export type {
  RequestVerdict,
  VerifyRequestOptions,
  RequestFailureReason,
  ReceivedRequest,
} from './signing/verify-request.js';
export { parseEvent } from './oblic/parse.js';
export type { ParseResult, ParseError, ParseErrorCode } from './oblic/parse.js';
export { eventSchema, anyEventSchema } from './oblic/schema.js';
export { EVENT_TYPES, RESOURCES, ACTIONS, isEventType } from './oblic/events.js';
export type { EventType, EventTypeInfo, Resource, Action } from './oblic/events.js';
export type { OblicEvent, Contact, Conversation, Message, Group, Attachment, Sender } from './oblic/models.js';
export { createWebhooks } from './receive/adapters.js';
export type {
  Webhooks,
  NodeHandler,
  KoaContextLike,
  FastifyLike,
  FastifyRequestLike,
  FastifyReplyLike,
} from './receive/adapters.js';
export type {
  WebhooksOptions,
  WebhookHandler,
  WebhookErrorHandler,
  WebhookAnswer,
  WebhookOutcome,
} from './receive/webhooks.js';
export { createMemoryStore } from './receive/idempotency.js';
export type { IdempotencyStore } from './receive/idempotency.js';
export type { EventPattern, EventOf } from './receive/patterns.js';
