import { RequestError } from '../query';

/**
 * Refuses query parameters the simulator does not implement, so a client never gets a silently unfiltered
 * answer. (The real store ignores unknown parameters; the contract recorder flags undocumented ones.)
 */
export function rejectUnsupported(query: URLSearchParams, supported: readonly string[]): void {
  for (const key of query.keys()) {
    if (!supported.includes(key)) {
      throw new RequestError(400, `The simulator does not implement the query parameter '${key}' here (supported: ${supported.join(', ') || 'none'}).`, { [key]: 'not supported by the simulator' });
    }
  }
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'product';
}
