/**
 * The few shapes the snapshot schema is built from, over TypeBox. TypeBox, not zod: a
 * TypeBox schema is JSON Schema as it stands, so the file crimon publishes
 * (schema/snapshot.schema.json), the one ajv checks a `--from` file against and the one the
 * tests hold every saved snapshot to are the same object, and TypeBox's Static gives the
 * TypeScript types from it. Neither TypeBox nor ajv is loaded by a live snapshot: the types
 * are erased, and only reading a saved file imports this (see snapshot-file/).
 */
import {OptionalKind, Type, type Static, type TProperties, type TSchema, type TObject, type TUnsafe} from '@sinclair/typebox';

/** The TypeScript view of a schema: every property and list read-only, as the model hands them out. */
export type Shape<T extends TSchema> = DeepReadonly<Static<T>>;

type DeepReadonly<T> = T extends readonly (infer Item)[]
	? readonly DeepReadonly<Item>[]
	: T extends object
		? {readonly [K in keyof T]: DeepReadonly<T[K]>}
		: T;

export const text = () => Type.String();
export const flag = () => Type.Boolean();
export const figure = () => Type.Number();
/** A pid, a count: a non-negative integer JavaScript holds exactly. */
export const whole = () => Type.Integer({minimum: 0, maximum: Number.MAX_SAFE_INTEGER});

/** Words crimon writes itself (finding codes, binaries): printed as they are, so nothing else may pass. */
export function word<T extends string = string>(): TUnsafe<T> {
	return Type.Unsafe<T>({type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$'});
}

/** One of a fixed set of strings, as one `enum` (a file's wrong value is named against the whole set). */
export function oneOf<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
	return Type.Unsafe<T[number]>({type: 'string', enum: [...values]});
}

/**
 * The value, or null. An object that may be null is one schema of type [object, null], not a
 * union: ajv fills defaults only outside unions, and a saved file's `usage: {}` must read
 * as eight nulls.
 */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
	if (schema['type'] === 'object') return Type.Unsafe<Static<T> | null>({...schema, type: ['object', 'null']});
	return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
}

/**
 * A shape used in many places, written once in the published schema's `definitions` (the
 * snapshot schema lists it there under `name`): inlined, Usage and its pressure figures made
 * the generated check 780 kB.
 */
export function shared<T extends TSchema>(name: string, schema: T): TUnsafe<Static<T>> {
	return Type.Unsafe<Static<T>>(Type.Ref(`#/definitions/${name}`, {title: schema.title}));
}

export const list = <T extends TSchema>(item: T) => Type.Array(item);

/**
 * An object whose unknown fields are kept (a newer crimon's additions within v1 pass
 * through). A field with a `default` was added within v1: a file saved before it lacks it,
 * so the published schema does not require it, and reading fills it in; the type has it.
 */
export function record<T extends TProperties>(properties: T): TObject<T> {
	const schema = Type.Object(properties);
	const required = Object.keys(properties).filter((key) => !(OptionalKind in properties[key]!) && !('default' in properties[key]!));
	Reflect.deleteProperty(schema, 'required');
	return required.length > 0 ? Object.assign(schema, {required}) : schema;
}

/** A field added within v1 that reading fills with `fill` when a file lacks it. */
export function since<T extends TSchema>(schema: T, fill: unknown): T {
	return {...schema, default: fill};
}

/** A record of strings (labels). */
export const stringMap = () => Type.Record(Type.String(), Type.String());
