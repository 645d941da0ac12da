/** A person as a mention names them: `@handle` is the part of their email before the @. */
export interface MentionedPerson {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
}

/** Accounts by what people type: an email, a handle. */
export interface UsersRepo {
  /** The id of the account with this email (emails are stored lower-case), or null. */
  idByEmail(email: string): Promise<string | null>;
  /** Which of these emails belong to an account already. */
  takenEmails(emails: string[]): Promise<Set<string>>;
  /** Active people whose handle is one of these (case does not matter). */
  activeByHandles(handles: string[]): Promise<MentionedPerson[]>;
}

/** The handle of an email: the part before the @, lower-case. */
export function handleOf(email: string): string {
  return email.split('@')[0]!.toLowerCase();
}
