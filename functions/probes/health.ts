// GET /health : liveness. The process serves requests; never touches the database.
import type { Handler } from '../../shared/http/types';

export const health: Handler = async () => ({ status: 200, body: { status: 'ok' } });
