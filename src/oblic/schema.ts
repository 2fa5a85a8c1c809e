import { EVENT_TYPES, resourceOf, type EventType } from './events.js';
import { MODELS, type ModelName } from './models.js';

type Schema = Record<string, unknown>;

const ID: Schema = { type: 'string', pattern: '^[A-Za-z0-9]{16}$' };
const TIMESTAMP: Schema = { type: 'integer', minimum: 0, description: 'Unix seconds' };

/** The JSON Schema (2020-12) of one event type's envelope and payload, from the same models as the sample factory. */
export function eventSchema(type: EventType): Schema {
  const resource = resourceOf(type);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://oblic.chat/schemas/events/${type}.json`,
    title: type,
    type: 'object',
    required: ['id', 'type', 'payload'],
    properties: { id: ID, type: { const: type }, payload: { $ref: `#/$defs/${resource}` } },
    $defs: definitions(),
  };
}

/** One schema for any of the fifteen events. */
export function anyEventSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://oblic.chat/schemas/event.json',
    title: 'Oblic event',
    oneOf: EVENT_TYPES.map(({ type }) => ({
      type: 'object',
      required: ['id', 'type', 'payload'],
      properties: { id: ID, type: { const: type }, payload: { $ref: `#/$defs/${resourceOf(type)}` } },
    })),
    $defs: definitions(),
  };
}

function definitions(): Schema {
  return Object.fromEntries(
    (Object.keys(MODELS) as ModelName[]).map((name) => {
      const fields = MODELS[name] as Record<string, string>;
      return [
        name,
        {
          type: 'object',
          required: Object.keys(fields),
          properties: Object.fromEntries(Object.entries(fields).map(([f, kind]) => [f, fieldSchema(kind)])),
        },
      ];
    }),
  );
}

function fieldSchema(kind: string): Schema {
  const nullable = kind.endsWith('|null');
  const base: Schema = (() => {
    switch (kind.replace('|null', '')) {
      case 'id':
        return ID;
      case 'string':
        return { type: 'string' };
      case 'timestamp':
        return TIMESTAMP;
      case 'integer':
        return { type: 'integer', minimum: 0 };
      case 'boolean':
        return { type: 'boolean' };
      case 'sender':
        return { $ref: '#/$defs/sender' };
      case 'contact[]':
        return { type: 'array', items: { $ref: '#/$defs/contact' } };
      case 'attachment[]':
        return { type: 'array', items: { $ref: '#/$defs/attachment' } };
      case 'reactions':
        return {
          type: 'array',
          items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        };
      default:
        throw new Error(`no schema for the field kind ${kind}`);
    }
  })();
  return nullable ? { anyOf: [base, { type: 'null' }] } : base;
}
