// The program's side of the release record lives with the program (stacks/release.ts) and the store's layout in the
// contract (contract/store.ts); the driver's modules keep reaching both by this path.
export { programRelease } from "../../stacks/release";
export { RELEASE_ENV } from "../../contract/store";
