// The library entry: `import { sign } from 'oblic-hooks'`. Nothing here touches the CLI.
export { sign, signStream } from './signature.js';
export { verify } from './verify.js';
export type { Verdict, VerifyInput, FailureReason } from './verify.js';
export { EVENT_TYPES, RESOURCES, ACTIONS, isEventType } from './events.js';
export type { EventType, EventTypeInfo, Resource, Action } from './events.js';
export type { Contact, Conversation, Message, Group, Attachment, Sender } from './models.js';
export type { OblicEvent } from './sample.js';
