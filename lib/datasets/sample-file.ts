// The one real CT shipped with the project (see test/fixtures/ct/README.md for its source and license): the sample
// dataset's file, read in place. A function: Next's bundler, which also loads route modules, has no module folder.
import path from "node:path";

export const sampleFile = () => path.resolve(import.meta.dirname, "../../test/fixtures/ct/example_ct.nii.gz");

export const SAMPLE_SLUG = "sample-ct";
