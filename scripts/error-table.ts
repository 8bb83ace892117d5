// Prints the README's error table from the error catalogue (`node dist/scripts/error-table.js`).
import { errorCatalogue } from '../shared/errors';
import { problemType } from '../shared/http/problem';

export function renderErrorTable(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, e]) => `| ${e.status} | \`${code}\` | ${e.title} | ${e.when} |`,
  );
  return ['| status | code | title | when |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  process.stdout.write(
    `${renderErrorTable()}\n\nEach problem's \`type\` is ${problemType('USER_NOT_FOUND').replace('user-not-found', '<code-in-kebab-case>')}.\n`,
  );
}
