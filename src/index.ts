// The library entry: `import { verifyRequest, parseEvent } from 'oblic-hooks'`. Nothing here touches
// the CLI, and nothing here needs a dependency beyond Node itself.
export { sign, signStream } from './signature.js';
export { verify } from './verify.js';
export type { Verdict, VerifyInput, FailureReason } from './verify.js';
export { verifyRequest } from './receive.js';
export type { RequestVerdict, VerifyRequestOptions, RequestFailureReason, ReceivedRequest } from './receive.js';
export { parseEvent } from './parse-event.js';
export type { ParseResult, ParseError, ParseErrorCode } from './parse-event.js';
export { eventSchema, anyEventSchema } from './schema.js';
export { EVENT_TYPES, RESOURCES, ACTIONS, isEventType } from './events.js';
export type { EventType, EventTypeInfo, Resource, Action } from './events.js';
export type { OblicEvent, Contact, Conversation, Message, Group, Attachment, Sender } from './models.js';
