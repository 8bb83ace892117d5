// What the API acknowledged (201 creates, 204 deletes) against what the users table holds in the end.
import { call } from '../../support/http';

interface UserRow {
  id: string;
  username: string;
}

/** Every user, by walking the listing's cursor pages (the only view of PGlite, which lives in the service). */
export async function listAllUsers(baseUrl: string, headers: Record<string, string>): Promise<UserRow[]> {
  const users: UserRow[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const reply = await call<{ data: UserRow[]; next_cursor: string | null }>(
      baseUrl,
      'GET',
      `/api/v1/users?limit=200${query}`,
      { headers },
    );
    if (reply.status !== 200) throw new Error(`listing answered ${reply.status}: ${reply.text}`);
    users.push(...reply.body.data.map(({ id, username }) => ({ id, username })));
    cursor = reply.body.next_cursor;
    if (cursor === null) return users;
  }
  throw new Error('listing did not end after 10,000 pages');
}

/** The ids the API acknowledged creating (201) and deleting (204). */
export class Ledger {
  readonly created = new Set<string>();
  readonly deleted = new Set<string>();

  constructor(readonly seed: ReadonlySet<string>) {}

  acknowledgeCreate(id: string): void {
    if (this.created.has(id) || this.seed.has(id)) throw new Error(`two creates answered with id ${id}`);
    this.created.add(id.toLowerCase());
  }

  acknowledgeDelete(id: string): void {
    this.deleted.add(id.toLowerCase());
  }

  /** The ids that must be in the table: seed rows and acknowledged creates, minus acknowledged deletes. */
  expected(): Set<string> {
    return new Set([...this.seed, ...this.created].filter((id) => !this.deleted.has(id)));
  }

  /** Everything wrong with the table's ids, in words; empty when the table matches what was acknowledged. */
  discrepancies(tableIds: Iterable<string>): string[] {
    const table = new Set([...tableIds].map((id) => id.toLowerCase()));
    const problems: string[] = [];
    for (const id of this.expected()) if (!table.has(id)) problems.push(`lost: ${id} was acknowledged but is gone`);
    for (const id of table) {
      if (this.deleted.has(id)) problems.push(`resurrected: ${id} was acknowledged deleted but is there`);
      else if (!this.seed.has(id) && !this.created.has(id)) problems.push(`phantom: ${id} was never acknowledged`);
    }
    return problems;
  }
}
