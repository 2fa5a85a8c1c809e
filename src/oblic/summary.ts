import { formatBytes } from '../base/text.js';
import { printable } from '../base/text.js';

type Json = Record<string, unknown>;

const str = (value: unknown, max = 60): string => (typeof value === 'string' ? printable(value, max) : '?');
const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * One line a person reads at a glance, per resource: a message's sender and text, a contact's
 * username and phone, a group's name and size, an attachment's file, a conversation's flags.
 * Plain text: the caller colours it. Unknown or odd shapes give a best effort, never an exception.
 */
export function summarizeEvent(type: string, payloadValue: unknown): string {
  const payload = obj(payloadValue);
  switch (type.split('.')[0]) {
    case 'message': {
      const sender = str(obj(payload.contact).username, 40);
      const text = typeof payload.message === 'string' ? `“${printable(payload.message, 80)}”` : '(no text)';
      const extras = [
        list(payload.attachments).length > 0
          ? `${list(payload.attachments).length} attachment${list(payload.attachments).length === 1 ? '' : 's'}`
          : '',
        list(payload.reactions).length > 0
          ? `${list(payload.reactions).length} reaction${list(payload.reactions).length === 1 ? '' : 's'}`
          : '',
      ].filter(Boolean);
      return `${sender}: ${text}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
    }
    case 'contact': {
      const name = typeof payload.display_name === 'string' ? ` (${str(payload.display_name, 40)})` : '';
      return `${str(payload.username, 40)}${name} · ${str(payload.phone_number, 30)}`;
    }
    case 'group': {
      const members = list(payload.contacts).length;
      return `${str(payload.name)} · ${members} member${members === 1 ? '' : 's'}${payload.archived_at ? ' · archived' : ''}`;
    }
    case 'attachment': {
      const size = typeof payload.file_size === 'number' ? formatBytes(payload.file_size) : '? bytes';
      return `${str(payload.filename)} · ${str(payload.file_type, 40)} · ${size}`;
    }
    case 'conversation': {
      const withWhom =
        typeof payload.group_id === 'string'
          ? `group ${str(payload.group_id, 20)}`
          : `contact ${str(payload.contact_id, 20)}`;
      const flags = [
        payload.is_pinned === true && 'pinned',
        payload.is_muted === true && 'muted',
        payload.archived_at && 'archived',
      ].filter(Boolean);
      return `with ${withWhom}${flags.length > 0 ? ` · ${flags.join(' · ')}` : ''}`;
    }
    default:
      return `${Object.keys(payload).length} fields`;
  }
}
