// The deploy pipeline's placeholder substitution (docs/RUNBOOK.md, "Deploy"), applied to rendered manifests in tests.
import type { KubeObject } from './kustomize';

export interface Release {
  /** Registry owner: ghcr.io/<owner>/usersvc. */
  owner: string;
  /** The release's commit (the image tag and the revision suffix). */
  gitSha: string;
  /** The revision serving 100% now; on the very first deploy, the new revision itself. */
  servingRevision: string;
  /** Pin the image by digest (sha256:...) instead of by the commit tag. */
  imageDigest?: string;
}

/** Every placeholder the committed manifests carry; none may survive substitution. */
export const PLACEHOLDERS = ['OWNER', 'GIT_SHA', 'SERVING_REVISION'] as const;

const replaceAll = (text: string, token: string, value: string) => text.split(token).join(value);

/** What the deploy's `sed -e "s|ghcr.io/OWNER/|ghcr.io/$OWNER/|g" -e "s|SERVING_REVISION|..." -e "s|GIT_SHA|..."` does. */
export function substitutePlaceholders(objects: KubeObject[], release: Release): KubeObject[] {
  let text = JSON.stringify(objects);
  if (release.imageDigest) {
    text = replaceAll(text, 'ghcr.io/OWNER/usersvc:GIT_SHA', `ghcr.io/OWNER/usersvc@${release.imageDigest}`);
  }
  text = replaceAll(text, 'ghcr.io/OWNER/', `ghcr.io/${release.owner}/`);
  text = replaceAll(text, 'SERVING_REVISION', release.servingRevision);
  text = replaceAll(text, 'GIT_SHA', release.gitSha);
  return JSON.parse(text) as KubeObject[];
}
