/**
 * A lead named in a path by its id or, as agents often know it, by its email address: the
 * enrollment filter for either (addresses are stored lowercased and trimmed).
 */
export function byLeadRef(ref: string): { leadId: string } | { lead: { email: string } } {
  return ref.includes('@') ? { lead: { email: ref.trim().toLowerCase() } } : { leadId: ref };
}
