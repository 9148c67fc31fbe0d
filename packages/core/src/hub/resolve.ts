import type { FileLocation } from '../io/files';
import { HubFolder, type HubOptions } from './hub-folder';
import { isRepoId } from './repo-id';

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/**
 * What `fromPretrained(nameOrPath, options)` reads, as transformers decides: a string that is not
 * a URL, not an existing local path (Node), and is a valid hub repo id (`name` or `org/name`)
 * becomes a {@link HubFolder} with the hub options; anything else is returned as it is. In a
 * browser a relative URL must start with `./`, `../` or `/` to be read as one.
 */
export async function resolvePretrained(location: FileLocation, options: HubOptions = {}): Promise<FileLocation> {
  if (typeof location !== 'string' || !isRepoId(location)) return location;
  if (isNode) {
    const { access } = await import('node:fs/promises');
    const local = await access(location).then(
      () => true,
      () => false,
    );
    if (local) return location;
  }
  return new HubFolder(location, options);
}

/** A hub repo as a folder location, for the loaders that take one (`loadPeft`, tokenizers, datasets). */
export function hubFolder(repoId: string, options: HubOptions = {}): HubFolder {
  return new HubFolder(repoId, options);
}

/** The name a model loaded from `location` records (HF `name_or_path`): the repo id, path or URL. */
export function locationName(location: FileLocation): string | null {
  if (typeof location === 'string') return location;
  if (location instanceof URL) return location.href;
  if (location instanceof HubFolder) return location.repoId;
  return null;
}
