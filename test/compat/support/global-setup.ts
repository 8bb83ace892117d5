// Jest global setup of the compat suite: the previous build, checked out and compiled once for every run in it.
import { preparePreviousBuild } from './previous-build';

export default preparePreviousBuild;
