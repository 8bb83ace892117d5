// The Knative Services the stand-in kn starts from in the rollout tests, one per situation a script must handle.

export const NAMESPACE = 'usersvc-test';
export const SERVICE = 'usersvc';

export interface FakeRevision {
  name: string;
  generation: number;
  image: string;
  /** false: its Ready condition is False for good (the image could not be pulled). */
  ready: boolean;
}
export interface FakeTarget {
  revisionName: string;
  percent: number;
  tag?: string;
}
export interface FakeState {
  revisions: FakeRevision[];
  traffic: FakeTarget[];
  /** false while the route of a new Service has never been Ready (status.traffic is empty). */
  routed?: boolean;
  /** How many times `kn revision list` has answered (counted only for FakeKnOptions.starting). */
  revisionLists?: number;
}

export function revision(name: string, generation: number, ready = true): FakeRevision {
  return { name, generation, image: `ghcr.io/example/usersvc:${name.slice(SERVICE.length + 1)}`, ready };
}

export const scenarios = {
  // One revision serves everything, an older one idles; no tags.
  steady: (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2)],
    traffic: [{ revisionName: 'usersvc-bbb2222', percent: 100 }],
  }),
  // As after a successful rollout: the revision before the current one is tagged previous.
  'steady-with-previous': (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3)],
    traffic: [
      { revisionName: 'usersvc-ccc3333', percent: 100 },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
    ],
  }),
  // No previous tag; the second-newest revision never became Ready.
  'no-previous-tag': (): FakeState => ({
    revisions: [
      revision('usersvc-aaa1111', 1),
      revision('usersvc-bbb2222', 2),
      revision('usersvc-ccc3333', 3, false),
      revision('usersvc-ddd4444', 4),
    ],
    traffic: [{ revisionName: 'usersvc-ddd4444', percent: 100 }],
  }),
  // A rollout stopped half-way: the candidate has 50%.
  'interrupted-canary': (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 50 },
      { revisionName: 'usersvc-ccc3333', percent: 50, tag: 'candidate' },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
    ],
  }),
  // The deploy workflow applied the release manifest: the new revision sits at 0% behind the tag candidate.
  'manifest-applied': (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-new9999', 3)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-new9999', percent: 0, tag: 'candidate' },
    ],
  }),
  // An earlier rollout died after tagging its candidate (which never became Ready) and before any shift.
  'stale-candidate': (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3, false)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 100 },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
      { revisionName: 'usersvc-ccc3333', percent: 0, tag: 'candidate' },
    ],
  }),
  // An earlier attempt created the candidate revision, then failed and rolled back.
  'failed-attempt': (): FakeState => ({
    revisions: [revision('usersvc-bbb2222', 2), revision('usersvc-new9999', 3)],
    traffic: [{ revisionName: 'usersvc-bbb2222', percent: 100 }],
  }),
  // First deploy: the release manifest has just created the Service (its one revision gets 100% and the tag
  // candidate); the route has never been Ready, so status.traffic is empty until every revision in it is Ready.
  'new-service': (): FakeState => ({
    revisions: [revision('usersvc-new9999', 1)],
    traffic: [
      { revisionName: 'usersvc-new9999', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-new9999', percent: 0, tag: 'candidate' },
    ],
    routed: false,
  }),
  // A first deploy whose revision never became Ready: the Service exists and has still served nothing.
  'failed-first-deploy': (): FakeState => ({
    revisions: [revision('usersvc-aaa1111', 1, false)],
    traffic: [
      { revisionName: 'usersvc-aaa1111', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'candidate' },
    ],
    routed: false,
  }),
};

export type Scenario = keyof typeof scenarios;
