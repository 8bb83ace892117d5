// The one database interface the handlers see; each backend (pg Pool, PGlite) implements it in its own file.

/** A statement with a stable name, so the pg backend can prepare it once per connection. */
export interface Statement {
  name: string;
  text: string;
}

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(
    statement: Statement | string,
    values?: readonly unknown[],
  ): Promise<QueryResult<Row>>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database extends Queryable {
  /**
   * Runs work in one transaction on one connection: committed when work resolves, rolled back when it throws (the
   * error passes through). Used where two writes must land together or not at all (an idempotency key and its user).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query within timeoutMs; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  stats(): PoolStats;
  close(): Promise<void>;
}
