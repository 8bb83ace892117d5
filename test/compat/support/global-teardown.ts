// Jest global teardown of the compat suite: removes the previous build's worktree.
import { removePreviousBuild } from './previous-build';

export default removePreviousBuild;
