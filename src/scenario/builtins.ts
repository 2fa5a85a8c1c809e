import type { Scenario } from './file.js';

// The built-in scenarios are data in the shape of a scenario file: `scenario show <name>` prints one
// and `scenario run` runs that file unchanged (issue 16).

/** A reference to an earlier step's event (`${name.payload.id}`) or to the clock (`${now}`), as a file writes it. */
function ref(path: string): string {
  return `$\{${path}}`;
}

const conversation: Scenario = {
  name: 'conversation',
  description:
    'a contact is created, a conversation opens, messages go back and forth (one with an attachment), one is edited then deleted, and the conversation is archived then deleted',
  steps: [
    { event: 'contact.created', as: 'contact' },
    { event: 'conversation.created', as: 'chat' },
    { event: 'message.created', as: 'hello' },
    { event: 'message.created', as: 'reply' },
    { event: 'message.created', as: 'photo' },
    { event: 'attachment.created', as: 'photo-file', set: { 'payload.message_id': ref('photo.payload.id') } },
    { event: 'message.created', as: 'typo' },
    { wait: '30s' },
    { event: 'message.updated', as: 'typo-edited', set: { 'payload.id': ref('typo.payload.id') } },
    { wait: '2m' },
    { event: 'message.deleted', as: 'typo-deleted', set: { 'payload.id': ref('typo.payload.id') } },
    { wait: '1h' },
    { event: 'conversation.updated', as: 'archived', set: { 'payload.archived_at': ref('now') } },
    { wait: '5m' },
    { event: 'conversation.deleted', as: 'chat-deleted' },
  ],
};

const group: Scenario = {
  name: 'group',
  description:
    'two contacts start a group, a third joins and the first leaves through group.updated, messages go round its conversation, then the group and its conversation are deleted',
  steps: [
    { event: 'contact.created', as: 'first' },
    { event: 'contact.created', as: 'second' },
    { event: 'group.created', as: 'team' },
    { event: 'conversation.created', as: 'team-chat' },
    { event: 'message.created', as: 'welcome' },
    { event: 'message.created', as: 'thanks' },
    { wait: '10m' },
    { event: 'contact.created', as: 'third' },
    { event: 'group.updated', as: 'third-joins' },
    { event: 'message.created', as: 'hi-all' },
    { wait: '1h' },
    { event: 'group.updated', as: 'first-leaves' },
    { event: 'message.created', as: 'bye' },
    { wait: '1h' },
    { event: 'group.deleted', as: 'team-deleted' },
    { event: 'conversation.deleted', as: 'team-chat-deleted' },
  ],
};

const contact: Scenario = {
  name: 'contact',
  description:
    'a contact is created and opens a conversation, is updated twice and deleted; its conversation is deleted with it',
  steps: [
    { event: 'contact.created', as: 'contact' },
    { event: 'conversation.created', as: 'chat' },
    { event: 'message.created', as: 'hello' },
    { wait: '1h' },
    { event: 'contact.updated', as: 'renamed' },
    { wait: '1h' },
    { event: 'contact.updated', as: 'new-avatar' },
    { wait: '1h' },
    { event: 'contact.deleted', as: 'contact-deleted' },
    { event: 'conversation.deleted', as: 'chat-deleted' },
  ],
};

const everything: Scenario = {
  name: 'everything',
  description:
    'all fifteen event types, each where it makes sense: contacts, a one-to-one and a group conversation, messages with an attachment, updates, then every object deleted',
  steps: [
    { event: 'contact.created', as: 'alice' },
    { event: 'conversation.created', as: 'alice-chat' },
    { event: 'message.created', as: 'photo' },
    { event: 'attachment.created', as: 'photo-file' },
    { event: 'attachment.updated', as: 'photo-renamed' },
    { event: 'message.updated', as: 'photo-edited' },
    { event: 'contact.updated', as: 'alice-renamed' },
    { event: 'conversation.updated', as: 'alice-chat-pinned' },
    { event: 'contact.created', as: 'bob' },
    { event: 'group.created', as: 'club' },
    { event: 'conversation.created', as: 'club-chat' },
    { event: 'message.created', as: 'club-hello' },
    { event: 'group.updated', as: 'alice-leaves' },
    { wait: '1h' },
    { event: 'attachment.deleted', as: 'photo-file-deleted' },
    { event: 'message.deleted', as: 'photo-deleted', set: { 'payload.id': ref('photo.payload.id') } },
    { event: 'group.deleted', as: 'club-deleted' },
    { event: 'conversation.deleted', as: 'club-chat-deleted' },
    { event: 'contact.deleted', as: 'bob-deleted', set: { 'payload.id': ref('bob.payload.id') } },
  ],
};

export const BUILTIN_SCENARIOS: readonly Scenario[] = [conversation, group, contact, everything];

export function findScenario(name: string): Scenario | undefined {
  return BUILTIN_SCENARIOS.find((scenario) => scenario.name === name);
}

/** A built-in scenario as `scenario show` prints it: the file `scenario run` reads. */
export function scenarioFile(scenario: Scenario): string {
  return `${JSON.stringify(scenario, null, 2)}\n`;
}
