/** Types of scripts/patch-temporal-sdk.mjs (plain JavaScript, so that npm install runs it with node alone). */
export declare const marker: string;
export declare const inserted: string;
export declare function patchVmShared(text: string): string;
export declare function vmSharedPath(root: string): string;
export declare const sinkMarker: string;
export declare const sinkInserted: string;
export declare function patchWorker(text: string): string;
export declare function workerPath(root: string): string;
