/** Types of scripts/patch-temporal-sdk.mjs (plain JavaScript, so that npm install runs it with node alone). */
export declare const marker: string;
export declare const inserted: string;
export declare function patchVmShared(text: string): string;
export declare function vmSharedPath(root: string): string;
