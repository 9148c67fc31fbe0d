export { HubFolder, HubPath, type HubOptions, type HubProgress, type CacheLike, type CacheStorageLike } from './hub-folder';
export { resolvePretrained, hubFolder, locationName } from './resolve';
export { isRepoId, repoFolderName } from './repo-id';
export { hubEndpoint, hubCacheDir, hubOffline, hubToken, DEFAULT_ENDPOINT } from './env';
export { HubError, HubAuthError, HubNotFoundError, HubNetworkError, HubOfflineError, HubResponseError } from './errors';
