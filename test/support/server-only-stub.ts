// The "server-only" marker resolves here in tests, as it does outside Next's bundler (cli/hooks).
export {};
