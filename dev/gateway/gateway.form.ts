/** A form body Stripe would refuse, with the parameter it names (Stripe's `param`). */
export class FormDecodeError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'FormDecodeError';
  }
}

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

const MAX_DEPTH = 8;
const MAX_INDEX = 999;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** `line_items[0][price_data][currency]` → ['line_items', '0', 'price_data', 'currency']. */
function pathOf(key: string): string[] {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const head = key.slice(0, open);
  const rest = key.slice(open);
  if (!head || !/^(\[[^[\]]*\])+$/.test(rest)) throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
  return [head, ...[...rest.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
}

type Node = { [key: string]: Node | string };

/** Objects whose keys are all indexes become arrays; the indexes must run 0, 1, 2, … like Stripe's. */
function toArrays(node: Node | string, param: string): FormValue {
  if (typeof node === 'string') return node;
  const child = (k: string) => (param ? `${param}[${k}]` : k);
  const keys = Object.keys(node);
  const indexed = keys.length > 0 && keys.every((k) => /^(0|[1-9]\d*)$/.test(k));
  if (!indexed) return Object.fromEntries(keys.map((k) => [k, toArrays(node[k]!, child(k))]));
  const sorted = keys.map(Number).sort((a, b) => a - b);
  if (sorted.some((n, i) => n !== i))
    throw new FormDecodeError(`Invalid array: the indexes of ${param} must start at 0 with no gaps`, param);
  return sorted.map((n) => toArrays(node[String(n)]!, child(String(n))));
}

/**
 * Decodes an application/x-www-form-urlencoded body in Stripe's bracket notation into nested
 * objects and arrays (`metadata[ref]=x`, `line_items[0][quantity]=2`, `expand[]=a`). A key used
 * both as a value and as a container, or a path too deep, is refused the way Stripe refuses it.
 */
export function decodeStripeForm(body: string): Record<string, FormValue> {
  const root = Object.create(null) as Node;
  for (const [key, value] of new URLSearchParams(body)) {
    const path = pathOf(key);
    if (path.length > MAX_DEPTH) throw new FormDecodeError(`Too deeply nested parameter: ${key}`, key);
    let node = root;
    for (let i = 0; i < path.length; i++) {
      let segment = path[i]!;
      const param = path.slice(0, i + 1).reduce((p, s, j) => (j === 0 ? s : `${p}[${s}]`), '');
      if (segment === '') segment = String(Object.keys(node).length); // `expand[]` appends
      if (FORBIDDEN.has(segment)) throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
      if (/^\d+$/.test(segment) && Number(segment) > MAX_INDEX) throw new FormDecodeError(`Array index too large: ${key}`, param);
      const last = i === path.length - 1;
      const existing = node[segment];
      if (last) {
        if (typeof existing === 'object') throw new FormDecodeError(`Invalid hash: ${param} is both a value and an object`, param);
        node[segment] = value;
      } else {
        if (typeof existing === 'string') throw new FormDecodeError(`Invalid hash: ${param} is both a value and an object`, param);
        node = (node[segment] ??= Object.create(null) as Node) as Node;
      }
    }
  }
  // The top level is always an object, even if every name is a number.
  return Object.fromEntries(Object.keys(root).map((k) => [k, toArrays(root[k]!, k)]));
}
