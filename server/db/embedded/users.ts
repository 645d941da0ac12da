import mongoose from 'mongoose';
import { User } from '../../../models/user.ts';
import { handleOf, type MentionedPerson, type UsersRepo } from '../../users/users.repo.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';
import { openedByOthersSince } from './snapshot.ts';

/**
 * Accounts on the embedded engine: people are held in memory whole (the
 * directory reads them too), with an email → id map and a handle → people map
 * kept current on every write, so no lookup by email reads the collection.
 * This process is the engine's only writer while it runs, except for a script
 * started beside it (`npm run admin:create`): an email the map does not know
 * is looked for in the engine only when another process has opened the
 * database since this one did, and what is found joins the map.
 */
export class EmbeddedUsersRepo implements UsersRepo {
  readonly #ready: () => Promise<void>;
  readonly #byEmail = new Map<string, string>();
  readonly #byHandle = new Map<string, Map<string, MirrorDoc>>();
  readonly #people: MirroredCollection;

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    // Whole: the directory holds the same collection and reads every field.
    this.#people = mirror.track(User as never);
    this.#people.onChange((id, person, previous) => {
      if (previous?.email) {
        const email = String(previous.email);
        if (this.#byEmail.get(email) === id) this.#byEmail.delete(email);
        this.#byHandle.get(handleOf(email))?.delete(id);
      }
      if (person?.email) {
        const email = String(person.email);
        this.#byEmail.set(email, id);
        let people = this.#byHandle.get(handleOf(email));
        if (!people) {
          people = new Map();
          this.#byHandle.set(handleOf(email), people);
        }
        people.set(id, person);
      }
    });
  }

  async idByEmail(email: string): Promise<string | null> {
    await this.#ready();
    const wanted = email.trim().toLowerCase();
    const known = this.#byEmail.get(wanted);
    if (known || !(await openedByOthersSince())) return known ?? null;
    // Another process may have added the account: the engine reads the collection for it.
    const users = mongoose.connection.db!.collection('users');
    const found = await users.findOne({ email: wanted });
    if (!found) return null;
    this.#people.apply(String(found._id), this.#people.pick(found));
    return String(found._id);
  }

  async takenEmails(emails: string[]): Promise<Set<string>> {
    await this.#ready();
    return new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => this.#byEmail.has(e)));
  }

  async activeByHandles(handles: string[]): Promise<MentionedPerson[]> {
    await this.#ready();
    const out: MentionedPerson[] = [];
    for (const handle of new Set(handles.map((h) => h.toLowerCase()))) {
      for (const [id, person] of this.#byHandle.get(handle) ?? []) {
        if (person.active)
          out.push({ id, email: String(person.email), displayName: String(person.displayName) });
      }
    }
    return out;
  }
}
