// The few Deno globals the sources mention, declared loosely for the npm
// build's compiler: ffi/deno.ts only runs in Deno, and the test harness only
// calls Deno.test there. The real types come from Deno when it checks them.
// deno-lint-ignore-file no-explicit-any
declare namespace Deno {
  type PointerValue = any;
  type PointerObject = any;
  type ForeignLibraryInterface = any;
  type UnsafeCallbackDefinition = any;
  const UnsafePointer: any;
  const UnsafePointerView: any;
  class UnsafeCallback {
    constructor(definition: any, callback: (...args: any[]) => any);
    static threadSafe(definition: any, callback: (...args: any[]) => any): UnsafeCallback;
    readonly pointer: any;
    readonly callback: (...args: any[]) => any;
    readonly definition: any;
    ref(): number;
    unref(): number;
    close(): void;
  }
  const build: { os: string };
  const permissions: any;
  const env: any;
  const errors: any;
  const test: any;
  function dlopen(path: string, symbols: any): any;
  function execPath(): string;
  function exit(code?: number): never;
}
