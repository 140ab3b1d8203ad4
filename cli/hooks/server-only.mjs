// Module resolve hook: outside Next's bundler (the CLI, benchmarks) the "server-only" marker has nothing to
// guard, so it resolves to an empty module. Next's build keeps turning it into an error in client bundles.
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", format: "module", shortCircuit: true };
  return next(specifier, context);
}
