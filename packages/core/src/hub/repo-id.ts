/**
 * Hugging Face repo ids, checked as huggingface_hub's `validate_repo_id` does: `name` or
 * `org/name`, letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit, no
 * `--` or `..`, not ending in `.git`, at most 96 characters.
 */
const REPO_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]+\b$/;

export function isRepoId(s: string): boolean {
  return s.length <= 96 && REPO_ID.test(s) && !s.includes('--') && !s.includes('..') && !s.endsWith('.git');
}

/** The cache folder name of a model repo: `models--org--name` (huggingface_hub `repo_folder_name`). */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** A full commit hash (40 hex digits), as huggingface_hub's `REGEX_COMMIT_HASH`. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;
