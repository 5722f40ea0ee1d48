// The shape of demos/<id>/demo.json. The server runs only what a manifest declares,
// so this schema is the boundary between "a demo" and "an arbitrary command".
import { z } from 'zod';
import { CHARTS, FIGURES, FOOTERS } from '../../shared/meter-spec.js';

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'use lowercase letters, digits and "-", starting with a letter (at most 40)');

const integerParam = z.strictObject({
  type: z.literal('integer'),
  description: z.string().min(1),
  min: z.number().int(),
  max: z.number().int(),
  default: z.number().int(),
});

const numberParam = z.strictObject({
  type: z.literal('number'),
  description: z.string().min(1),
  min: z.number(),
  max: z.number(),
  default: z.number(),
});

const booleanParam = z.strictObject({
  type: z.literal('boolean'),
  description: z.string().min(1),
  default: z.boolean(),
});

const choiceParam = z.strictObject({
  type: z.literal('choice'),
  description: z.string().min(1),
  choices: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/)).min(1),
  default: z.string(),
});

export const paramSpec = z
  .discriminatedUnion('type', [integerParam, numberParam, booleanParam, choiceParam])
  .superRefine((p, ctx) => {
    if ((p.type === 'integer' || p.type === 'number') && !(p.min <= p.default && p.default <= p.max)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `must lie within min..max (${p.min}..${p.max})` });
    }
    if (p.type === 'choice' && !p.choices.includes(p.default)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `must be one of ${p.choices.join(', ')}` });
    }
  });

const argvToken = z.string().min(1).max(200);

export const variantSpec = z.strictObject({
  title: z.string().min(1),
  /** The program and its arguments, never a shell string. `{param}` is replaced by a validated value. */
  argv: z.array(argvToken).min(1),
  /**
   * Which process the meters follow: the session's root process unless `match` names a
   * process in its tree whose command line contains that text (e.g. the server, not the load generator).
   */
  underTest: z.strictObject({ match: z.string().min(1) }).optional(),
});

const meterFields = {
  figures: z.array(z.enum(FIGURES)).min(1).optional(),
  chart: z.enum(CHARTS).optional(),
  footer: z.array(z.enum(FOOTERS)).optional(),
  finalBefore: z.string().min(1).max(60).optional(),
  perConnectionFrom: z.number().int().min(1).optional(),
  chartTitle: z.string().min(1).max(50).optional(),
};
const meterDecl = z.strictObject({
  ...meterFields,
  cases: z.array(z.strictObject({ when: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), ...meterFields })).optional(),
});

export const manifestSchema = z
  .strictObject({
    id: name,
    title: z.string().min(1),
    /** Which point of the talk this demo proves, in one sentence. */
    point: z.string().min(1),
    variants: z.record(name, variantSpec).refine((v) => Object.keys(v).length > 0, 'declare at least one variant'),
    defaultVariant: name.optional(),
    params: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'use a camelCase name'), paramSpec).default({}),
    /** Wall-clock limit: the session is ended when it is reached. */
    timeLimitSeconds: z.number().int().min(1).max(3600),
    /**
     * The moments worth jumping to: when a line of output matches `match` (a regular
     * expression), a recording gets an asciicast "m" marker named `label`.
     */
    steps: z
      .array(
        z.strictObject({
          match: z.string().min(1).refine((re) => {
            try {
              new RegExp(re);
              return true;
            } catch {
              return false;
            }
          }, 'is not a valid regular expression'),
          label: z.string().min(1).max(60),
        }),
      )
      .default([]),
    /** What its meters show (shared/meter-spec.ts): the figures its point rests on, its chart, its final reading. */
    meters: meterDecl.optional(),
    /** True when the demo reads the keyboard (a chat client, a REPL). */
    interactive: z.boolean().default(false),
    /** How `record` runs it: a demo that runs until stopped needs a length and maybe some typing. */
    recording: z
      .strictObject({
        /** Stop the recording after this long if the demo has not ended by itself. */
        maxSeconds: z.number().min(1).max(600).default(30),
        /** Parameters for the recording, where the defaults would take too long. */
        params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
        /** Keys typed at given seconds after start, e.g. a chat line. */
        input: z.array(z.strictObject({ at: z.number().min(0), data: z.string().min(1) })).default([]),
        /** Size of the recorded terminal: the samples are written for 80 columns. */
        cols: z.number().int().min(40).max(300).default(80),
        rows: z.number().int().min(10).max(100).default(24),
      })
      .prefault({}),
  })
  .superRefine((m, ctx) => {
    if (m.defaultVariant !== undefined && !(m.defaultVariant in m.variants)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultVariant'],
        message: `names no variant (variants: ${Object.keys(m.variants).join(', ')})`,
      });
    }
    const labels = new Set(m.steps.map((st) => st.label));
    for (const [i, decl] of [m.meters, ...(m.meters?.cases ?? [])].entries()) {
      if (decl?.finalBefore !== undefined && !labels.has(decl.finalBefore)) {
        ctx.addIssue({ code: 'custom', path: ['meters', ...(i ? ['cases', i - 1] : []), 'finalBefore'], message: `names no step (steps: ${[...labels].join(', ') || 'none'})` });
      }
    }
    for (const [vname, v] of Object.entries(m.variants)) {
      v.argv.forEach((tok, i) => {
        for (const ref of tok.matchAll(/\{([^}]*)\}/g)) {
          if (!(ref[1]! in m.params)) {
            ctx.addIssue({
              code: 'custom',
              path: ['variants', vname, 'argv', i],
              message: `refers to {${ref[1]}}, which is not a declared parameter`,
            });
          }
        }
      });
    }
  });

export type ParamSpec = z.infer<typeof paramSpec>;
export type VariantSpec = z.infer<typeof variantSpec>;
export type Manifest = z.infer<typeof manifestSchema>;
export type ParamValue = number | boolean | string;
