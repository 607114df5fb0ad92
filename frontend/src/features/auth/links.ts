/** `path` carrying where to go after signing in, when there is somewhere to go. */
export function withNext(path: string, next: string | null): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

/**
 * The page an invitation email links to (the backend writes `{app}/invitations/accept?token=…`).
 */
export const ACCEPT_INVITATION_PATH = "/invitations/accept";
