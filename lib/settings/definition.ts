import { z } from 'zod';
import { ValidationError } from '../errors';

/**
 * One definition of a node type's settings, read by the runtime and (generated into the built .html, see
 * ./editor.ts) by the editor: each field's default and rules as data, the settings version, and the migrations
 * that bring a node saved by an earlier version up to it. A node saved without a version is version 1.
 */

/** The field's rules apply only while another field has one of these values (e.g. the agent URL in agent mode). */
export interface When {
  field: string;
  is: readonly string[];
}

interface FieldBase {
  when?: When;
}

export interface TextField extends FieldBase {
  kind: 'text';
  default: string;
  /** Blank is not allowed. */
  required?: boolean;
  /** A regular expression's source, tested as `new RegExp(pattern)` in the browser and the runtime alike. */
  pattern?: string;
  maxLength?: number;
  /** What a value breaking `pattern` or `maxLength` must be, e.g. "must be two digits, e.g. 00". */
  message?: string;
  /** A further check the runtime alone makes (it needs runtime modules); the editor keeps to the rules above. */
  check?: (value: string) => string | undefined;
}

export interface ChoiceField<V extends string = string> extends FieldBase {
  kind: 'choice';
  default: NoInfer<V>;
  values: readonly V[];
}

export interface NumberField extends FieldBase {
  kind: 'number';
  default: number;
  min?: number;
  max?: number;
  integer?: boolean;
  /** What a value breaking `min`, `max` or `integer` must be. */
  message?: string;
}

export interface FlagField extends FieldBase {
  kind: 'flag';
  default: boolean;
}

/** A reference to a config node; the runtime finds the node (requireConfigNode), the editor offers a select. */
export interface ConfigField extends FieldBase {
  kind: 'config';
  type: string;
  required: boolean;
  default?: '';
}

export type Field = TextField | ChoiceField | NumberField | FlagField | ConfigField;
export type Fields = Record<string, Field>;

/**
 * Brings settings saved by `version - 1` up to `version`. Runs in the browser too (as its source text), so it
 * must be self-contained: no imports, no outer variables, nothing but the settings it is given.
 */
export interface Migration {
  version: number;
  up(settings: Record<string, unknown>): Record<string, unknown>;
}

export interface SettingsDefinition<F extends Fields = Fields> {
  type: string;
  version: number;
  fields: F;
  migrations: readonly Migration[];
  /** The error code of an invalid setting; `settings.invalid` unless the node has its own. */
  code?: string;
}

type ValueOf<F extends Field> = F extends ChoiceField<infer V> ? V : F extends NumberField ? number : F extends FlagField ? boolean : string;
type InputOf<F extends Field> = F extends NumberField ? number | string : ValueOf<F>;

/** The settings a node runs with: every field, defaulted and checked. */
export type SettingsOf<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> };
/** The settings as saved: any field may be missing (it takes its default). */
export type SavedSettingsOf<F extends Fields> = { [K in keyof F]?: InputOf<F[K]> };

export function defineSettings<const F extends Fields>(definition: SettingsDefinition<F>): SettingsDefinition<F> {
  const { version, migrations } = definition;
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 2) throw new Error(`${definition.type}: migration ${index + 1} must bring settings to version ${index + 2}`);
  });
  if (version !== migrations.length + 1) throw new Error(`${definition.type}: version ${version} needs ${version - 1} migrations`);
  return definition;
}

/**
 * What is wrong with a field's value, or undefined. A missing value takes the default (a node saved before the
 * field existed), and a blank number is the default too. `siblings` are the node's other settings, for `when`.
 * Runs in the browser as its source text: self-contained, ES2017.
 */
export function fieldProblem(field: Field, value: unknown, siblings: Record<string, unknown>, fields: Fields): string | undefined {
  if (field.when) {
    const other = fields[field.when.field];
    let current = siblings[field.when.field];
    if (current === undefined || current === null) current = other && other.kind !== 'config' ? other.default : '';
    if (field.when.is.indexOf(String(current)) < 0) return undefined;
  }
  let given = value === null ? undefined : value;
  if (field.kind === 'number' && given === '') given = undefined;
  if (given === undefined) given = field.kind === 'config' ? '' : field.default;
  switch (field.kind) {
    case 'text': {
      // A number where text is expected: a flow written by hand (the editor saves text).
      if (typeof given === 'number') given = String(given);
      if (typeof given !== 'string') return 'must be text';
      if (field.required && given.trim() === '') return 'must not be blank';
      if (field.maxLength !== undefined && given.length > field.maxLength) return field.message || `at most ${field.maxLength} characters`;
      if (field.pattern !== undefined && !new RegExp(field.pattern).test(given)) return field.message || `must match ${field.pattern}`;
      return undefined;
    }
    case 'choice':
      return field.values.indexOf(given as string) >= 0 ? undefined : `must be one of ${field.values.join(', ')}`;
    case 'number': {
      const number = typeof given === 'number' ? given : typeof given === 'string' && given.trim() !== '' ? Number(given) : NaN;
      if (!Number.isFinite(number)) return 'must be a number';
      if (field.integer && !Number.isInteger(number)) return field.message || 'must be a whole number';
      if (field.min !== undefined && number < field.min) return field.message || `must be at least ${field.min}`;
      if (field.max !== undefined && number > field.max) return field.message || `must be at most ${field.max}`;
      return undefined;
    }
    case 'flag':
      return given === true || given === false || given === 'true' || given === 'false' ? undefined : 'must be true or false';
    case 'config':
      if (typeof given !== 'string') return `must name a ${field.type} configuration`;
      return field.required && given === '' ? `choose or create a ${field.type} configuration` : undefined;
  }
}

/**
 * The saved settings brought up to `latest` by the migrations after their version (none saved: version 1).
 * Runs in the browser as its source text: self-contained, ES2017.
 */
export function migrateSettings(saved: Record<string, unknown>, latest: number, migrations: readonly Migration[]): Record<string, unknown> {
  const from = Number(saved.version) || 1;
  let settings: Record<string, unknown> = Object.assign({}, saved);
  for (const migration of migrations) {
    if (migration.version > from) settings = migration.up(settings);
  }
  settings.version = Math.max(from, latest);
  return settings;
}

/** A saved node's settings at the definition's version, not yet checked (settingsSchema checks them). */
export function migrate<F extends Fields>(definition: SettingsDefinition<F>, saved: Record<string, unknown>): SavedSettingsOf<F> & { version: number } {
  return migrateSettings(saved, definition.version, definition.migrations) as SavedSettingsOf<F> & { version: number };
}

/** A field's value as the runtime uses it: the default when missing, numbers and flags as such. */
function valueOf(field: Field, value: unknown): unknown {
  if (value === undefined || value === null || (field.kind === 'number' && value === '')) return field.kind === 'config' ? '' : field.default;
  if (field.kind === 'number') return typeof value === 'number' ? value : Number(value);
  if (field.kind === 'flag') return value === true || value === 'true';
  return typeof value === 'number' ? String(value) : value;
}

/**
 * The zod schema of a definition's settings: the same rules as the editor's (fieldProblem), plus the runtime's
 * own checks; unknown properties (id, wires, x …) are left out. Nodes with zod settings (the mapper) use it as
 * their schema, so the two cannot drift apart.
 */
export function settingsSchema<F extends Fields>(definition: SettingsDefinition<F>): z.ZodType<SettingsOf<F>, SavedSettingsOf<F>> {
  const { fields } = definition;
  return z
    .record(z.string(), z.unknown())
    .transform((saved, context) => {
      const settings: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(fields)) {
        // A missing config node is the node's to report when it needs it (requireConfigNode says what to do).
        const rule = field.kind === 'config' ? { ...field, required: false } : field;
        const problem = fieldProblem(rule, saved[key], saved, fields) ?? (field.kind === 'text' && field.check ? field.check(String(valueOf(field, saved[key]))) : undefined);
        if (problem) context.addIssue({ code: 'custom', path: [key], message: problem });
        settings[key] = valueOf(field, saved[key]);
      }
      return settings as SettingsOf<F>;
    }) as unknown as z.ZodType<SettingsOf<F>, SavedSettingsOf<F>>;
}

/** A saved node's settings migrated, defaulted and checked: an invalid one is a ValidationError naming the node and the field. */
export function readSettings<F extends Fields>(definition: SettingsDefinition<F>, node: { id: string; name?: unknown } & Record<string, unknown>): SettingsOf<F> {
  const result = settingsSchema(definition).safeParse(migrate(definition, node));
  if (result.success) return result.data;
  const record = typeof node.name === 'string' && node.name !== '' ? `node "${node.name}"` : `node ${node.id}`;
  throw ValidationError.fromZod(result.error, { what: `${definition.type} settings`, record, code: definition.code ?? 'settings.invalid' });
}
