import { EventContract } from './catalog';

/** File name of the committed example of an event version, in `libs/contracts/fixtures/`. */
export function fixtureFileName(contract: Pick<EventContract, 'name' | 'major'>): string {
  return `${contract.name}.v${contract.major}.json`;
}

/**
 * The structure of a JSON value as sorted `path: type` lines; two events have the same shape
 * when producer output and the committed fixture agree on every field and its type.
 */
export function shapeOf(value: unknown, path = '$'): string[] {
  // Every element of an array counts once: a list of two GPs has the shape of a list of one.
  if (Array.isArray(value)) return [`${path}: array`, ...new Set(value.flatMap((v) => shapeOf(v, `${path}[]`)))];
  if (value !== null && typeof value === 'object') {
    return [
      `${path}: object`,
      ...Object.keys(value)
        .sort()
        .flatMap((k) => shapeOf((value as Record<string, unknown>)[k], `${path}.${k}`)),
    ];
  }
  return [`${path}: ${value === null ? 'null' : typeof value}`];
}
