/**
 * Compares two announcements field by field (dotted paths). Used to tell a municipality
 * exactly what differs when a reference it already used comes with another payload.
 */
export function differencesBetween(
  previous: Record<string, unknown>,
  next: Record<string, unknown>,
  path = '',
): Array<{ field: string; previous: unknown; received: unknown }> {
  const out: Array<{ field: string; previous: unknown; received: unknown }> = [];
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(next)])].sort();
  for (const key of keys) {
    const field = path ? `${path}.${key}` : key;
    const a = previous[key];
    const b = next[key];
    if (isPlainObject(a) && isPlainObject(b)) {
      out.push(...differencesBetween(a, b, field));
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ field, previous: a ?? null, received: b ?? null });
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Canonical form of an announcement: postcode upper-case with one space, names trimmed. */
export function normalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return compact.length === 6 ? `${compact.slice(0, 4)} ${compact.slice(4)}` : compact;
}

export function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}
