import { User } from '../../../models/user.ts';
import { handleOf, type MentionedPerson, type UsersRepo } from '../../users/users.repo.ts';
import type { Mirror, MirrorDoc } from './mirror.ts';

/**
 * Accounts on the embedded engine: people are held in memory whole (the
 * directory reads them too), with an email → id map and a handle → people map
 * kept current on every write, so no lookup by email reads the collection.
 */
export class EmbeddedUsersRepo implements UsersRepo {
  readonly #ready: () => Promise<void>;
  readonly #byEmail = new Map<string, string>();
  readonly #byHandle = new Map<string, Map<string, MirrorDoc>>();

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    // Whole: the directory holds the same collection and reads every field.
    mirror.track(User as never).onChange((id, person, previous) => {
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
    return this.#byEmail.get(email.trim().toLowerCase()) ?? null;
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
