import { User } from '../../../models/user.ts';
import type { MentionedPerson, UsersRepo } from '../../users/users.repo.ts';
import { escapeRegex, op } from '../query.ts';

/** Accounts on MongoDB: the unique email index answers each of these. */
export class MongoUsersRepo implements UsersRepo {
  async idByEmail(email: string): Promise<string | null> {
    const found = await User.findOne({ email: email.trim().toLowerCase() }, { _id: 1 }).lean();
    return found ? String(found._id) : null;
  }

  async takenEmails(emails: string[]): Promise<Set<string>> {
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    if (wanted.length === 0) return new Set();
    const found = await User.find({ email: op({ $in: wanted }) }, { email: 1 }).lean();
    return new Set(found.map((u) => u.email));
  }

  async activeByHandles(handles: string[]): Promise<MentionedPerson[]> {
    const wanted = [...new Set(handles.map((h) => h.toLowerCase()))];
    if (wanted.length === 0) return [];
    // Emails are stored lower-case: an anchored, case-sensitive prefix per handle uses the email index.
    const found = await User.find(
      {
        $or: wanted.map((h) => ({ email: op({ $regex: `^${escapeRegex(h)}@` }) })),
        active: true,
      },
      { email: 1, displayName: 1 },
    ).lean();
    return found.map((u) => ({ id: String(u._id), email: u.email, displayName: u.displayName }));
  }
}
