/** Types of check-readme-ts.mjs (for the test that runs it from examples/tour). */
export declare const SKIP_MARKER: string;
export declare function readmeFiles(root?: string): string[];
export declare function tsBlocks(markdown: string): { line: number; code: string; skip: boolean }[];
export declare function checkReadmes(options?: { root?: string; keep?: boolean; files?: string[] }): { checked: number; skipped: number; errors: string; dir: string };
