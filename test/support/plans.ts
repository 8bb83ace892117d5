// EXPLAIN for the tests that pin a statement's plan on PostgreSQL: the statement exactly as the code sends it, its
// parameters inlined, and every node of the plan flattened.
import type { TestDatabase } from './database';

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

export async function planOf(db: TestDatabase, text: string, values: unknown[]): Promise<PlanNode[]> {
  const prepared = text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = values[Number(n) - 1];
    return typeof value === 'number' ? String(value) : `'${String(value)}'`;
  });
  const [row] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${prepared}`);
  return nodes((row as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
}
