import { isStorableText, toStorableText } from '../domain/text.js';
import type { FieldError } from './errors.js';

const MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';
const MAX_REPORTED = 20;

/**
 * Every string (and object key) in validated input that PostgreSQL would refuse, as field errors in
 * the API's usual shape (`leads.3.firstName` → index 3, field `firstName`). Runs over the parsed
 * input, whose depth the schemas bound.
 */
export function unstorableText(value: unknown): FieldError[] {
  const found: FieldError[] = [];
  const visit = (v: unknown, path: (string | number)[]) => {
    if (found.length >= MAX_REPORTED) return;
    if (typeof v === 'string') {
      if (!isStorableText(v)) found.push(fieldError(path));
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (!isStorableText(key)) found.push(fieldError([...path, key]));
        visit(item, [...path, key]);
      }
    }
  };
  visit(value, []);
  return found;
}

function fieldError(path: (string | number)[]): FieldError {
  const indexed = path.length >= 2 && typeof path[1] === 'number';
  const field = (indexed ? path.slice(2) : path).map(String).join('.') || path.map(String).join('.');
  return { index: indexed ? (path[1] as number) : null, field: printable(field), message: MESSAGE };
}

// The field name itself may hold the bad characters; the error body must stay valid text.
const printable = (s: string) => toStorableText(s.replaceAll('\u0000', '\\u0000'));
