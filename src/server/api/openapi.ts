/** The OpenAPI 3.1 document, generated from the operation table and its zod schemas. */
import { z } from 'zod';
import { EventsQuery, EVENT_TOPICS, ServerEventSchema } from '../../shared/api/events.ts';
import { API_PREFIX, EVENTS_PATH, OPERATIONS, type OperationDef } from '../../shared/api/operations.ts';
import { ProblemSchema } from '../../shared/api/schemas.ts';
import { VERSION } from '../version.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
    ...(typeof s['description'] === 'string' && { description: s['description'] }),
  }));
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, d] of Object.entries(OPERATIONS) as [string, OperationDef][]) {
    const p = API_PREFIX + d.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const status = d.status ?? 200;
    const responses: Record<string, unknown> = {
      [status]:
        status === 204
          ? { description: 'Done' }
          : { description: 'Success', content: { 'application/json': { schema: jsonSchema(d.response, 'output') } } },
      '400': problemResponse('Some input needs correcting (code VALIDATION)'),
      default: problemResponse('Error (problem details with a registry code)'),
    };
    if (d.role !== 'public') {
      responses['401'] = problemResponse('Missing, invalid or expired token (UNAUTHENTICATED)');
      responses['403'] = problemResponse(
        'Role too low (FORBIDDEN) or password change required (PASSWORD_CHANGE_REQUIRED)',
      );
    }
    (paths[p] ??= {})[d.method.toLowerCase()] = {
      operationId: id,
      summary: d.summary,
      tags: [d.tag],
      'x-dittofs-role': d.role,
      security: d.role === 'public' ? [] : [{ bearer: [] }],
      parameters: [...parameters(d.params, 'path'), ...parameters(d.query, 'query')],
      ...(d.body && {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(d.body, 'input') } } },
      }),
      responses,
    };
  }
  paths[API_PREFIX + EVENTS_PATH] = {
    get: {
      operationId: 'events.stream',
      summary: `Live events as Server-Sent Events (topics: ${EVENT_TOPICS.join(', ')}); the token may be passed as ?access_token=`,
      tags: ['events'],
      'x-dittofs-role': 'operator',
      security: [{ bearer: [] }, { queryToken: [] }],
      parameters: parameters(EventsQuery, 'query'),
      responses: {
        '200': {
          description: 'An endless text/event-stream; each frame has `event: <type>` and `data: <json>` of this schema',
          content: { 'text/event-stream': { schema: jsonSchema(ServerEventSchema, 'output') } },
        },
        '401': problemResponse('Missing, invalid or expired token'),
        '403': problemResponse('Role too low'),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'DittoFS management API',
      version: VERSION,
      description:
        'Every management operation of a DittoFS server. Errors are RFC 9457 problem details with a stable `code`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        queryToken: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
    },
  };
}
