// Rendered manifests and Compose files are untyped YAML trees, which the tests walk
// freely; the schema validations are what types them.
// biome-ignore lint/suspicious/noExplicitAny: the alias exists to say exactly that
export type Tree = any;
