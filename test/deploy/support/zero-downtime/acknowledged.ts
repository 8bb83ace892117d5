// What the users table must hold after a load run: the seed users, and every create the API acknowledged, with the
// fields of the last write acknowledged for it (its create or a later patch); and no row nobody was told of.
import { Ledger } from '../../../reliability/support/users-ledger';
import type { AcknowledgedUser, Outcome } from './load-driver';

export interface AcknowledgedTable {
  /** Which ids must be there and which must not (shared with the reliability suite). */
  ledger: Ledger;
  /** Each acknowledged create's id, with the fields its last acknowledged write left. */
  users: Map<string, AcknowledgedUser>;
  /** Acknowledged patches applied to those. */
  patches: number;
}

/**
 * Replays the served writes in the order they were sent. A user is patched only by the worker that created it, one
 * request at a time (requests.ts), so that order is the order they were applied in.
 */
export function acknowledgedTable(seedIds: Iterable<string>, served: readonly Outcome[]): AcknowledgedTable {
  const table: AcknowledgedTable = {
    ledger: new Ledger(new Set([...seedIds].map((id) => id.toLowerCase()))),
    users: new Map(),
    patches: 0,
  };
  const writes = served.filter((outcome) => outcome.acknowledged).sort((a, b) => a.startedAt - b.startedAt);
  for (const { operation, acknowledged: user } of writes) {
    if (!user) continue;
    const id = user.id.toLowerCase();
    if (operation === 'create') table.ledger.acknowledgeCreate(id);
    else if (!table.users.has(id)) throw new Error(`a patch of ${id} was acknowledged before its create`);
    else table.patches++;
    table.users.set(id, { ...user, id });
  }
  return table;
}

/** Everything wrong with the table's rows, in words; empty when they are exactly what was acknowledged. */
export function tableDiscrepancies(expected: AcknowledgedTable, rows: readonly AcknowledgedUser[]): string[] {
  const problems = expected.ledger.discrepancies(rows.map((row) => row.id));
  for (const row of rows) {
    const acknowledged = expected.users.get(row.id.toLowerCase());
    if (!acknowledged) continue; // a seed user (only read), or a phantom the ledger reported
    const { username, email, full_name } = acknowledged;
    if (row.username !== username || row.email !== email || row.full_name !== full_name)
      problems.push(`stale: ${row.id} holds ${JSON.stringify(row)}, acknowledged ${JSON.stringify(acknowledged)}`);
  }
  return problems;
}
